"""The ``policyproof`` command: replay an unchanged scan if one was stored, else run the command line.

Kept apart from ``checker.cli`` so that a replayed scan imports neither click nor pydantic.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence


def run(argv: Sequence[str]) -> int:
    from checker import replay

    code = replay.replayed(argv)
    if code is None:
        replay.record(argv)
        from checker.cli import main

        code = main(argv)
        replay.finish(code)
    return code


def entry() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    entry()
