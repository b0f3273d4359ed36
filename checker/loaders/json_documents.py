"""A JSON document as plain data plus the line of every value, like ``yaml_documents`` for YAML.

The standard library parses (and reports the line of a syntax error); a second,
linear pass over the same text records the line of every object key and list
item. That pass can trust the structure because the parse already accepted it,
so it only has to tell strings, punctuation and bare literals apart.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from checker.loaders.yaml_documents import Document
from checker.model import AttrPath, LoadError

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


@dataclass
class _Frame:
    path: AttrPath
    is_list: bool
    index: int = 0
    key: str = ""
    expecting_key: bool = True


def load_json(text: str, path: str) -> Document | LoadError:
    """The document, or an error naming the line the parser stopped at."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return LoadError(path, exc.lineno, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return LoadError(path, 1, "invalid JSON: nested too deeply")
    except ValueError as exc:
        return LoadError(path, 1, f"invalid JSON: {exc}")
    lines = value_lines(text)
    return Document(value, _first_line(text), text.count("\n", 0, len(text.rstrip())) + 1, lines)


def _first_line(text: str) -> int:
    stripped = text.lstrip()
    return text.count("\n", 0, len(text) - len(stripped)) + 1


def value_lines(text: str) -> dict[AttrPath, int]:
    """Line of each key and list item of valid JSON ``text``, keyed by its path."""
    lines: dict[AttrPath, int] = {}
    stack: list[_Frame] = []
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        line += text.count("\n", last, match.start())
        last = match.start()
        top = stack[-1] if stack else None
        if token in ("}", "]"):
            stack.pop()
            continue
        if token == ":":
            continue
        if token == ",":
            if top is not None:
                if top.is_list:
                    top.index += 1
                else:
                    top.expecting_key = True
            continue
        if top is not None and not top.is_list and top.expecting_key:
            top.key = json.loads(token)
            top.expecting_key = False
            lines[top.path + (top.key,)] = line
            continue
        here: AttrPath = ()
        if top is not None and top.is_list:
            here = top.path + (top.index,)
            lines[here] = line
        elif top is not None:
            here = top.path + (top.key,)
        if token in ("{", "["):
            stack.append(_Frame(here, is_list=token == "["))
    return lines

