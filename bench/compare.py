"""Two versions of policyproof side by side: cold scans of the same tree, alternating.

    .venv/bin/python bench/compare.py OLD NEW [--pairs 20] [--tree DIR]

OLD and NEW are commits. Each is checked out in a worktree of its own with its bytecode compiled
(a checkout without it, where PYTHONDONTWRITEBYTECODE is set, compiles its modules on every run,
which would count against it), and both run with this checkout's environment, each with a fresh
cache. The medians and the median of the per-pair ratios NEW/OLD are printed: on a machine whose
speed drifts, the ratio of runs made moments apart is the steadier figure.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def checkout(commit: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(into), commit],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "checker"), str(into / "policy_spec")],
                   check=True, stdout=subprocess.DEVNULL)
    return into


def cold_scan(code: Path, tree: Path, work: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(code), "POLICYPROOF_CACHE_DIR": tempfile.mkdtemp(dir=work)}
    # -P: without it, `python -c` puts the working folder first on the path, and run from a checkout it
    # would import that checkout's code instead of PYTHONPATH's
    argv = [sys.executable, "-P", "-c", "from checker.__main__ import entry; entry()",
            "scan", str(tree), "--format", "json", "-o", str(work / "report.json")]
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=work, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--tree", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="policyproof-compare-") as scratch:
        work = Path(scratch)
        trees = [checkout(commit, work / f"v{index}") for index, commit in enumerate((args.old, args.new))]
        try:
            times: tuple[list[float], list[float]] = ([], [])
            for _ in range(args.pairs):
                for code, found in zip(trees, times):
                    found.append(cold_scan(code, args.tree, work))
        finally:
            for tree in trees:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                               check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name, found in zip((args.old, args.new), times):
        print(f"{name}: median {statistics.median(found):.3f} s, fastest {min(found):.3f} s")
    ratios = [new / old for old, new in zip(*times)]
    print(f"new/old, median of {args.pairs} pairs: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
