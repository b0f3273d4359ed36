from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from checker.loaders.json_documents import load_json, value_lines
from checker.model import LoadError


def test_keys_and_items_are_located_on_their_lines() -> None:
    text = '{\n  "a": {"b": [1,\n    {"c": "x\\"y}"}]},\n  "d": []\n}\n'
    document = load_json(text, "t.json")
    assert not isinstance(document, LoadError)
    assert document.value == {"a": {"b": [1, {"c": 'x"y}'}]}, "d": []}
    assert document.lines == {("a",): 2, ("a", "b"): 2, ("a", "b", 0): 2, ("a", "b", 1): 3,
                              ("a", "b", 1, "c"): 3, ("d",): 4}


def test_invalid_json_is_an_error_at_the_line_it_stops() -> None:
    result = load_json('{\n  "a": 1,\n  "b": \n}\n', "bad.json")
    assert isinstance(result, LoadError)
    assert (result.path, result.line) == ("bad.json", 4)


def test_escaped_keys_are_decoded() -> None:
    assert value_lines('{"a\\u0062": {"\\"q": 1}}') == {("ab",): 1, ("ab", '"q'): 1}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


@given(_JSON)
def test_every_key_path_of_any_document_gets_a_line(value: object) -> None:
    text = json.dumps(value, indent=1)
    lines = value_lines(text)
    for path in _paths(value, ()):
        assert path in lines
        assert 1 <= lines[path] <= text.count("\n") + 1


def _paths(value: object, at: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in [at + (k,), *_paths(v, at + (k,))]]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in [at + (i,), *_paths(v, at + (i,))]]
    return []
