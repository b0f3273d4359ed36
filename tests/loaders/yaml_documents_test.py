from __future__ import annotations

from checker.loaders.yaml_documents import Document, load_documents
from checker.model import LoadError


def docs(text: str) -> list[Document]:
    result = load_documents(text, "x.yaml")
    assert not isinstance(result, LoadError), result
    return result


def test_every_document_of_a_stream_is_read_with_its_lines() -> None:
    first, second = docs("a: 1\n---\nkind: Ingress\nspec:\n  tls:\n    - hosts: [x]\n")
    assert first.value == {"a": 1} and second.value["spec"]["tls"][0]["hosts"] == ["x"]
    assert second.lines[("spec", "tls", 0)] == 6 and second.line == 3


def test_scalars_keep_yaml_types() -> None:
    (doc,) = docs("n: 90\nb: true\ns: '90'\nf: 1.5\nz: null\n")
    assert doc.value == {"n": 90, "b": True, "s": "90", "f": 1.5, "z": None}


def test_cloudformation_short_tags_become_long_form() -> None:
    (doc,) = docs("a: !Ref Bucket\nb: !GetAtt Key.Arn\nc: !Sub '${AWS::StackName}-x'\n")
    assert doc.value == {"a": {"Ref": "Bucket"}, "b": {"Fn::GetAtt": ["Key", "Arn"]}, "c": {"Fn::Sub": "${AWS::StackName}-x"}}


def test_merge_keys_are_expanded() -> None:
    (doc,) = docs("base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n")
    assert doc.value["item"] == {"x": 1, "y": 2}


def test_invalid_yaml_is_an_error_with_its_line() -> None:
    result = load_documents("a: 1\nb: [\n", "bad.yaml")
    assert isinstance(result, LoadError) and result.line >= 2


def test_an_alias_bomb_is_an_error_not_a_hang() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    result = load_documents(bomb, "bomb.yaml")
    assert isinstance(result, LoadError) and "too many" in result.message


def test_locations_are_rerooted_at_a_prefix() -> None:
    (doc,) = docs("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: 1\n")
    assert doc.locations("t.yaml", ("Resources", "B"))[("Properties", "X")].line == 5
