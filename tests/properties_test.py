"""Properties of whole scans on generated trees: results depend on the files' contents, never on the order
they were written in or the names of unrelated folders, and folders with nothing relating them scan the same
apart as together."""
from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.scan import rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import Report, Result

CONFIG = Config()
RULES = rule_set(CONFIG)

TEMPLATES: dict[str, dict[str, str]] = {
    "plain-bucket": {"s3_{n}.tf": 'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "acme-{n}"\n}}\n'},
    "bucket-encrypted-elsewhere": {
        "bucket_{n}.tf": 'resource "aws_s3_bucket" "e{n}" {{\n  bucket = "acme-e{n}"\n}}\n',
        "sse_{n}.tf": ('resource "aws_s3_bucket_server_side_encryption_configuration" "e{n}" {{\n'
                       "  bucket = aws_s3_bucket.e{n}.id\n  rule {{\n    apply_server_side_encryption_by_default {{\n"
                       '      sse_algorithm = "aws:kms"\n    }}\n  }}\n}}\n'),
    },
    "database-from-variable": {
        "db_{n}.tf": ('resource "aws_db_instance" "d{n}" {{\n  engine = "postgres"\n'
                      "  storage_encrypted = var.encrypt_{n}\n  backup_retention_period = 7\n}}\n"),
        "variables_{n}.tf": 'variable "encrypt_{n}" {{\n  type = bool\n  default = {flag}\n}}\n',
    },
    "database-undetermined": {
        "undetermined_{n}.tf": ('resource "aws_db_instance" "u{n}" {{\n  engine = "postgres"\n'
                                "  storage_encrypted = var.never_declared_{n}\n}}\n"),
    },
    "broken-hcl": {"broken_{n}.tf": 'resource "aws_s3_bucket" "x{n}" {{\n  bucket = = "x"\n}}\n'},
    "ingress": {"ingress_{n}.yaml": (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web-{n}\n  annotations:\n"
        "    nginx.ingress.kubernetes.io/ssl-redirect: '{flag}'\nspec:\n  rules:\n    - host: shop{n}.example.com\n")},
    "connection": {".env": "DATABASE_URL=postgresql://app@db{n}.acme-prod.com/app?sslmode={mode}\n"},
}

items = st.tuples(st.sampled_from(sorted(TEMPLATES)), st.booleans())
folders = st.lists(st.lists(items, min_size=1, max_size=3), min_size=1, max_size=4)


def files_of(folder: list[tuple[str, bool]]) -> dict[str, str]:
    files: dict[str, str] = {}
    for n, (template, flag) in enumerate(folder):
        for name, text in TEMPLATES[template].items():
            fields = {"n": n, "flag": str(flag).lower(), "mode": "require" if flag else "disable"}
            files[name.format(**fields)] = files.get(name.format(**fields), "") + text.format(**fields)
    return files


def write(root: Path, tree: dict[str, dict[str, str]], order: list[tuple[str, str]]) -> None:
    for folder, name in order:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(tree[folder][name])


def canonical(result: Result, renames: dict[str, str]) -> str:
    text = result.model_dump_json()
    for name, canon in renames.items():
        text = text.replace(name, canon)
    return text


def comparable(report: Report, renames: dict[str, str]) -> Counter[str]:
    return Counter(canonical(r, renames) for r in report.results)


def entries(tree: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    return [(folder, name) for folder, files in tree.items() for name in files]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(folders, st.randoms(use_true_random=False))
def test_file_order_and_unrelated_folder_names_do_not_change_the_results(layout: list[list[tuple[str, bool]]],
                                                                        rnd: Any) -> None:
    contents = [files_of(folder) for folder in layout]
    first = {f"module{i}": files for i, files in enumerate(contents)}
    names = [f"zz{number:06d}q" for number in rnd.sample(range(1_000_000), len(contents))]
    second = {name: files for name, files in zip(names, contents)}
    order = entries(second)
    rnd.shuffle(order)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        write(Path(a), first, entries(first))
        write(Path(b), second, order)
        one, two = scan([Path(a)], CONFIG, RULES), scan([Path(b)], CONFIG, RULES)
    renames = {name: f"module{i}" for i, name in enumerate(names)}
    assert one.results and comparable(one, {}) == comparable(two, renames)
    assert one.commitments == two.commitments
    assert sorted(i.sha256 for i in one.inputs) == sorted(i.sha256 for i in two.inputs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(folders)
def test_a_tree_scans_as_the_union_of_its_unrelated_folders(layout: list[list[tuple[str, bool]]]) -> None:
    tree = {f"module{i}": files_of(folder) for i, folder in enumerate(layout)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, tree, entries(tree))
        whole = Counter(r.model_dump_json() for r in scan([root], CONFIG, RULES).results)
        parts: Counter[str] = Counter()
        for folder in tree:
            for result in scan([root / folder], CONFIG, RULES).results:
                parts[json.dumps(prefixed(json.loads(result.model_dump_json()), folder))] += 1
    assert Counter(json.dumps(json.loads(r)) for r in whole.elements()) == parts


def prefixed(value: Any, folder: str) -> Any:
    """A part's result as the whole scan reports it: every path under the part's folder."""
    if isinstance(value, dict):
        return {k: f"{folder}/{v}" if k == "path" and isinstance(v, str) else prefixed(v, folder)
                for k, v in value.items()}
    if isinstance(value, list):
        return [prefixed(v, folder) for v in value]
    return value
