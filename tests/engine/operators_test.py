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


tls_spellings = st.sampled_from(["1.0", "1.1", "1.2", "1.3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "TLS1_2",
                                 "TLS_1_3", "TLSv1.2_2021", "TLSv1_2016", "ELBSecurityPolicy-2016-08",
                                 "ELBSecurityPolicy-TLS13-1-2-2021-06", "SSLv3", "ELBSecurityPolicy-Custom", "nope"])
tls_values = tls_spellings | st.lists(tls_spellings, min_size=1, max_size=3)
required = st.sampled_from(["1.0", "1.1", "1.2", "1.3"])


@given(tls_values, required, required)
def test_tls_at_least_is_monotonic_in_the_required_version(value: Any, low: str, high: str) -> None:
    low, high = sorted((low, high), key=float)
    strict, lenient = operators.tls_at_least(value, high), operators.tls_at_least(value, low)
    if strict is True:
        assert lenient is True
    if lenient is False:
        assert strict is False
    assert isinstance(strict, Undetermined) == isinstance(lenient, Undetermined)


@given(st.lists(tls_spellings, min_size=1, max_size=3), tls_spellings, required)
def test_allowing_one_more_tls_version_never_turns_a_failure_into_a_pass(value: list[str], extra: str,
                                                                          needed: str) -> None:
    before, after = operators.tls_at_least(value, needed), operators.tls_at_least([*value, extra], needed)
    if before is False:
        assert after is not True


@given(st.lists(scalars, max_size=6), scalars)
def test_contains_on_a_list_agrees_with_in(items: list[Any], item: Any) -> None:
    assert operators.contains(items, item) is operators.in_(item, items)


@given(st.text(max_size=20), st.text(max_size=5), st.text(max_size=5))
def test_contains_on_text_is_substring_search(text: str, prefix: str, suffix: str) -> None:
    assert operators.contains(prefix + text + suffix, text) is True
    assert operators.contains(text, text + "\x00") is False


@given(st.dictionaries(st.text(max_size=5), scalars, max_size=4), st.text(max_size=5))
def test_contains_on_a_map_asks_for_the_key(mapping: dict[str, Any], key: str) -> None:
    assert operators.contains(mapping, key) is (key in mapping)


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans()), scalars)
def test_contains_on_a_number_or_boolean_is_undetermined(value: Any, operand: Any) -> None:
    assert isinstance(operators.contains(value, operand), Undetermined)


@given(st.text(alphabet="abc-_.", max_size=30), st.text(alphabet="abc-_.", max_size=8))
def test_regex_of_a_literal_finds_exactly_the_substrings(text: str, needle: str) -> None:
    import re

    assert operators.regex(text, re.escape(needle)) is (needle in text)


@given(st.text(max_size=30))
def test_regex_anchors_hold_for_the_whole_value(text: str) -> None:
    import re

    assert operators.regex(text, "^" + re.escape(text) + "$") is True


@given(st.booleans())
def test_regex_sees_a_boolean_as_terraform_spells_it(value: bool) -> None:
    assert operators.regex(value, "^(true|false)$") is True
    assert operators.regex(value, "^true$") is value


@given(st.lists(scalars, max_size=3) | st.dictionaries(st.text(max_size=3), scalars, max_size=3))
def test_regex_on_a_list_or_map_is_undetermined(value: Any) -> None:
    assert isinstance(operators.regex(value, ".*"), Undetermined)


@given(st.lists(scalars, min_size=1, max_size=3), st.lists(scalars, min_size=1, max_size=3))
def test_equals_in_and_not_in_on_a_list_against_single_values_are_undetermined(value: list[Any],
                                                                              options: list[Any]) -> None:
    for outcome in (operators.equals(value, options[0]), operators.in_(value, options),
                    operators.not_in(value, options)):
        assert isinstance(outcome, Undetermined)


@given(values)
def test_exists_answers_what_the_rule_asks_for_any_present_value(value: Any) -> None:
    assert operators.exists(value, True) is True and operators.exists(value, False) is False


@given(scalars, st.lists(scalars, max_size=5))
def test_in_holds_exactly_when_some_item_equals_the_value(value: Any, options: list[Any]) -> None:
    assert operators.in_(value, options) is any(operators.equals(value, o) is True for o in options)
    assert operators.in_(value, [*options, value]) is True


@given(st.binary(max_size=64), st.integers(0, 64))
def test_base64_bytes_holds_exactly_for_the_decoded_length(key: bytes, size: int) -> None:
    encoded = base64.b64encode(key).decode()
    assert operators.base64_bytes(encoded, size) is (len(key) == size)
    assert operators.base64_bytes(f"  {encoded}\n", len(key)) is True


@given(st.text(alphabet="!@#$%^&*()~", min_size=1, max_size=20), st.integers(0, 64))
def test_base64_bytes_never_holds_for_text_outside_the_alphabet(text: str, size: int) -> None:
    assert operators.base64_bytes(text, size) is False
