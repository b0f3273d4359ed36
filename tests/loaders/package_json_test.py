from __future__ import annotations

from checker.loaders import package_json
from checker.sources import SourceFile

TEXT = """{
  "name": "shop",
  "dependencies": {
    "@stripe/stripe-js": "2.4.0",
    "stripe": "^14.25.0"
  },
  "devDependencies": {
    "supabase": "^1.172.2"
  }
}
"""


def test_dependencies_are_npm_packages_at_their_lines_with_dev_marked() -> None:
    outcome = package_json.load([SourceFile("package.json", TEXT.encode())])
    assert [(r.attrs["name"], r.location.line, r.attrs["dev"]) for r in outcome.resources] == [
        ("@stripe/stripe-js", 4, False), ("stripe", 5, False), ("supabase", 8, True)]


def test_invalid_json_is_an_error_with_its_line() -> None:
    outcome = package_json.load([SourceFile("package.json", b'{\n  "dependencies": {\n    "a": \n}\n')])
    assert outcome.errors and outcome.errors[0].line == 4
