from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.engine.tls import (
    allowed_minimum,
    format_version,
    min_tls_version,
    parse_required,
)

SSL2 = (0, 2)
SSL3 = (0, 3)
TLS10 = (1, 0)
TLS11 = (1, 1)
TLS12 = (1, 2)
TLS13 = (1, 3)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("1.0", TLS10),
        ("1.1", TLS11),
        ("1.2", TLS12),
        ("1.3", TLS13),
        ("1", TLS10),
        ("1_2", TLS12),
        ("TLS1.2", TLS12),
        ("TLSv1.2", TLS12),
        ("TLSv1", TLS10),
        ("TLS 1.2", TLS12),
        ("TLS1_2", TLS12),
        ("TLS_1_2", TLS12),
        ("TLSv1_2", TLS12),
        ("tls1.2", TLS12),
        ("Tls12", TLS12),
        ("TLS12", TLS12),
        ("SSLv3", SSL3),
        ("SSLv2", SSL2),
        ("SSL 3.0", SSL3),
    ],
)
def test_plain_version_spellings_give_that_version(
    spelling: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(spelling) == expected


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("SSLv3", SSL3),
        ("TLSv1", TLS10),
        ("TLSv1_2016", TLS10),
        ("TLSv1.1_2016", TLS11),
        ("TLSv1.2_2018", TLS12),
        ("TLSv1.2_2019", TLS12),
        ("TLSv1.2_2021", TLS12),
        ("TLSv1.2_2025", TLS12),
        ("TLSv1.3_2025", TLS13),
    ],
)
def test_cloudfront_policy_names_give_their_minimum_version(
    spelling: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(spelling) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("ELBSecurityPolicy-2016-08", TLS10),
        ("ELBSecurityPolicy-2015-05", TLS10),
        ("ELBSecurityPolicy-2015-03", TLS10),
        ("ELBSecurityPolicy-2015-02", TLS10),
        ("ELBSecurityPolicy-2014-10", TLS10),
        ("ELBSecurityPolicy-2014-01", SSL3),
        ("ELBSecurityPolicy-2011-08", SSL3),
        ("ELBSecurityPolicy-FS-2018-06", TLS10),
    ],
)
def test_elb_policies_without_a_version_in_the_name_come_from_the_table(
    policy: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("ELBSecurityPolicy-TLS-1-0-2015-04", TLS10),
        ("ELBSecurityPolicy-TLS-1-1-2017-01", TLS11),
        ("ELBSecurityPolicy-TLS-1-2-2017-01", TLS12),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", TLS12),
        ("ELBSecurityPolicy-FS-1-1-2019-08", TLS11),
        ("ELBSecurityPolicy-FS-1-2-2019-08", TLS12),
        ("ELBSecurityPolicy-FS-1-2-Res-2019-08", TLS12),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", TLS12),
        ("ELBSecurityPolicy-TLS13-1-0-2021-06", TLS10),
        ("ELBSecurityPolicy-TLS13-1-1-2021-06", TLS11),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", TLS12),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", TLS13),
    ],
)
def test_elb_policy_names_give_the_version_spelled_in_them(
    policy: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04", TLS10),
        ("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04", TLS11),
        ("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04", TLS12),
        ("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", TLS13),
        ("ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07", TLS12),
        ("ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07", TLS13),
    ],
)
def test_elb_fips_and_rfc9151_policies_give_the_version_spelled_in_them(
    policy: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("ELBSecurityPolicy-TLS13-1-0-PQ-2025-09", TLS10),
        ("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09", TLS12),
        ("ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09", TLS12),
        ("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", TLS13),
        ("ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09", TLS13),
    ],
)
def test_elb_post_quantum_policies_give_the_version_spelled_in_them(
    policy: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("TLS_1_0", TLS10),
        ("TLS_1_2", TLS12),
        ("SecurityPolicy_TLS13_1_3_2025_09", TLS13),
        ("SecurityPolicy_TLS13_1_3_FIPS_2025_09", TLS13),
        ("SecurityPolicy_TLS13_1_2_2021_06", TLS12),
        ("SecurityPolicy_TLS12_1_2_2021_06", TLS12),
        ("SecurityPolicy_TLS13_1_2_PQ_2025_09", TLS12),
        ("SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", TLS12),
        ("SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09", TLS12),
        ("SecurityPolicy_TLS12_2018_EDGE", TLS12),
        ("SecurityPolicy_TLS12_PFS_2025_EDGE", TLS12),
    ],
)
def test_api_gateway_security_policies_give_their_minimum_version(
    policy: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("Policy-Min-TLS-1-0-2019-07", TLS10),
        ("Policy-Min-TLS-1-2-2019-07", TLS12),
        ("Policy-Min-TLS-1-2-PFS-2023-10", TLS12),
    ],
)
def test_opensearch_tls_security_policies_give_their_minimum_version(
    policy: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(policy) == expected


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("TLS1_0", TLS10),
        ("TLS1_1", TLS11),
        ("TLS1_2", TLS12),
        ("TLS1_3", TLS13),
        ("1.0", TLS10),
        ("1.1", TLS11),
        ("1.2", TLS12),
        ("1.3", TLS13),
        ("Tls12", TLS12),
        ("Tls1_2", TLS12),
    ],
)
def test_azure_minimum_tls_values_give_that_version(
    spelling: str, expected: tuple[int, int]
) -> None:
    assert min_tls_version(spelling) == expected


@pytest.mark.parametrize("spelling", ["TLS_1_0", "TLS_1_1", "TLS_1_2", "TLS_1_3"])
def test_gcp_ssl_policy_minimums_give_that_version(spelling: str) -> None:
    assert min_tls_version(spelling) == (1, int(spelling[-1]))


@pytest.mark.parametrize("spelling", ["Disabled", "None", "TLSEnforcementDisabled"])
def test_spellings_that_enforce_no_minimum_allow_everything_down_to_ssl2(spelling: str) -> None:
    assert min_tls_version(spelling) == SSL2


@pytest.mark.parametrize(
    ("token", "expected"),
    [("TLSv1.3", TLS13), ("TLSv1.2", TLS12), ("TLSv1.1", TLS11), ("TLSv1", TLS10), ("SSLv3", SSL3)],
)
def test_nginx_protocol_tokens_give_that_version(token: str, expected: tuple[int, int]) -> None:
    assert min_tls_version(token) == expected


@pytest.mark.parametrize(
    "spelling",
    [
        "TLS1_2",
        "tls1_2",
        "TlS1_2",
        "elbsecuritypolicy-tls13-1-2-res-2021-06",
        "ELBSECURITYPOLICY-TLS13-1-2-RES-2021-06",
        "securitypolicy_tls13_1_2_2021_06",
        "policy-min-tls-1-2-2019-07",
        "tlsv1.2_2021",
        "  TLSv1.2\n",
    ],
)
def test_matching_ignores_case_and_surrounding_space(spelling: str) -> None:
    assert min_tls_version(spelling) == TLS12


@pytest.mark.parametrize(
    "spelling",
    [
        "",
        "   ",
        "banana",
        "TLSv9",
        "TLS1.4",
        "SSLv1",
        "SSL 3.1",
        "12",
        "2",
        "1.2.3",
        "0.3",
        "0_2",
        "TLS 0.3",
        "TLS",
        "ELBSecurityPolicy-Unknown",
        "ELBSecurityPolicy-2016-09",
        "ELBSecurityPolicy-TLS13-1-2-Banana-2021-06",
        "ELBSecurityPolicy-TLS13-1-4-2021-06",
        "ELBSecurityPolicy-TLS13-0-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2",
        "ELBSecurityPolicy-TLS13-1-2-2021-13",
        "ELBSample-ELBDefaultNegotiationPolicy",
        "SecurityPolicy_TLS13_2025_EDGE",
        "SecurityPolicy_Not_A_Real_Value",
        "Policy-Min-TLS-9-9-2019-07",
        "TLSv1.2_21",
        "TLSv1.2 TLSv1.3",
        "TLS１.２",
    ],
)
def test_unrecognised_spellings_are_undetermined_not_guessed(spelling: str) -> None:
    assert min_tls_version(spelling) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["TLSv1", "TLSv1.1", "TLSv1.2"], TLS10),
        (["TLSv1.2", "TLSv1.1"], TLS11),
        (("TLSv1.3",), TLS13),
        (["SSLv3", "TLSv1.2"], SSL3),
        (["TLSv1.2", "TLS1_3", "1.1"], TLS11),
        ("TLSv1.2 TLSv1.3", TLS12),
        ("TLSv1 TLSv1.1   TLSv1.2", TLS10),
        ("  TLSv1.3\tTLSv1.2\n", TLS12),
    ],
)
def test_protocol_lists_allow_their_weakest_entry(
    values: str | Sequence[str], expected: tuple[int, int]
) -> None:
    assert allowed_minimum(values) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("TLS 1.2", TLS12),
        ("TLSv1.2_2021", TLS12),
        ("ELBSecurityPolicy-2016-08", TLS10),
        ("Disabled", SSL2),
    ],
)
def test_allowed_minimum_of_one_spelling_matches_min_tls_version(
    value: str, expected: tuple[int, int]
) -> None:
    assert allowed_minimum(value) == expected


@pytest.mark.parametrize(
    "values",
    [
        [],
        (),
        "",
        "   ",
        ["TLSv1.2", "banana"],
        ["TLSv1.2", ""],
        "TLSv1.2 banana",
        "banana",
        ["TLSv1.2 TLSv1.3"],
    ],
)
def test_empty_lists_and_lists_with_an_unknown_entry_are_undetermined(
    values: str | Sequence[str],
) -> None:
    assert allowed_minimum(values) is None


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2", TLS12),
        ("1.3", TLS13),
        ("1.0", TLS10),
        ("1", TLS10),
        ("TLS1.2", TLS12),
        ("TLSv1.3", TLS13),
        ("TLS 1.1", TLS11),
        ("tls1_2", TLS12),
        ("SSLv3", SSL3),
    ],
)
def test_parse_required_reads_plain_versions(version: str, expected: tuple[int, int]) -> None:
    assert parse_required(version) == expected


@pytest.mark.parametrize(
    "version",
    [
        "",
        "banana",
        "TLSv9",
        "1.4",
        "12",
        "ELBSecurityPolicy-2016-08",
        "TLSv1.2_2021",
        "Disabled",
        "TLSv1.2 TLSv1.3",
    ],
)
def test_parse_required_rejects_anything_but_a_plain_version(version: str) -> None:
    with pytest.raises(ValueError, match="unrecognised required TLS version"):
        parse_required(version)


@pytest.mark.parametrize("version", [1.2, 1, None])
def test_parse_required_explains_an_unquoted_yaml_number(version: object) -> None:
    with pytest.raises(ValueError, match="must be a string"):
        parse_required(version)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (SSL2, "SSL 2.0"),
        (SSL3, "SSL 3.0"),
        (TLS10, "TLS 1.0"),
        (TLS11, "TLS 1.1"),
        (TLS12, "TLS 1.2"),
        (TLS13, "TLS 1.3"),
    ],
)
def test_format_version_names_versions_as_auditors_write_them(
    version: tuple[int, int], expected: str
) -> None:
    assert format_version(version) == expected


@pytest.mark.parametrize("version", [(0, 0), (1, 4), (2, 0), (0, 1)])
def test_format_version_rejects_points_off_the_scale(version: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="not a known SSL/TLS version"):
        format_version(version)


@pytest.mark.parametrize("version", [SSL2, SSL3, TLS10, TLS11, TLS12, TLS13])
def test_formatted_versions_read_back_as_requirements(version: tuple[int, int]) -> None:
    assert parse_required(format_version(version)) == version


@given(st.text())
def test_min_tls_version_never_raises_on_any_text(text: str) -> None:
    result = min_tls_version(text)
    assert result is None or format_version(result)


NGINX_TOKENS = {"SSLv3": SSL3, "TLSv1": TLS10, "TLSv1.1": TLS11, "TLSv1.2": TLS12, "TLSv1.3": TLS13}


@given(st.lists(st.sampled_from(sorted(NGINX_TOKENS)), min_size=1))
def test_list_minimum_is_the_smallest_item_version(tokens: list[str]) -> None:
    expected = min(NGINX_TOKENS[t] for t in tokens)
    assert allowed_minimum(tokens) == expected
    assert allowed_minimum(" ".join(tokens)) == expected
