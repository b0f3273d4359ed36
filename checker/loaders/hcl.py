"""HCL2 syntax: tree-sitter's concrete tree turned into blocks, attributes and expressions.

tree-sitter (with the tree-sitter-hcl grammar) was chosen by measurement
(`bench/parsers.py`): it read the 720 `.tf`/`.tfvars` files of the reference
corpus (2.1 MB) into this module's model in 0.62 s with no error nodes, where
python-hcl2 took 8.2 s. It also keeps a line for every attribute, which lets a
finding point at the line to change.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
import tree_sitter_hcl


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


@dataclass(slots=True, unsafe_hash=True)  # not frozen, for speed: see checker.model
class Expr:
    """One HCL expression: ``kind`` says which, ``args`` holds its parts; its source text on demand."""

    kind: str
    args: tuple[Any, ...]
    node: tuple[bytes, int, int] | None
    """The file's bytes and the expression's byte span, so the file's tree can be freed."""
    line: int

    @property
    def text(self) -> str:
        if self.node is None:
            return ""
        source, start, end = self.node
        return bytes(source[start:end]).decode("utf-8", "replace")


@dataclass(slots=True, unsafe_hash=True)
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    line: int = 1
    end_line: int = 1


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    line: int
    message: str


_source: bytes = b""
"""The file being converted, which expressions keep a span of."""


def parse(source: bytes, skip: frozenset[str] = frozenset()) -> tuple[Block, list[SyntaxProblem]]:
    """Parse a whole file into a root block (type ``""``) plus any syntax problems. Top-level blocks
    of a type in ``skip`` keep their type, labels and lines but not their contents, which the caller
    never reads (Terraform's ``output`` blocks, say): converting them would be wasted work."""
    global _source
    _source = source
    tree = _parser().parse(source)
    root = tree.root_node
    problems = _syntax_problems(root) if root.has_error else []
    top = Block(type="", labels=[], line=1, end_line=root.end_point[0] + 1)
    body = next((c for c in root.named_children if c.type == "body"), None)
    if body is not None:
        try:
            _fill_body(top, body, skip)
        except RecursionError:
            return Block(type="", labels=[]), [SyntaxProblem(1, "nested too deeply to read")]
    return top, problems


def _syntax_problems(root: tree_sitter.Node) -> list[SyntaxProblem]:
    found: list[SyntaxProblem] = []
    stack = [root]
    while stack and len(found) < 5:
        node = stack.pop()
        if node.is_missing:
            found.append(SyntaxProblem(node.start_point[0] + 1, f"missing `{node.type}`"))
        elif node.type == "ERROR":
            snippet = _text(node).splitlines()[0][:60] if node.text else ""
            found.append(SyntaxProblem(node.start_point[0] + 1, f"syntax error near `{snippet}`"))
        elif node.has_error:
            stack.extend(reversed(node.children))
    return sorted(found, key=lambda p: p.line) or [SyntaxProblem(root.start_point[0] + 1, "syntax error")]


# The conversion below reads each node's properties once and slices the file's bytes for text:
# every property access on a tree-sitter node builds a new Python object, and the conversion
# otherwise costs more than the parse itself.


_IDENTIFIER_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_") | frozenset(range(0x80, 0x100))


def _text(node: tree_sitter.Node) -> str:
    return _source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _span(node: tree_sitter.Node) -> tuple[bytes, int, int]:
    return (_source, node.start_byte, node.end_byte)


def _fill_body(block: Block, body: tree_sitter.Node, skip: frozenset[str] = frozenset()) -> None:
    attributes = block.attributes
    for child in body.named_children:
        kind = child.type
        if kind == "attribute":
            named = child.named_children
            name = _text(named[0])
            attributes[name] = Attribute(name, to_expr(named[-1]), child.start_point[0] + 1)
        elif kind == "block":
            block.blocks.append(_to_block(child, skip))


def _to_block(node: tree_sitter.Node, skip: frozenset[str] = frozenset()) -> Block:
    children = node.named_children
    labels: list[str] = []
    body = None
    for index, child in enumerate(children):
        kind = child.type
        if kind == "body":
            if body is None:
                body = child
        elif index and (kind == "string_lit" or kind == "identifier"):
            labels.append(_text(child) if kind == "identifier" else _string_literal(child))
    block = Block(
        type=_text(children[0]),
        labels=labels,
        line=node.start_point[0] + 1,
        end_line=node.end_point[0] + 1,
    )
    if body is not None and block.type not in skip:
        _fill_body(block, body)
    return block


def _string_literal(node: tree_sitter.Node) -> str:
    return _template_text(node.start_byte + 1, node.end_byte - 1, False, False)


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        result = json.loads('"' + raw.replace('"', '\\"').replace('\\\\"', '\\"') + '"')
        return result if isinstance(result, str) else raw
    except ValueError:
        return raw


def to_expr(node: tree_sitter.Node) -> Expr:
    """Convert an expression node; anything not modelled becomes kind ``unsupported``."""
    kind = node.type
    while kind == "expression":
        named = node.named_children
        if len(named) != 1:
            return _expression(node, named, node.start_point[0] + 1)
        node = named[0]
        kind = node.type
    line = node.start_point[0] + 1
    if kind == "literal_value":
        return _literal(node.named_children[0], line)
    if kind == "template_expr" or kind == "quoted_template" or kind == "heredoc_template" or kind == "string_lit":
        return _template(node, line)
    if kind == "variable_expr":  # nothing but its identifier
        return Expr("traversal", (_text(node),), _span(node), line)
    named = node.named_children
    if kind == "collection_value":
        return to_expr(named[0])
    if kind == "tuple":
        return Expr("tuple", tuple([to_expr(c) for c in named if c.type == "expression"]), _span(node), line)
    if kind == "object":
        pairs = []
        for elem in named:
            if elem.type == "object_elem":
                key_node, value_node = [c for c in elem.named_children if c.type == "expression"][:2]
                pairs.append((_object_key(key_node), to_expr(value_node)))
        return Expr("object", tuple(pairs), _span(node), line)
    if kind == "function_call":
        name = _text(named[0])
        arguments = next((c for c in named if c.type == "function_arguments"), None)
        args = tuple([to_expr(c) for c in arguments.named_children if c.type == "expression"]) if arguments else ()
        return Expr("call", (name, args), _span(node), line)
    if kind == "conditional":
        parts = [to_expr(c) for c in named if c.type == "expression"]
        return Expr("conditional", tuple(parts), _span(node), line)
    if kind == "operation":
        return to_expr(named[0])
    if kind == "binary_operation":
        children = node.children
        split = next(i for i, c in enumerate(children) if not c.is_named and c.type not in ("(", ")"))
        op = _text(children[split])
        left = _operand(node, [c for c in children[:split] if c.is_named], line)
        right = _operand(node, [c for c in children[split + 1 :] if c.is_named], line)
        return Expr("binary", (op, left, right), _span(node), line)
    if kind == "unary_operation":
        children = node.children
        op = _text(children[0])
        return Expr("unary", (op, _operand(node, [c for c in children[1:] if c.is_named], line)), _span(node), line)
    if kind == "for_expr":
        return _for(named[0], line)
    return Expr("unsupported", (kind,), _span(node), line)


def _operand(parent: tree_sitter.Node, parts: list[tree_sitter.Node], line: int) -> Expr:
    """An operator's operand, which the grammar leaves as loose parts (``var`` ``.x``) when it is a traversal."""
    if len(parts) == 1:
        return to_expr(parts[0])
    return _expression(parent, parts, line)


def _expression(node: tree_sitter.Node, named: list[tree_sitter.Node], line: int) -> Expr:
    if not named:
        return Expr("unsupported", ("empty",), _span(node), line)
    if len(named) == 1:
        return to_expr(named[0])
    head = named[0]
    if head.type == "variable_expr":
        steps: list[Any] = [_text(head)]
        base: Expr | None = None
    else:
        steps = []
        base = to_expr(head)
    source = _source
    for index in range(1, len(named)):
        step = named[index]
        kind = step.type
        if kind == "get_attr":
            start = step.start_byte + 1
            if source[start] in _IDENTIFIER_START:  # the name follows the dot at once: it is the rest
                steps.append(source[start : step.end_byte].decode("utf-8", "replace"))
            else:
                steps.append(_text(step.named_children[-1]))
        elif kind == "index":
            inner = step.named_children[0]
            if inner.type == "legacy_index":
                steps.append(int(_text(inner).lstrip(".")))
            else:
                steps.append(to_expr(inner.named_children[0]))
        elif kind == "splat":
            steps.append(("splat", _text(step)))
        else:
            return Expr("unsupported", (kind,), _span(node), line)
    if base is None:
        return Expr("traversal", tuple(steps), _span(node), line)
    return Expr("apply", (base, tuple(steps)), _span(node), line)


def _literal(node: tree_sitter.Node, line: int) -> Expr:
    kind = node.type
    if kind == "numeric_lit":
        raw = _text(node)
        try:
            number: int | float = int(raw) if raw.isdigit() else float(raw)
        except ValueError:
            return Expr("unsupported", ("number",), _span(node), line)
        if isinstance(number, float) and number.is_integer() and "e" not in raw.lower():
            number = int(number)
        return Expr("literal", (number,), _span(node), line)
    if kind == "bool_lit":
        return Expr("literal", (_text(node) == "true",), _span(node), line)
    if kind == "null_lit":
        return Expr("literal", (None,), _span(node), line)
    if kind == "string_lit":
        return _template(node, line)
    return Expr("unsupported", (kind,), _span(node), line)


def _template(node: tree_sitter.Node, line: int) -> Expr:
    """A string or heredoc. Its literal text is read from the file between the interpolations:
    the grammar's literal nodes leave out the spaces at either end of each piece (and a heredoc's
    line breaks), which are part of the value."""
    kind = node.type
    if kind == "string_lit" or kind == "quoted_template":
        start, end = node.start_byte, node.end_byte
        if _source.find(b"${", start, end) < 0 and _source.find(b"%{", start, end) < 0:
            text = _source[start + 1 : end - 1].decode("utf-8", "replace")
            return Expr("literal", (_unescape(text),), (_source, start, end), line)
    outer = node
    while node.type == "template_expr":
        node = node.named_children[0]
    children = node.named_children
    if node.type == "heredoc_template":
        span = _heredoc_span(node, children)
        if span is None:
            return Expr("unsupported", ("heredoc",), _span(outer), line)
        start, end = span
        heredoc = True
    else:  # a quoted template or string literal: the text between the quotes
        start, end = node.start_byte + 1, node.end_byte - 1
        heredoc = False
    parts: list[Any] = []
    strip_next = False
    cursor = start
    for child in children:
        kind = child.type
        if kind == "template_directive":
            return Expr("unsupported", ("template directive",), _span(outer), line)
        if kind != "template_interpolation":
            continue
        child_start, child_end = child.start_byte, child.end_byte
        if child_start > cursor:
            parts.append(_template_text(cursor, child_start, heredoc, strip_next))
        if _source.startswith(b"${~", child_start) and parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip()
        expression = next((c for c in child.named_children if c.type == "expression"), None)
        parts.append(to_expr(expression) if expression is not None else "")
        strip_next = _source[child_end - 2 : child_end] == b"~}"
        cursor = child_end
    if end > cursor:
        parts.append(_template_text(cursor, end, heredoc, strip_next))
    if heredoc and _source.startswith(b"<<-", node.start_byte):
        parts = _flush(parts)
    parts = [part for part in parts if not isinstance(part, str) or part]
    if not parts:
        return Expr("literal", ("",), _span(outer), line)
    if len(parts) == 1 and isinstance(parts[0], str):
        return Expr("literal", (parts[0],), _span(outer), line)
    return Expr("template", tuple(parts), _span(outer), line)


def _template_text(start: int, end: int, heredoc: bool, strip: bool) -> str:
    raw = _source[start:end].decode("utf-8", "replace")
    text = raw if heredoc else _unescape(raw)
    if "$${" in text or "%%{" in text:
        text = text.replace("$${", "${").replace("%%{", "%{")
    return text.lstrip() if strip else text


def _heredoc_span(node: tree_sitter.Node, children: list[tree_sitter.Node]) -> tuple[int, int] | None:
    """The heredoc's content: the lines after the opening marker's, up to the closing marker's
    line, with the last line break (which is part of the value)."""
    markers = [c for c in children if c.type == "heredoc_identifier"]
    if len(markers) < 2:
        return None
    start = _source.find(b"\n", markers[0].end_byte, node.end_byte) + 1
    if start == 0:
        return None
    end = _source.rfind(b"\n", start, markers[-1].start_byte) + 1
    return start, max(start, end)


def _flush(parts: list[Any]) -> list[Any]:
    """A ``<<-`` heredoc: every line loses the indentation of its least indented line. Lines of
    only spaces do not count; a line that begins with an interpolation has none."""
    starts: list[tuple[int, int]] = []
    least: int | None = None
    fresh = True
    for index, part in enumerate(parts):
        if not isinstance(part, str):
            least = 0 if fresh else least
            fresh = False
            continue
        offsets = ([0] if fresh else []) + [i + 1 for i, c in enumerate(part) if c == "\n" and i + 1 < len(part)]
        for offset in offsets:
            newline = part.find("\n", offset)
            line = part[offset:] if newline < 0 else part[offset:newline]
            indent = len(line) - len(line.lstrip())
            if indent == len(line) and newline >= 0:
                continue
            starts.append((index, offset))
            least = indent if least is None else min(least, indent)
        fresh = part.endswith("\n")
    if not least:
        return parts
    flushed = list(parts)
    for index, offset in reversed(starts):
        text = flushed[index]
        flushed[index] = text[:offset] + text[offset + least :]
    return flushed


def _object_key(node: tree_sitter.Node) -> Expr:
    named = node.named_children
    if len(named) == 1:
        only = named[0]
        if only.type == "variable_expr":
            return Expr("literal", (_text(only),), _span(node), node.start_point[0] + 1)
        return to_expr(only)
    return _expression(node, named, node.start_point[0] + 1)


def _for(node: tree_sitter.Node, line: int) -> Expr:
    named = node.named_children
    intro = next(c for c in named if c.type == "for_intro")
    intro_named = intro.named_children
    names = [_text(c) for c in intro_named if c.type == "identifier"]
    collection = to_expr(next(c for c in intro_named if c.type == "expression"))
    body = [c for c in named if c.type == "expression"]
    condition_node = next((c for c in named if c.type == "for_cond"), None)
    condition = to_expr(condition_node.named_children[0]) if condition_node else None
    grouping = any(not c.is_named and _text(c) == "..." for c in node.children)
    if node.type == "for_object_expr":
        key, value = to_expr(body[0]), to_expr(body[1])
        return Expr("for_object", (names, collection, key, value, condition, grouping), _span(node), line)
    return Expr("for_tuple", (names, collection, to_expr(body[0]), condition), _span(node), line)
