from __future__ import annotations

from checker.loaders import go_mod
from checker.sources import SourceFile

TEXT = """module example.com/shop

go 1.22

require github.com/stripe/stripe-go/v76 v76.25.0

require (
	cloud.google.com/go/profiler v0.4.0
	cloud.google.com/go v0.112.0 // indirect
)

replace example.com/x => ../x
"""


def test_require_lines_and_blocks_are_modules_with_indirect_marked() -> None:
    outcome = go_mod.load([SourceFile("go.mod", TEXT.encode())])
    assert not outcome.errors
    assert [(r.attrs["name"], r.location.line, r.attrs["direct"]) for r in outcome.resources] == [
        ("github.com/stripe/stripe-go/v76", 5, True), ("cloud.google.com/go/profiler", 8, True),
        ("cloud.google.com/go", 9, False)]


def test_an_unclosed_block_is_an_error() -> None:
    outcome = go_mod.load([SourceFile("go.mod", b"module m\nrequire (\n\ta.b/c v1.0.0\n")])
    assert outcome.errors and not outcome.resources


def test_an_unknown_directive_is_an_error_with_its_line() -> None:
    outcome = go_mod.load([SourceFile("go.mod", b"module m\nrequires a.b/c v1.0.0\n")])
    assert [(e.line) for e in outcome.errors] == [2]
