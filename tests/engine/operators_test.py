from __future__ import annotations

import base64
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.engine import operators
from checker.engine.operators import Undetermined

scalars = st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), st.none())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=10)


@pytest.mark.parametrize(("value", "operand"), [(True, True), ("true", True), ("90", 90), (90, "90"), (1.0, 1)])
def test_equals_compares_as_terraform_converts(value: Any, operand: Any) -> None:
    assert operators.equals(value, operand) is True


def test_equals_does_not_confuse_booleans_with_numbers() -> None:
    assert operators.equals(1, True) is False


def test_in_and_not_in_are_complements() -> None:
    assert operators.in_("AES256", ["AES256", "aws:kms"]) is True
    assert operators.not_in("AES256", ["AES256", "aws:kms"]) is False


@pytest.mark.parametrize(("op", "value", "expected"), [("gte", 1, True), ("gte", 0, False), ("lte", 90, True),
                                                       ("lte", "91", False), ("gt", 2, True), ("lt", 1, False)])
def test_numeric_bounds(op: str, value: Any, expected: bool) -> None:
    assert operators.COMPARISONS[op](value, 1 if op in ("gte", "gt", "lt") else 90) is expected


def test_numeric_bounds_on_text_are_undetermined_not_false() -> None:
    assert isinstance(operators.lte("forever", 90), Undetermined)


def test_regex_searches_anywhere_in_the_text() -> None:
    assert operators.regex("prod-customers-bucket", "customers") is True


def test_contains_on_lists_strings_and_maps() -> None:
    assert operators.contains(["a", "b"], "b") and operators.contains("abc", "b") and operators.contains({"k": 1}, "k")


@pytest.mark.parametrize("value", ["TLSv1.2_2021", "ELBSecurityPolicy-TLS13-1-2-2021-06", "TLS1_2", "TLS_1_2",
                                   ["TLSv1.2", "TLSv1.3"], 1.2])
def test_tls_at_least_accepts_vendor_spellings_of_tls_1_2(value: Any) -> None:
    assert operators.tls_at_least(value, "1.2") is True


@pytest.mark.parametrize("value", ["TLSv1_2016", "ELBSecurityPolicy-2016-08", "TLS1_0", ["TLSv1", "TLSv1.2"], "1.1"])
def test_tls_at_least_rejects_anything_allowing_older_versions(value: Any) -> None:
    assert operators.tls_at_least(value, "1.2") is False


def test_tls_at_least_on_an_unknown_policy_name_is_undetermined() -> None:
    assert isinstance(operators.tls_at_least("ELBSecurityPolicy-Custom", "1.2"), Undetermined)


@given(values, values)
def test_every_comparison_returns_an_outcome_on_any_value(value: Any, operand: Any) -> None:
    for name, compare in operators.COMPARISONS.items():
        if name == "regex":
            operand_for = "a.*"
        elif name in ("in", "not_in"):
            operand_for = [operand]
        elif name in ("gt", "gte", "lt", "lte"):
            operand_for = 5.0
        elif name == "tls_at_least":
            operand_for = "1.2"
        elif name == "exists":
            operand_for = True
        else:
            operand_for = operand
        assert isinstance(compare(value, operand_for), (bool, Undetermined))


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)), st.integers(-100, 100))
def test_bounds_agree_with_arithmetic(value: float, bound: int) -> None:
    assert operators.gte(value, bound) is (value >= bound)
    assert operators.lt(value, bound) is (value < bound)
    assert not math.isnan(value)


@given(scalars, st.lists(scalars, max_size=5))
def test_not_in_is_the_negation_of_in(value: Any, options: list[Any]) -> None:
    assert operators.not_in(value, options) is (not operators.in_(value, options))


def test_base64_bytes_measures_the_decoded_key() -> None:
    key32, key16 = base64.b64encode(bytes(range(32))).decode(), base64.b64encode(bytes(16)).decode()
    assert operators.base64_bytes(key32, 32) is True
    assert operators.base64_bytes(key16, 32) is False


def test_base64_bytes_on_text_that_is_not_base64_does_not_hold() -> None:
    assert operators.base64_bytes("not a key!", 32) is False
    assert isinstance(operators.base64_bytes(32, 32), Undetermined)
