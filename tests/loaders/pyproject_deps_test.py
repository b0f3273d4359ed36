from __future__ import annotations

from checker.loaders import pyproject_deps
from checker.sources import SourceFile

PEP621 = """[project]
name = "svc"
dependencies = [
  "Flask>=3",
  "sentry-sdk[flask]==2.0",
]

[project.optional-dependencies]
test = ["pytest"]
"""

POETRY = """[tool.poetry]
name = "svc"

[tool.poetry.dependencies]
python = "^3.11"
stripe = "^9.0"
twilio = {version = "^9", optional = true}

[tool.poetry.group.dev.dependencies]
mypy = "*"
"""


def test_pep621_dependencies_are_read_with_their_lines() -> None:
    outcome = pyproject_deps.load([SourceFile("pyproject.toml", PEP621.encode())])
    assert [(r.attrs["name"], r.location.line, r.attrs["dev"]) for r in outcome.resources] == [
        ("Flask", 4, False), ("sentry-sdk", 5, False), ("pytest", 9, True)]


def test_poetry_tables_skip_python_and_mark_dev_groups() -> None:
    outcome = pyproject_deps.load([SourceFile("pyproject.toml", POETRY.encode())])
    assert [(r.attrs["name"], r.location.line, r.attrs["dev"]) for r in outcome.resources] == [
        ("stripe", 6, False), ("twilio", 7, False), ("mypy", 10, True)]


def test_invalid_toml_is_an_error_with_its_line() -> None:
    outcome = pyproject_deps.load([SourceFile("pyproject.toml", b"[project]\nname = \n")])
    assert outcome.errors and outcome.errors[0].line == 2
