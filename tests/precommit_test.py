"""The hook as users get it: real pre-commit, installing this repository through `repo:`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(os.environ.get("POLICYPROOF_WHEELHOUSE", ROOT / ".ci" / "wheelhouse"))
ENCRYPTED = ('resource "aws_s3_bucket" "docs" {\n  bucket = "acme-docs"\n}\n')
ENCRYPTION = ('resource "aws_s3_bucket_server_side_encryption_configuration" "docs" {\n'
              '  bucket = aws_s3_bucket.docs.id\n  rule {\n    apply_server_side_encryption_by_default {\n'
              '      sse_algorithm = "AES256"\n    }\n  }\n}\n')

pytestmark = pytest.mark.skipif(
    not WHEELHOUSE.is_dir() or shutil.which("git") is None,
    reason="needs git and the offline wheelhouse that .ci/run prepares (pip wheel -w .ci/wheelhouse .)",
)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    work = tmp_path_factory.mktemp("project")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
           "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE), "GIT_AUTHOR_NAME": "Dev",
           "GIT_AUTHOR_EMAIL": "dev@acme.test", "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@acme.test"}
    run(["git", "init", "-q", "-b", "main"], work, env)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head.stdout.strip()}\n    hooks:\n      - id: policyproof\n")
    run(["git", "add", ".pre-commit-config.yaml"], work, env)
    run(["git", "commit", "-q", "--no-verify", "-m", "pre-commit"], work, env)
    installed = run([sys.executable, "-m", "pre_commit", "install"], work, env)
    assert installed.returncode == 0, installed.stderr
    return work, env


def test_a_clean_commit_passes_and_sees_the_encryption_in_another_file(repo: tuple[Path, dict[str, str]]) -> None:
    work, env = repo
    (work / "infra").mkdir()
    (work / "infra" / "encryption.tf").write_text(ENCRYPTION)
    run(["git", "add", "infra/encryption.tf"], work, env)
    run(["git", "commit", "-q", "--no-verify", "-m", "encryption"], work, env)
    (work / "infra" / "bucket.tf").write_text(ENCRYPTED)
    run(["git", "add", "infra/bucket.tf"], work, env)
    commit = run(["git", "commit", "-m", "bucket"], work, env)
    assert commit.returncode == 0, commit.stdout + commit.stderr


def test_a_commit_adding_a_violation_is_blocked_with_file_and_line(repo: tuple[Path, dict[str, str]]) -> None:
    work, env = repo
    (work / "infra").mkdir(exist_ok=True)
    (work / "infra" / "exports.tf").write_text('\nresource "aws_s3_bucket" "exports" {}\n')
    run(["git", "add", "infra/exports.tf"], work, env)
    commit = run(["git", "commit", "-m", "exports"], work, env)
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0
    assert "infra/exports.tf:2" in output and "PP-ENC-001" in output
