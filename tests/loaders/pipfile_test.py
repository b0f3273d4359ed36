from __future__ import annotations

from checker.loaders import pipfile
from checker.sources import SourceFile


def test_packages_and_dev_packages_are_read() -> None:
    text = '[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\nopenai = "*"\n\n[dev-packages]\npytest = ">=8"\n'
    outcome = pipfile.load([SourceFile("Pipfile", text.encode())])
    assert [(r.attrs["name"], r.location.line, r.attrs["dev"]) for r in outcome.resources] == [
        ("openai", 5, False), ("pytest", 8, True)]
