from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.bundle import FILE_NAMES, MANIFEST
from checker.cli import main
from checker.reporters import REPORTERS

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def _bundle(tmp_path: Path, name: str) -> dict[str, bytes]:
    out = tmp_path / name
    main(["report", str(tmp_path / "demo"), "--out", str(out)])
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture
def demo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DEMO, tmp_path / "demo")
    (tmp_path / "demo" / "audit.pdf").write_bytes(b"%PDF-1.7 pentest report")
    (tmp_path / "demo" / "attestations.yaml").write_text(
        "attestations:\n  - {commitment: security-audits, by: Dana (CISO), date: 2024-11-01,\n"
        "     statement: annual penetration test, evidence: [audit.pdf], valid_for_days: 365}\n")
    (tmp_path / "demo" / ".policyproof.yaml").write_text("attestations: [attestations.yaml]\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    return tmp_path


def test_two_runs_with_the_same_source_date_epoch_are_byte_identical(demo_copy: Path) -> None:
    assert _bundle(demo_copy, "one") == _bundle(demo_copy, "two")


def test_the_bundle_holds_every_format_and_a_manifest(demo_copy: Path) -> None:
    files = _bundle(demo_copy, "out")
    assert set(files) == {FILE_NAMES[fmt] for fmt in REPORTERS} | {MANIFEST}


def test_the_manifest_pins_every_output_and_input(demo_copy: Path) -> None:
    files = _bundle(demo_copy, "out")
    manifest = json.loads(files[MANIFEST])
    assert {o["path"]: o["sha256"] for o in manifest["outputs"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items() if name != MANIFEST}
    roles = {i["role"] for i in manifest["inputs"]}
    assert roles == {"scanned", "config", "policy", "rule", "attestations", "attestation-evidence"}
    scanned = {i["path"]: i["sha256"] for i in manifest["inputs"] if i["role"] == "scanned"}
    storage = (demo_copy / "demo" / "infra" / "storage.tf").read_bytes()
    assert scanned["infra/storage.tf"] == hashlib.sha256(storage).hexdigest()
    evidence = next(i for i in manifest["inputs"] if i["role"] == "attestation-evidence")
    assert evidence == {"path": "audit.pdf", "role": "attestation-evidence",
                        "sha256": hashlib.sha256(b"%PDF-1.7 pentest report").hexdigest()}


def test_the_manifest_time_comes_from_source_date_epoch(demo_copy: Path) -> None:
    manifest = json.loads(_bundle(demo_copy, "out")[MANIFEST])
    assert manifest["generated_at"] == "2025-01-01T00:00:00Z"
    assert manifest["tool"]["name"] == "policyproof" and len(manifest["rules"]["version"]) == 16
    assert manifest["git"] is None


def test_the_attestation_is_judged_on_the_report_day(demo_copy: Path) -> None:
    evidence = json.loads(_bundle(demo_copy, "out")["evidence.json"])
    audits = next(c for c in evidence["commitments"] if c["id"] == "security-audits")
    assert audits["status"] == "attested" and evidence["attestations"][0]["state"] == "valid"


def test_the_git_commit_is_recorded_inside_a_repository(demo_copy: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    repo = demo_copy / "demo"
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(demo_copy), "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run([git, "-C", str(repo), *args], check=True, env=env)
    head = subprocess.run([git, "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    manifest = json.loads(_bundle(demo_copy, "out")[MANIFEST])
    assert manifest["git"] == {"commit": head, "dirty": False}
