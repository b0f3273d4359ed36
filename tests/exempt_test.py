from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from checker.exempt import Exemptions, apply, baseline_of, find_suppressions
from checker.scan import rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import Location, ResourceRef, Result
from policy_spec.waiver import Baseline, BaselineEntry, Waiver

RULES = rule_set(Config())
TODAY = dt.date(2026, 6, 1)
UNENCRYPTED = 'resource "aws_s3_bucket" "legacy" {\n  bucket = "acme-legacy"\n}\n'


def statuses(root: Path, exemptions: Exemptions | None = None) -> dict[str, str]:
    report = scan([root], Config(), RULES, exemptions)
    return {f"{r.rule}:{r.resource.address if r.resource else r.location.path if r.location else ''}": r.status
            for r in report.results}


def waiver(**overrides: object) -> Waiver:
    fields: dict[str, object] = {"rule": "PP-ENC-001", "resource": "aws_s3_bucket.legacy", "owner": "sre@acme.test",
                                 "reason": "decommissioned in Q3", "expires": TODAY + dt.timedelta(days=60)}
    fields.update(overrides)
    return Waiver.model_validate(fields)


def test_suppressions_are_found_in_every_comment_style() -> None:
    text = "# policyproof:ignore PP-A-001 one\n// policyproof:ignore PP-B-002 two\n-- policyproof:ignore PP-C-003 three\n"
    assert [(s.line, s.rule, s.reason) for s in find_suppressions("f", text)] == [
        (1, "PP-A-001", "one"), (2, "PP-B-002", "two"), (3, "PP-C-003", "three")]


def test_an_inline_suppression_with_a_reason_waives_the_result(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "legacy" {\n'
                                    '  # policyproof:ignore PP-ENC-001 static website assets only\n}\n')
    assert statuses(tmp_path)["PP-ENC-001:aws_s3_bucket.legacy"] == "waived"


def test_a_suppression_without_a_reason_is_reported_and_not_applied(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text('# policyproof:ignore PP-ENC-001\nresource "aws_s3_bucket" "legacy" {}\n')
    found = statuses(tmp_path)
    assert found["PP-ENC-001:aws_s3_bucket.legacy"] == "fail" and found["PP-META-001:s3.tf"] == "fail"


def test_a_suppression_naming_an_unknown_rule_is_reported(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text('# policyproof:ignore PP-NOPE-999 because\nresource "aws_s3_bucket" "b" {}\n')
    assert statuses(tmp_path)["PP-META-002:s3.tf"] == "fail"


def test_a_suppression_of_another_rule_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "legacy" {\n'
                                    '  # policyproof:ignore PP-RET-004 not personal data\n}\n')
    assert statuses(tmp_path)["PP-ENC-001:aws_s3_bucket.legacy"] == "fail"


def test_a_live_waiver_waives_with_owner_and_expiry(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(UNENCRYPTED)
    report = scan([tmp_path], Config(), RULES, Exemptions(waivers=[waiver()], today=TODAY))
    (result,) = [r for r in report.results if r.rule == "PP-ENC-001"]
    assert result.status == "waived" and result.exemption is not None
    assert (result.exemption.kind, result.exemption.owner, result.exemption.expires) == (
        "waiver", "sre@acme.test", "2026-07-31")


def test_a_waiver_by_commitment_covers_every_rule_of_it(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(UNENCRYPTED)
    exemptions = Exemptions(waivers=[waiver(rule=None, commitment="encryption-at-rest", resource="*")], today=TODAY)
    assert statuses(tmp_path, exemptions)["PP-ENC-001:aws_s3_bucket.legacy"] == "waived"


def test_an_expired_waiver_stops_applying_and_is_reported(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(UNENCRYPTED)
    exemptions = Exemptions(waivers=[waiver(expires=TODAY - dt.timedelta(days=1))], waiver_file="waivers.yaml",
                            today=TODAY)
    found = statuses(tmp_path, exemptions)
    assert found["PP-ENC-001:aws_s3_bucket.legacy"] == "fail" and found["PP-META-003:waivers.yaml"] == "fail"


def test_a_waiver_expiring_within_two_weeks_warns(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(UNENCRYPTED)
    exemptions = Exemptions(waivers=[waiver(expires=TODAY + dt.timedelta(days=14))], today=TODAY)
    report = scan([tmp_path], Config(), RULES, exemptions)
    assert any("expires on 2026-06-15" in w for w in report.warnings)


def test_a_waiver_for_another_resource_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(UNENCRYPTED)
    exemptions = Exemptions(waivers=[waiver(resource="aws_s3_bucket.other")], today=TODAY)
    assert statuses(tmp_path, exemptions)["PP-ENC-001:aws_s3_bucket.legacy"] == "fail"


def test_baselined_failures_are_waived_and_new_ones_still_fail(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(UNENCRYPTED)
    baseline = baseline_of(scan([tmp_path], Config(), RULES).results)
    (tmp_path / "new.tf").write_text('resource "aws_s3_bucket" "fresh" {}\n')
    found = statuses(tmp_path, Exemptions(baseline=baseline))
    assert found["PP-ENC-001:aws_s3_bucket.legacy"] == "waived" and found["PP-ENC-001:aws_s3_bucket.fresh"] == "fail"


def test_a_baseline_entry_matches_the_file_as_well_as_the_resource(tmp_path: Path) -> None:
    (tmp_path / "moved.tf").write_text(UNENCRYPTED)
    baseline = Baseline(entries=[BaselineEntry(rule="PP-ENC-001", path="s3.tf", address="aws_s3_bucket.legacy")])
    assert statuses(tmp_path, Exemptions(baseline=baseline))["PP-ENC-001:aws_s3_bucket.legacy"] == "fail"


def test_fixed_baseline_entries_are_reported_as_removable(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "legacy" {\n  server_side_encryption_configuration {\n'
                                    '    rule {\n      apply_server_side_encryption_by_default {\n'
                                    '        sse_algorithm = "AES256"\n      }\n    }\n  }\n}\n')
    baseline = Baseline(entries=[BaselineEntry(rule="PP-ENC-001", path="s3.tf", address="aws_s3_bucket.legacy")])
    report = scan([tmp_path], Config(), RULES, Exemptions(baseline=baseline))
    assert any("can be removed" in w for w in report.warnings)


statuses_st = st.sampled_from(["pass", "fail", "error", "waived"])


@given(st.lists(st.tuples(statuses_st, st.sampled_from(["a", "b"])), max_size=8),
       st.booleans(), st.integers(-5, 30))
def test_exemptions_only_ever_turn_failures_into_waived(items: list[tuple[str, str]], suppress: bool,
                                                        days: int) -> None:
    results = [Result(rule="PP-ENC-001", commitment="encryption-at-rest", status=status, severity="high",  # type: ignore[arg-type]
                      message="m", resource=ResourceRef(type="t", name=name, address=f"t.{name}", format="terraform",
                                                        location=Location(path="f.tf", line=1, end_line=3)),
                      location=Location(path="f.tf", line=2)) for status, name in items]
    exemptions = Exemptions(waivers=[waiver(resource="t.a", expires=TODAY + dt.timedelta(days=days))], today=TODAY)
    from checker.exempt import Suppression

    suppressions = [Suppression("f.tf", 2, "PP-ENC-001", "why")] if suppress else []
    out, _ = apply(results, suppressions, {"PP-ENC-001"}, exemptions)
    for before, after in zip(results, out):
        assert after.status == before.status or (before.status in ("fail", "error") and after.status == "waived")


SUPPRESSED = {
    "k8s/admin.yaml": ("PP-TLS-040", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: admin\n"
                       "  # policyproof:ignore PP-TLS-040 reachable over the VPN only\nspec:\n  rules:\n"
                       "    - host: admin.acme.example\n"),
    "supabase/migrations/001_init.sql": ("PP-RLS-001", "-- policyproof:ignore PP-RLS-001 public reference data\n"
                                         "create table public.countries (code text primary key);\n"),
    "nginx/nginx.conf": ("PP-TLS-081", "events {}\nhttp {\n  server {\n    # policyproof:ignore PP-TLS-081 "
                         "load balancer health checks\n    listen 80;\n    location / { proxy_pass http://app; }\n"
                         "  }\n}\n"),
    "supabase/config.toml": ("PP-TLS-060", "[db.ssl_enforcement]\n# policyproof:ignore PP-TLS-060 local only\n"
                             "enabled = false\n"),
}


def test_suppressions_work_in_yaml_sql_nginx_and_toml(tmp_path: Path) -> None:
    for name, (_, text) in SUPPRESSED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    report = scan([tmp_path], Config(), RULES)
    for name, (rule, _) in SUPPRESSED.items():
        own = [r for r in report.results if r.rule == rule and r.location and r.location.path == name]
        assert own and {r.status for r in own} == {"waived"}, (name, [(r.status, r.message) for r in own])
