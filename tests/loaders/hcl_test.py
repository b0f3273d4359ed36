from __future__ import annotations

from checker.loaders.hcl import parse


def test_blocks_keep_type_labels_and_lines() -> None:
    root, _ = parse(b'\nresource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    block = root.blocks[0]
    assert (block.type, block.labels, block.line, block.end_line) == ("resource", ["aws_s3_bucket", "b"], 2, 4)


def test_attributes_keep_their_own_line() -> None:
    root, _ = parse(b'resource "a" "b" {\n\n  x = 1\n}\n')
    assert root.blocks[0].attributes["x"].line == 3


def test_syntax_errors_are_reported_with_their_line() -> None:
    _, problems = parse(b'resource "a" "b" {\n  x = 1\n  y = = 2\n}\n')
    assert problems and problems[0].line == 3


def test_empty_input_has_no_blocks_and_no_problems() -> None:
    root, problems = parse(b"")
    assert (root.blocks, problems) == ([], [])


def test_escapes_in_strings_are_decoded() -> None:
    root, _ = parse(b'x = "a\\"b"\n')
    assert root.attributes["x"].expr.args == ('a"b',)


def test_expression_text_is_its_own_source_span() -> None:
    root, _ = parse(b'x = upper( "a" )\n')
    call = root.attributes["x"].expr
    assert (call.text, call.args[1][0].text) == ('upper( "a" )', '"a"')


def test_heredoc_text_is_kept_without_unescaping() -> None:
    root, _ = parse(b"x = <<EOT\na\\nb\nEOT\n")
    assert root.attributes["x"].expr.args == ("a\\nb",)


def test_bool_literals_become_booleans() -> None:
    root, _ = parse(b"x = true\ny = false\n")
    assert (root.attributes["x"].expr.args, root.attributes["y"].expr.args) == ((True,), (False,))
