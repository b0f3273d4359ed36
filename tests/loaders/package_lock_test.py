from __future__ import annotations

import json

from checker.loaders import package_lock
from checker.sources import SourceFile


def test_v3_lock_marks_root_dependencies_direct_and_the_rest_indirect() -> None:
    lock = {"lockfileVersion": 3, "packages": {
        "": {"dependencies": {"openai": "^4"}},
        "node_modules/openai": {"version": "4.52.0"},
        "node_modules/@sentry/node": {"version": "8.0.0"},
        "node_modules/openai/node_modules/@sentry/node": {"version": "7.0.0"},
    }}
    outcome = package_lock.load([SourceFile("package-lock.json", json.dumps(lock, indent=2).encode())])
    assert [(r.attrs["name"], r.attrs["direct"]) for r in outcome.resources] == [
        ("openai", True), ("@sentry/node", False)]
    assert outcome.resources[0].location.line == 9


def test_v1_lock_reads_nested_dependencies() -> None:
    lock = {"lockfileVersion": 1, "dependencies": {"stripe": {"version": "14.0.0", "dependencies": {
        "qs": {"version": "6.0.0"}}}}}
    outcome = package_lock.load([SourceFile("package-lock.json", json.dumps(lock).encode())])
    assert [(r.attrs["name"], r.attrs["direct"]) for r in outcome.resources] == [("stripe", True), ("qs", False)]
