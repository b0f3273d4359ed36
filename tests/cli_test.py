from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"

ENCRYPTED_BUCKET = (
    'resource "aws_s3_bucket" "b" {\n  server_side_encryption_configuration {\n    rule {\n'
    '      apply_server_side_encryption_by_default {\n        sse_algorithm = "AES256"\n      }\n    }\n  }\n}\n'
)


def scan_json(path: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["scan", str(path), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_scan_exits_1_when_something_fails(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert main(["scan", str(tmp_path)]) == 1


def test_scan_exits_0_when_everything_passes(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ENCRYPTED_BUCKET)
    assert main(["scan", str(tmp_path)]) == 0


def test_scan_exits_0_on_a_tree_with_nothing_to_check(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["scan", str(tmp_path)]) == 0


def test_unparseable_input_fails_the_gate_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.tf").write_text('resource "a" "b" {\n  x = = 1\n}\n')
    code, report = scan_json(tmp_path, capsys=capsys)
    (error,) = [r for r in report["results"] if r["status"] == "error"]
    assert code == 1 and error["location"] == {"path": "broken.tf", "line": 2, "end_line": None}


def test_errors_can_be_configured_not_to_fail_the_gate(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('resource "a" "b" {\n  x = = 1\n}\n')
    (tmp_path / ".policyproof.yaml").write_text("fail_on_error: false\n")
    assert main(["scan", str(tmp_path)]) == 0


def test_json_evidence_has_the_contracted_fields(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = scan_json(DEMO, capsys=capsys)
    assert report["schema_version"] == "1"
    assert report["tool"]["name"] == "policyproof" and report["tool"]["version"]
    assert report["policy"] == {"id": "brainstormmsp-privacy", "title": "BrainstormMSP Privacy Policy",
                                "version": "2024-12-22"}
    assert all(set(i) >= {"path", "sha256"} and len(i["sha256"]) == 64 for i in report["inputs"])
    result = report["results"][0]
    assert set(result) >= {"rule", "commitment", "status", "severity", "message", "resource", "location",
                           "observed", "expected"}
    assert set(result["resource"]) >= {"type", "name", "address"}
    assert {c["id"] for c in report["commitments"]} >= {"encryption-at-rest", "retention"}


def test_paths_in_evidence_are_relative_with_forward_slashes(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = scan_json(DEMO, capsys=capsys)
    assert all(not r["location"]["path"].startswith("/") for r in report["results"])
    assert "infra/storage.tf" in {i["path"] for i in report["inputs"]}


def test_the_same_inputs_give_byte_identical_output(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(DEMO), "--format", "json"])
    first = capsys.readouterr().out
    main(["scan", str(DEMO), "--format", "json"])
    assert capsys.readouterr().out == first


def test_demo_shows_real_passes_and_failures(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = scan_json(DEMO, capsys=capsys)
    statuses = {r["status"] for r in report["results"]}
    assert code == 1 and {"pass", "fail"} <= statuses


def test_text_output_groups_by_file_with_path_line_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.tf").write_text('resource "aws_s3_bucket" "a" {}\n')
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    main(["scan", str(tmp_path), "--no-color"])
    out = capsys.readouterr().out
    assert out.index("a.tf\n") < out.index("s3.tf\n")
    assert "s3.tf:1 FAIL PP-ENC-001" in out
    assert "\x1b[" not in out


def test_colour_can_be_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    main(["scan", str(tmp_path), "--color"])
    assert "\x1b[31m" in capsys.readouterr().out


def test_output_writes_the_report_to_a_file(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text(ENCRYPTED_BUCKET)
    out = tmp_path / "report.json"
    assert main(["scan", str(tmp_path / "s3.tf"), "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["results"][0]["status"] == "pass"


def test_fail_on_raises_the_threshold(tmp_path: Path) -> None:
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert main(["scan", str(tmp_path), "--fail-on", "critical"]) == 0
    assert main(["scan", str(tmp_path), "--fail-on", "high"]) == 1


def test_a_bad_flag_exits_2(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path), "--format", "pdf"]) == 2


def test_a_missing_path_exits_2(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path / "nope")]) == 2


def test_an_invalid_config_exits_2_naming_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".policyproof.yaml").write_text("fail_on: sometimes\n")
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert ".policyproof.yaml" in err and "fail_on" in err


def test_an_unknown_config_key_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".policyproof.yaml").write_text("colour: blue\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert "colour" in capsys.readouterr().err


def test_an_invalid_rule_file_exits_2_naming_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "PP-OWN-001.yaml").write_text("id: PP-OWN-001\nname: x\n")
    (tmp_path / ".policyproof.yaml").write_text("rules: [rules]\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert "PP-OWN-001.yaml" in capsys.readouterr().err


def test_platform_defaults_can_be_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    (tmp_path / ".policyproof.yaml").write_text("platform_defaults: accept\n")
    code, report = scan_json(tmp_path, capsys=capsys)
    (result,) = [r for r in report["results"] if r["rule"] == "PP-ENC-001"]
    assert code == 0 and (result["status"], result["basis"]) == ("pass", "platform-default")


def test_rules_list_shows_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list"]) == 0
    assert "PP-ENC-001" in capsys.readouterr().out


def test_rules_show_explains_a_rule_with_its_commitment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "show", "PP-ENC-001"]) == 0
    out = capsys.readouterr().out
    assert "and at rest (AES-256)" in out and "How to fix" in out


def test_rules_show_of_an_unknown_rule_exits_2() -> None:
    assert main(["rules", "show", "PP-NOPE-999"]) == 2


def test_rules_test_runs_the_bundled_fixtures(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DEMO.parent.parent)
    assert main(["rules", "test"]) == 0
    assert " 0 failed" in capsys.readouterr().out


def test_policy_check_finds_every_quote(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "check"]) == 0


def test_policy_check_reports_a_changed_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "policy.txt"
    text.write_text("We may sell your data.")
    assert main(["policy", "check", "--text", str(text)]) == 1
    assert "stale quote: no-sale" in capsys.readouterr().out


def test_an_unknown_format_in_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".policyproof.yaml").write_text("formats:\n  disable: [cobol]\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert "cobol" in capsys.readouterr().err


def test_baseline_write_then_only_new_failures_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "old.tf").write_text('resource "aws_s3_bucket" "old" {}\n')
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", "write", str(tmp_path), "--output", str(baseline)]) == 0
    assert main(["scan", str(tmp_path), "--baseline", str(baseline)]) == 0
    (tmp_path / "new.tf").write_text('resource "aws_s3_bucket" "new" {}\n')
    assert main(["scan", str(tmp_path), "--baseline", str(baseline)]) == 1


def test_waivers_named_in_config_apply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.tf").write_text('resource "aws_s3_bucket" "old" {}\n')
    (tmp_path / "waivers.yaml").write_text(
        "waivers:\n  - rule: PP-ENC-001\n    resource: aws_s3_bucket.old\n    owner: sre@acme.test\n"
        "    reason: removed next sprint\n    expires: 2999-01-01\n")
    (tmp_path / ".policyproof.yaml").write_text("waivers: waivers.yaml\n")
    code, report = scan_json(tmp_path, capsys=capsys)
    assert code == 0 and report["results"][0]["status"] == "waived"


def test_an_invalid_waiver_file_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "waivers.yaml").write_text("waivers:\n  - rule: PP-ENC-001\n    owner: me\n    reason: r\n")
    (tmp_path / ".policyproof.yaml").write_text("waivers: waivers.yaml\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert "expires" in capsys.readouterr().err


def git(cwd: Path, *args: str) -> None:
    import subprocess

    env = {"GIT_AUTHOR_NAME": "d", "GIT_AUTHOR_EMAIL": "d@x", "GIT_COMMITTER_NAME": "d", "GIT_COMMITTER_EMAIL": "d@x",
           "PATH": __import__("os").environ["PATH"], "HOME": str(cwd)}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_changed_since_reports_only_changed_files_but_loads_all(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.tf").write_text('resource "aws_s3_bucket" "old" {}\n')
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "old")
    (tmp_path / "bucket.tf").write_text('resource "aws_s3_bucket" "docs" {}\n')
    (tmp_path / "sse.tf").write_text(
        'resource "aws_s3_bucket_server_side_encryption_configuration" "docs" {\n  bucket = aws_s3_bucket.docs.id\n'
        '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "AES256"\n    }\n  }\n}\n')
    code, report = scan_json(tmp_path, "--changed-since", "HEAD", capsys=capsys)
    assert code == 0 and {r["resource"]["address"] for r in report["results"]} == {"aws_s3_bucket.docs"}


def test_changed_since_an_unknown_ref_exits_2(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    assert main(["scan", str(tmp_path), "--changed-since", "nope"]) == 2


def test_init_writes_a_configuration_that_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert main(["init"]) == 2
    assert main(["scan", "."]) == 0


def test_the_hook_reports_only_the_given_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "old.tf").write_text('resource "aws_s3_bucket" "old" {}\n')
    (tmp_path / "infra" / "ok.tf").write_text(ENCRYPTED_BUCKET)
    monkeypatch.chdir(tmp_path)
    assert main(["hook", "infra/ok.tf"]) == 0
    assert main(["hook", "infra/old.tf", "README.md"]) == 1
    assert "infra/old.tf:1 FAIL PP-ENC-001" in capsys.readouterr().out


def test_the_hook_judges_vendors_against_the_register_at_the_root(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "requirements.txt").write_text("stripe==10.0.0\n")
    (tmp_path / "subprocessors.yaml").write_text(
        "home_region: EU\nsubprocessors:\n  - id: stripe\n    name: Stripe\n    purpose: Payments\n"
        "    locations: [IE]\n    dpa: https://stripe.example/dpa\n")
    monkeypatch.chdir(tmp_path)
    assert main(["hook", "app/requirements.txt"]) == 0


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err.splitlines()[-1]


@pytest.mark.parametrize(("argv", "says"), [
    (["frobnicate"], "No such command 'frobnicate'"),
    (["rules", "show"], "Missing argument 'RULE_ID'"),
    (["scan", "--format"], "'--format' requires an argument"),
    (["scan", "--fail-on", "sometimes"], "'sometimes' is not one of"),
])
def test_a_bad_command_line_exits_2_with_a_one_line_reason(argv: list[str], says: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert says in one_line_error(capsys)


def test_an_unreadable_config_exits_2_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "policyproof.yaml"
    config.write_text("fail_on: high\n")
    real_read = Path.read_text

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == config.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", denied)
    assert main(["scan", str(tmp_path), "--config", str(config)]) == 2
    line = one_line_error(capsys)
    assert "policyproof.yaml" in line and "Permission denied" in line


def test_a_config_in_another_encoding_exits_2_naming_the_file(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".policyproof.yaml").write_bytes(b"\xff\xfef\x00a\x00")
    assert main(["scan", str(tmp_path)]) == 2
    assert ".policyproof.yaml: cannot read" in one_line_error(capsys)


def test_a_config_that_is_yaml_but_not_a_mapping_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".policyproof.yaml").write_text("- fail_on: high\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert ".policyproof.yaml: the configuration must be a mapping" in one_line_error(capsys)


def test_a_rule_file_that_is_a_list_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "PP-OWN-001.yaml").write_text("- id: PP-OWN-001\n")
    (tmp_path / ".policyproof.yaml").write_text("rules: [rules]\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert "PP-OWN-001.yaml: a rule file must be a mapping" in one_line_error(capsys)


def test_a_rule_with_an_unknown_commitment_exits_2_naming_file_and_key(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "PP-OWN-001.yaml").write_text(
        "id: PP-OWN-001\nname: own-rule\ntitle: Kept\nmessage: Broken\ncommitment: world-peace\nseverity: high\n"
        "select: {format: terraform, types: [aws_s3_bucket]}\ncondition: {attr: x, exists: true}\n"
        "docs: {what: what it checks here, why: why it matters here, fix: how to fix it here}\n")
    (tmp_path / ".policyproof.yaml").write_text("rules: [rules]\n")
    assert main(["scan", str(tmp_path)]) == 2
    line = one_line_error(capsys)
    assert "PP-OWN-001.yaml: commitment:" in line and "world-peace" in line


def test_an_invalid_personal_data_pattern_exits_2_naming_the_key(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".policyproof.yaml").write_text("personal_data:\n  name_patterns: ['(unclosed']\n")
    assert main(["scan", str(tmp_path)]) == 2
    assert "personal_data.name_patterns: invalid regular expression" in one_line_error(capsys)
