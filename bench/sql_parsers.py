"""Statements per second of the libpg_query bindings on a folder of SQL files.

Usage: python bench/sql_parsers.py CORPUS_DIR  (pglast is measured when it is installed)
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import postgast


def measure(name: str, texts: list[str], parse: Callable[[str], int], rounds: int = 50) -> None:
    started = time.perf_counter()
    count = 0
    for _ in range(rounds):
        for text in texts:
            count += parse(text)
    elapsed = time.perf_counter() - started
    print(f"{name}: {count // rounds} statements, {count / elapsed:,.0f} statements/s")


def main(root: Path) -> None:
    texts, rejected = [], []
    for path in sorted(root.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        try:
            postgast.parse(text)
            texts.append(text)
        except postgast.PgQueryError as exc:
            rejected.append(f"{path}: {exc}")
    print(f"{len(texts)} files parse, {len(rejected)} rejected", *rejected, sep="\n  ")
    measure("postgast parse", texts, lambda t: len(postgast.parse(t).stmts))
    try:
        import pglast
    except ImportError:
        print("pglast: not installed")
        return
    measure("pglast parse_sql", texts, lambda t: len(pglast.parse_sql(t)))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
