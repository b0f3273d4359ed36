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
    assert root.attributes["x"].expr.args == ("a\\nb\n",)


def _parts_of_x(source: bytes) -> list[object]:
    """The parts of attribute ``x``'s template: text as it is, interpolations as their arguments."""
    root, _ = parse(source)
    return [p if isinstance(p, str) else p.args for p in root.attributes["x"].expr.args]


def test_spaces_at_the_ends_of_a_string_are_kept() -> None:
    root, _ = parse(b'x = " a b "\n')
    assert root.attributes["x"].expr.args == (" a b ",)


def test_text_between_interpolations_keeps_its_spaces() -> None:
    assert _parts_of_x(b'x = "${a} ${b} c"\n') == [("a",), " ", ("b",), " c"]


def test_heredoc_keeps_its_indentation_and_line_breaks() -> None:
    assert _parts_of_x(b"x = <<EOT\n  a ${b}\n    c\nEOT\n") == ["  a ", ("b",), "\n    c\n"]


def test_flush_heredoc_loses_the_least_indentation_ignoring_blank_lines() -> None:
    root, _ = parse(b"x = <<-EOT\n    a\n\n      b\n  EOT\n")
    assert root.attributes["x"].expr.args == ("a\n\n  b\n",)


def test_flush_heredoc_line_starting_with_an_interpolation_has_no_indentation() -> None:
    assert _parts_of_x(b"x = <<-EOT\n${a}\n    b\n  EOT\n") == [("a",), "\n    b\n"]


def test_doubled_template_introducers_are_literal() -> None:
    root, _ = parse(b'x = "$${a} %%{b}"\n')
    assert root.attributes["x"].expr.args == ("${a} %{b}",)


def test_strip_markers_trim_the_spaces_beside_an_interpolation() -> None:
    assert _parts_of_x(b'x = "a ${~ b ~} c"\n') == ["a", ("b",), "c"]


def test_block_labels_keep_their_spaces() -> None:
    root, _ = parse(b'resource "a" " b " {\n}\n')
    assert root.blocks[0].labels == ["a", " b "]


def test_bool_literals_become_booleans() -> None:
    root, _ = parse(b"x = true\ny = false\n")
    assert (root.attributes["x"].expr.args, root.attributes["y"].expr.args) == ((True,), (False,))


def test_escaped_interpolation_markers_are_literal_text() -> None:
    root, _ = parse(b'x = "$${a} %%{b}"\n')
    assert (root.attributes["x"].expr.kind, root.attributes["x"].expr.args) == ("literal", ("${a} %{b}",))


def test_a_traversal_reads_the_same_names_with_spaces_or_comments_after_a_dot() -> None:
    root, _ = parse(b"a = var.x.y\nb = var. x .y\nc = var./* c */x.y\n")
    assert {name: attribute.expr.args for name, attribute in root.attributes.items()} == {
        "a": ("var", "x", "y"), "b": ("var", "x", "y"), "c": ("var", "x", "y")}
