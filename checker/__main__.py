"""The ``policyproof`` command: replay an unchanged scan if one was stored, else run the command line.

Kept apart from ``checker.cli`` so that a replayed scan imports neither click nor pydantic.
"""
from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

EXIT_UNFLUSHED = 120
"""What Python itself exits with when standard output cannot be flushed at exit."""


def run(argv: Sequence[str], prefetching: bool = False) -> int:
    """The command's exit code; ``prefetching`` starts parsing on another core at once (see
    ``checker.prefetch``), which only a process that ends with the command may do."""
    from checker import replay

    code = replay.replayed(argv)
    if code is None:
        if prefetching:
            from checker import prefetch

            prefetch.start(argv)
        replay.record(argv)
        from checker.cli import main

        code = main(argv)
        replay.finish(code)
    return code


def entry() -> None:
    """The console script. The cyclic garbage collector is off for the command's short life: a scan
    allocates millions of objects and frees almost none (a scan of 720 Terraform files ran 499
    collections that found 1,167 objects to free), so collecting cost 8% of its time for nothing.
    pydantic's plugins, which instrument an application's validation, are not looked for unless
    ``PYDANTIC_DISABLE_PLUGINS`` says otherwise: looking reads every installed package's metadata."""
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    hard_exit(run(sys.argv[1:], prefetching=True))


def hard_exit(code: int) -> None:
    """Exit once the output is flushed, without freeing one by one the objects the command built,
    which takes longer than writing a report. Every file a command writes is closed by then, and
    no command leaves work to exit handlers."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            code = EXIT_UNFLUSHED
    os._exit(code)


if __name__ == "__main__":
    entry()
