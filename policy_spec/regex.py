"""The regular expressions of rules and configuration: RE2 syntax, matched in time linear in the text.

Patterns come from rule files and configuration, and the text they are matched
against comes from the scanned files, which any pull request can change. A
backtracking engine such as Python's ``re`` takes exponential time on some
pairs (``(a+)+$`` against thirty ``a`` and a ``b`` runs for minutes), so a
hostile value could hang the gate. RE2 never backtracks; in exchange it has no
look-around and no back-references, and a pattern using them is rejected when
the rule or configuration is read, never at scan time.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

import re2


class Pattern(Protocol):
    def search(self, text: str) -> Any: ...


class RegexError(ValueError):
    """A pattern RE2 cannot compile: bad syntax, or a construct it does not support."""


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
"""Errors are raised to the caller, who names the rule file and key; RE2 would also print them to stderr."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Pattern:
    try:
        compiled: Pattern = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise RegexError(f"invalid regular expression (RE2 syntax): {text}") from None
    return compiled


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` is found anywhere in ``text`` (``re.search`` semantics, RE2 syntax)."""
    return compile_pattern(pattern).search(text) is not None
