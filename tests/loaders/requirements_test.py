from __future__ import annotations

from checker.loaders import requirements
from checker.sources import SourceFile


def names(text: str, path: str = "requirements.txt") -> list[tuple[str, int]]:
    outcome = requirements.load([SourceFile(path, text.encode())])
    assert not outcome.errors, outcome.errors
    return [(r.attrs["name"], r.location.line) for r in outcome.resources]


def test_each_requirement_is_a_pypi_package_at_its_line() -> None:
    text = "# summaries\nflask==3.1.3\n\nopenai==2.31.0  # the API\nrequests[socks]>=2 ; python_version >= '3.8'\n"
    assert names(text) == [("flask", 2), ("openai", 4), ("requests", 5)]


def test_pip_options_editables_and_urls_name_no_package() -> None:
    text = "-r base.txt\n--index-url https://pypi.example/simple\n-e ./lib\nhttps://x.example/a.whl\n./local\nsix\n"
    assert names(text) == [("six", 6)]


def test_continuation_lines_and_hashes_belong_to_the_first_line() -> None:
    text = "stripe==9.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nboto3==1.34\n"
    assert names(text) == [("stripe", 1), ("boto3", 4)]


def test_a_line_pip_would_refuse_is_an_error_with_its_line() -> None:
    outcome = requirements.load([SourceFile("requirements.txt", b"flask\nnot a requirement!\n")])
    assert [(e.path, e.line) for e in outcome.errors] == [("requirements.txt", 2)]


def test_requirements_named_for_development_are_development_only() -> None:
    outcome = requirements.load([SourceFile("requirements-dev.txt", b"pytest\n")])
    assert outcome.resources[0].attrs["dev"] is True
    outcome = requirements.load([SourceFile("requirements.txt", b"pytest\n")])
    assert outcome.resources[0].attrs["dev"] is False


def test_claims_requirements_files_but_not_other_in_files() -> None:
    assert requirements.claims("src/requirements.in")
    assert requirements.claims("requirements/prod.txt")
    assert not requirements.claims("MANIFEST.in")
    assert not requirements.claims("notes.txt")
