"""Reduce every vendor spelling of a TLS setting to one comparable version.

Clouds and servers say "which protocol versions may a client use" in many
ways: plain versions ("1.2", "TLS1_2"), protocol tokens ("TLSv1.3"), dated
CloudFront names ("TLSv1.2_2021") and named policy bundles
("ELBSecurityPolicy-2016-08"). A rule only needs the lowest version a
spelling lets through, so each one is mapped onto the scale SSL 2.0 < SSL 3.0
< TLS 1.0 < ... < TLS 1.3. A spelling this module does not know maps to
None, never to a best guess: the caller reports it as undetermined rather
than risk passing a weak configuration.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

Version = tuple[int, int]

SSL2: Final[Version] = (0, 2)
SSL3: Final[Version] = (0, 3)
TLS1_0: Final[Version] = (1, 0)
TLS1_1: Final[Version] = (1, 1)
TLS1_2: Final[Version] = (1, 2)
TLS1_3: Final[Version] = (1, 3)

_NAMES: Final[dict[Version, str]] = {
    SSL2: "SSL 2.0",
    SSL3: "SSL 3.0",
    TLS1_0: "TLS 1.0",
    TLS1_1: "TLS 1.1",
    TLS1_2: "TLS 1.2",
    TLS1_3: "TLS 1.3",
}

# "No minimum enforced" lets through whatever the server still speaks, so
# the bottom of the scale is the only answer that cannot make a weak setup
# pass (Azure SQL "Disabled", Azure MySQL/PostgreSQL "TLSEnforcementDisabled").
_NO_MINIMUM: Final = frozenset({"disabled", "none", "tlsenforcementdisabled"})

# Policies whose names carry no version, keyed by the normalised spelling
# (lower case, "_" as "-"). Versions are from the AWS tables of predefined
# Classic/Application/Network Load Balancer and API Gateway security policies.
_UNVERSIONED_POLICIES: Final[dict[str, Version]] = {
    "elbsecuritypolicy-2016-08": TLS1_0,
    "elbsecuritypolicy-2015-05": TLS1_0,
    "elbsecuritypolicy-2015-03": TLS1_0,
    "elbsecuritypolicy-2015-02": TLS1_0,
    "elbsecuritypolicy-2014-10": TLS1_0,
    "elbsecuritypolicy-2014-01": SSL3,
    "elbsecuritypolicy-2011-08": SSL3,
    "elbsecuritypolicy-fs-2018-06": TLS1_0,
    "securitypolicy-tls12-2018-edge": TLS1_2,
    "securitypolicy-tls12-pfs-2025-edge": TLS1_2,
}

# Versioned AWS policy names spell their minimum as the digit pair after the
# family prefix: ELBSecurityPolicy-TLS13-1-2-Res-2021-06 allows TLS 1.2 and
# up, Policy-Min-TLS-1-0-2019-07 TLS 1.0 and up. Only known qualifiers are
# accepted so that an unfamiliar bundle is reported, not assumed.
_VERSIONED_POLICY: Final = re.compile(
    r"(?:elbsecuritypolicy-(?:tls13|tls|fs)|securitypolicy-tls1[23]|policy-min-tls)"
    r"-(?P<major>[0-9])-(?P<minor>[0-9])"
    r"(?:-(?:res|ext[0-9]?|fips|pq|pfs|rfc9151|interop[0-9]))*"
    r"-20[0-9]{2}-(?:0[1-9]|1[0-2])",
    re.ASCII,
)

# CloudFront minimum_protocol_version: a protocol token plus the year the
# cipher list was frozen ("TLSv1.2_2021"); the year does not move the floor.
_DATED_TOKEN: Final = re.compile(r"(?P<token>(?:tls|ssl)v[0-9.]+)-20[0-9]{2}", re.ASCII)

_PLAIN: Final = re.compile(
    r"(?:(?P<proto>tls|ssl)v?[ -]?)?(?P<major>[0-9])(?:(?P<sep>[.-]?)(?P<minor>[0-9]))?",
    re.ASCII,
)


def _normalise(spelling: str) -> str:
    return spelling.strip().lower().replace("_", "-")


def _plain_version(key: str) -> Version | None:
    match = _PLAIN.fullmatch(key)
    if match is None:
        return None
    proto, major, sep, minor = match.group("proto", "major", "sep", "minor")
    if proto is None and minor is not None and not sep:
        return None  # a bare "12" is not clearly 1.2; "TLS12" and "1.2" are
    if proto == "ssl":
        version = (0, int(major)) if minor in (None, "0") else None
    else:
        version = (1, int(minor or "0")) if major == "1" else None
    return version if version in _NAMES else None


def _versioned_policy(key: str) -> Version | None:
    match = _VERSIONED_POLICY.fullmatch(key)
    if match is None:
        return None
    version = (int(match["major"]), int(match["minor"]))
    return version if version in _NAMES and version >= TLS1_0 else None


def _dated_token(key: str) -> Version | None:
    match = _DATED_TOKEN.fullmatch(key)
    return None if match is None else _plain_version(match["token"])


def min_tls_version(spelling: str) -> Version | None:
    """The lowest protocol version ``spelling`` lets a client negotiate.

    Matching ignores case, surrounding space and "_" versus "-", because the
    same setting is written "TLS1_2", "tls1-2" or "Tls12" depending on the
    provider and the tool that exported it. None means "not recognised", so
    a new vendor name surfaces as undetermined instead of being guessed.
    """
    key = _normalise(spelling)
    if key in _NO_MINIMUM:
        return SSL2
    if key in _UNVERSIONED_POLICIES:
        return _UNVERSIONED_POLICIES[key]
    return _versioned_policy(key) or _dated_token(key) or _plain_version(key)


def allowed_minimum(values: str | Sequence[str]) -> Version | None:
    """The lowest version allowed by one spelling or by a list of protocols.

    Lists come from settings that enumerate protocols instead of naming a
    floor (CloudFront origin_ssl_protocols, nginx ssl_protocols), where the
    weakest entry is what an attacker can downgrade to. A single string that
    is not one spelling is read as nginx's whitespace-separated list. One
    unknown entry makes the whole answer unknown, as does an empty list,
    since neither says what the server accepts.
    """
    if isinstance(values, str):
        whole = min_tls_version(values)
        items = values.split()
        if whole is not None or len(items) < 2:
            return whole
    else:
        items = list(values)
    found: list[Version] = []
    for item in items:
        version = min_tls_version(item)
        if version is None:
            return None
        found.append(version)
    return min(found, default=None)


def parse_required(version: str) -> Version:
    """Read the minimum a rule demands, failing loudly on a typo.

    Only plain versions are accepted: a rule that names a vendor policy
    ties itself to one provider, and an unreadable requirement must stop
    the rule from loading rather than silently check nothing.
    """
    if not isinstance(version, str):
        raise ValueError(
            f"required TLS version must be a string such as '1.2', got "
            f"{type(version).__name__} {version!r} (quote it in YAML)"
        )
    parsed = _plain_version(_normalise(version))
    if parsed is None:
        raise ValueError(
            f"unrecognised required TLS version {version!r}; expected a version "
            f"such as '1.2', 'TLS1.3' or 'SSLv3'"
        )
    return parsed


def format_version(v: Version) -> str:
    """Name a version the way reports and auditors write it ("TLS 1.2")."""
    try:
        return _NAMES[v]
    except KeyError:
        raise ValueError(f"{v!r} is not a known SSL/TLS version") from None
