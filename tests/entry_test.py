"""The console script's own behaviour around the command: its exit code and flushed output."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def unbuffered_unset() -> dict[str, str]:
    """The environment with output buffered, as in most shells, so that an unflushed write shows."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_the_command_exits_with_the_gate_code_after_the_whole_report(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "checker", "scan", "fixtures", "--no-cache", "--format", "json"],
                          cwd=ROOT, capture_output=True, check=False,
                          env={**unbuffered_unset(), "POLICYPROOF_CACHE_DIR": str(tmp_path)})

    assert done.returncode == 1
    assert done.stdout.rstrip().endswith(b"}") and b'"results"' in done.stdout


def test_output_that_cannot_be_delivered_is_an_error_exit() -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([sys.executable, "-c", "import sys\nfrom checker.__main__ import hard_exit\n"
                               "sys.stdout.buffer.write(b'report')\nhard_exit(0)"], cwd=ROOT, stdout=writer,
                              stderr=subprocess.DEVNULL, check=False, env=unbuffered_unset())
    finally:
        os.close(writer)

    assert done.returncode == 120
