from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.loaders import terraform
from checker.model import LoadOutcome
from checker.sources import SourceFile


def files(tree: dict[str, str]) -> list[SourceFile]:
    return [SourceFile(path, text.encode()) for path, text in tree.items()]


def folders(groups: list[list[SourceFile]]) -> list[list[str]]:
    return [sorted({f.path.rsplit("/", 1)[0] if "/" in f.path else "" for f in group}) for group in groups]


def test_folders_no_module_call_links_are_separate_groups() -> None:
    tree = files({"a/main.tf": 'resource "x" "y" {}\n', "b/main.tf": 'resource "x" "y" {}\n'})

    assert folders(terraform.partition(tree)) == [["a"], ["b"]]


def test_a_local_module_call_keeps_caller_and_module_together() -> None:
    tree = files({
        "examples/complete/main.tf": 'module "bucket" {\n  source = "../../"\n}\n',
        "main.tf": 'resource "aws_s3_bucket" "this" {}\n',
        "other/main.tf": 'resource "x" "y" {}\n',
    })

    assert folders(terraform.partition(tree)) == [["", "examples/complete"], ["other"]]


def test_calls_link_folders_transitively() -> None:
    tree = files({
        "live/prod/main.tf": 'module "app" {\n  source = "../../modules/app"\n}\n',
        "modules/app/main.tf": 'module "db" {\n  source = "../db"\n}\n',
        "modules/db/main.tf": 'resource "aws_db_instance" "d" {}\n',
    })

    assert folders(terraform.partition(tree)) == [["live/prod", "modules/app", "modules/db"]]


def test_a_registry_module_links_nothing() -> None:
    tree = files({
        "a/main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
        "b/main.tf": 'resource "x" "y" {}\n',
    })

    assert len(terraform.partition(tree)) == 2


def test_tfvars_stay_with_their_folder() -> None:
    tree = files({"a/main.tf": 'variable "v" {}\n', "a/prod.tfvars": 'v = 1\n', "b/main.tf": ""})

    assert [sorted(f.path for f in group) for group in terraform.partition(tree)] == [
        ["a/main.tf", "a/prod.tfvars"], ["b/main.tf"]]


def _summary(outcome: LoadOutcome) -> list[tuple[str, str, str, int]]:
    return sorted((r.scope, r.address, r.location.path, r.location.line) for r in outcome.resources)


_FOLDERS = ["", "a", "a/b", "c", "modules/m"]


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str]:
    tree: dict[str, str] = {}
    for folder in draw(st.lists(st.sampled_from(_FOLDERS), min_size=1, max_size=5, unique=True)):
        prefix = f"{folder}/" if folder else ""
        body = 'variable "n" {\n  default = "v"\n}\nresource "aws_s3_bucket" "b" {\n  bucket = var.n\n}\n'
        target = draw(st.sampled_from([None, *_FOLDERS]))
        if target is not None and target != folder:
            depth = folder.count("/") + 1 if folder else 0
            relative = "../" * depth + target if depth else f"./{target}"
            body += f'module "m" {{\n  source = "{relative.rstrip("/") or "."}"\n  n = "from-{folder or "root"}"\n}}\n'
        tree[f"{prefix}main.tf"] = body
    return tree


@settings(max_examples=60, deadline=None)
@given(trees())
def test_loading_the_groups_apart_gives_what_loading_everything_gives(tree: dict[str, str]) -> None:
    sources = files(tree)
    apart = LoadOutcome()
    for group in terraform.partition(sources):
        apart.extend(terraform.load(group))

    assert _summary(apart) == _summary(terraform.load(sources))


_SOURCE_PIECES = ['source', 'source = "', '"./m"', '"', './', '../m', ' ', '=', 'x', '_', '\n', 'é']
_SOURCE_TEXT = st.lists(st.sampled_from(_SOURCE_PIECES), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_SOURCE_TEXT)
def test_local_sources_are_found_as_after_a_word_boundary(text: str) -> None:
    data = text.encode()
    expected = [m.group(1) for m in re.finditer(rb'\bsource\s*=\s*"(\.\.?/[^"]*)"', data)]

    assert list(terraform._local_sources(data)) == expected


def test_a_source_inside_a_longer_name_is_not_a_module_call() -> None:
    tree = files({"a/main.tf": 'locals {\n  data_source = "../b"\n}\n', "b/main.tf": 'resource "x" "y" {}\n'})

    assert folders(terraform.partition(tree)) == [["a"], ["b"]]
