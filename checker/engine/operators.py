"""The comparison operators of the rule language, one function each.

Each takes the observed value (never missing, never unknown: the caller
handles those) and the rule's operand, and returns ``True``/``False``, or an
``Undetermined`` saying why it cannot tell (a TLS policy name it does not know,
a number that is not one). Adding an operator means one function here, one
entry in ``COMPARISONS`` and one field in ``policy_spec.rule.Test``.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checker.engine import tls
from policy_spec.regex import search as regex_search


@dataclass(frozen=True, slots=True)
class Undetermined:
    reason: str


Outcome = bool | Undetermined


def normalise(value: Any, like: Any) -> Any:
    """Terraform converts between strings, numbers and bools freely; compare as it would."""
    if isinstance(like, bool) and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(like, (int, float)) and not isinstance(like, bool) and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(like, str) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(like, str) and isinstance(value, bool):
        return "true" if value else "false"
    return value


def _same(value: Any, expected: Any) -> bool:
    observed = normalise(value, expected)
    if isinstance(observed, (int, float)) and isinstance(expected, (int, float)):
        if isinstance(observed, bool) or isinstance(expected, bool):
            return observed is expected
        return float(observed) == float(expected)
    return bool(observed == expected)


def _container(value: Any) -> bool:
    return isinstance(value, (list, Mapping))


def _shape_mismatch(value: Any, operands: list[Any]) -> Undetermined | None:
    """A list or block where the rule expects one value: the rule and the file disagree on the attribute's
    type, so no verdict is safe (``not_in`` would otherwise hold for any list and pass it)."""
    if _container(value) and not any(_container(o) for o in operands):
        return Undetermined(f"{_short(value)} is a {_kind(value)}, not a single value")
    return None


def equals(value: Any, operand: Any) -> Outcome:
    return _shape_mismatch(value, [operand]) or _same(value, operand)


def in_(value: Any, operand: list[Any]) -> Outcome:
    return _shape_mismatch(value, operand) or any(_same(value, option) for option in operand)


def not_in(value: Any, operand: list[Any]) -> Outcome:
    return _shape_mismatch(value, operand) or not any(_same(value, option) for option in operand)


def _numeric(value: Any) -> float | Undetermined:
    if isinstance(value, bool):
        return Undetermined(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return Undetermined(f"{_short(value)} is not a number")


def _bound(compare: Callable[[float, float], bool]) -> Callable[[Any, float], Outcome]:
    def check(value: Any, operand: float) -> Outcome:
        number = _numeric(value)
        return number if isinstance(number, Undetermined) else compare(number, operand)

    return check


gt = _bound(lambda a, b: a > b)
gte = _bound(lambda a, b: a >= b)
lt = _bound(lambda a, b: a < b)
lte = _bound(lambda a, b: a <= b)


def exists(value: Any, operand: bool) -> Outcome:
    return operand


def regex(value: Any, operand: str) -> Outcome:
    """RE2 matching (``policy_spec.regex``): time linear in the value, so a hostile value cannot hang the scan."""
    text = _spelling(value)
    if text is None:
        return Undetermined(f"{_short(value)} is a {_kind(value)}, not text")
    return regex_search(operand, text)


def contains(value: Any, operand: Any) -> Outcome:
    if isinstance(value, str):
        return isinstance(operand, str) and operand in value
    if isinstance(value, list):
        return any(_same(item, operand) for item in value)
    if isinstance(value, Mapping):
        return str(operand) in value
    return Undetermined(f"{_short(value)} is a {_kind(value)}, not a list, text or map")


def tls_at_least(value: Any, operand: str) -> Outcome:
    spellings = [_spelling(item) for item in (value if isinstance(value, list) else [value])]
    if not spellings or any(s is None for s in spellings):
        return Undetermined(f"{_short(value)} does not name TLS versions")
    value = [s for s in spellings if s is not None] if isinstance(value, list) else spellings[0]
    found = tls.allowed_minimum(value)
    if found is None:
        return Undetermined(f"{_short(value)} is not a TLS version or policy this rule knows")
    return found >= tls.parse_required(operand)


def base64_bytes(value: Any, operand: int) -> Outcome:
    """Key material is judged by its decoded size (AES-256 needs 32 bytes), never echoed back:
    the value is a secret, so no reason built here may quote it."""
    if not isinstance(value, str):
        return Undetermined("the value is not text, so it is not base64")
    try:
        decoded = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(decoded) == operand


def _spelling(value: Any) -> str | None:
    """A scalar as text (a boolean as Terraform spells it, ``true``); ``None`` for lists and maps."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


COMPARISONS: dict[str, Callable[[Any, Any], Outcome]] = {
    "equals": equals,
    "in": in_,
    "not_in": not_in,
    "gt": gt,
    "gte": gte,
    "lt": lt,
    "lte": lte,
    "exists": exists,
    "regex": regex,
    "contains": contains,
    "tls_at_least": tls_at_least,
    "base64_bytes": base64_bytes,
}
"""``exists`` is special-cased by the caller for missing values; ``any_item``/``all_items`` live in conditions."""
