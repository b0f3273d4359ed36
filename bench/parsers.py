"""Parse speed and correctness of HCL2 parsers on the same files, one process.

    .venv/bin/pip install python-hcl2      # optional, for the comparison
    .venv/bin/python bench/parsers.py ../shared/corpus

Prints files, bytes, seconds, MB/s and how many files each parser rejected.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path


def corpus(root: Path) -> list[tuple[Path, bytes]]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".tf", ".tfvars"))
    return [(p, p.read_bytes()) for p in files]


def tree_sitter_parse() -> Callable[[bytes], bool]:
    from checker.loaders.hcl import parse

    return lambda data: not parse(data)[1]


def python_hcl2_parse() -> Callable[[bytes], bool] | None:
    try:
        import hcl2  # type: ignore[import-not-found]

        hcl2.loads("x = 1\n")
    except Exception:
        return None

    def parse(data: bytes) -> bool:
        try:
            hcl2.loads(data.decode("utf-8"))
            return True
        except Exception:
            return False

    return parse


def measure(name: str, parse: Callable[[bytes], bool], files: list[tuple[Path, bytes]]) -> None:
    size = sum(len(d) for _, d in files)
    start = time.perf_counter()
    rejected = sum(not parse(data) for _, data in files)
    seconds = time.perf_counter() - start
    print(f"{name:<28} {len(files)} files {size / 1e6:.2f} MB {seconds:6.2f} s "
          f"{size / 1e6 / seconds:6.1f} MB/s  rejected {rejected}")


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
    files = corpus(root)
    measure("tree-sitter-hcl (+ to model)", tree_sitter_parse(), files)
    hcl2 = python_hcl2_parse()
    if hcl2 is None:
        print("python-hcl2 not installed: pip install python-hcl2")
    else:
        measure("python-hcl2", hcl2, files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
