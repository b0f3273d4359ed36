"""What scanning untrusted files may never do: run code, hang, leak a secret, break a report, reach the network."""
from __future__ import annotations

import base64
import json
import socket
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.cli import main
from checker.reporters import REPORTERS
from checker.reporters.options import RenderOptions
from checker.scan import rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import Report
from timeouts import time_limit

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def render_all(report: Report, config: Config | None = None) -> dict[str, str]:
    rules = rule_set(config or Config())
    options = RenderOptions(verbose=True, rules=tuple(rules.rules))
    return {fmt: module.render(report, options) for fmt, module in REPORTERS.items()}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


# --- YAML is always loaded safely -------------------------------------------------------------------------

def exploit(marker: Path) -> str:
    return f"!!python/object/apply:os.system ['touch {marker}']"


def test_no_yaml_format_executes_a_python_tag(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = exploit(marker)
    write_tree(tmp_path / "repo", {
        "k8s/deploy.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {payload}\n",
        "docker-compose.yml": f"services:\n  api:\n    image: {payload}\n",
        "cfn/template.yaml": f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: {payload}\n",
        "subprocessors.yaml": f"subprocessors:\n  - {payload}\n",
        "policy.yaml": f"id: {payload}\n",
        "waivers.yaml": f"waivers:\n  - {payload}\n",
        "attestations.yaml": f"attestations:\n  - {payload}\n",
        "rules/PP-OWN-001.yaml": f"id: {payload}\n",
    })
    repo = tmp_path / "repo"
    assert main(["scan", str(repo), "--format", "json"]) in (0, 1)
    for key, name in [("waivers", "waivers.yaml"), ("attestations", "[attestations.yaml]"),
                      ("rules", "[rules]"), ("policy", "policy.yaml")]:
        (repo / ".policyproof.yaml").write_text(f"{key}: {name}\n")
        assert main(["scan", str(repo)]) == 2
    (repo / ".policyproof.yaml").write_text(f"exclude: [{payload}]\n")
    assert main(["scan", str(repo)]) == 2
    assert not marker.exists()


# --- rules never make a scan hang --------------------------------------------------------------------------

CATASTROPHIC_RULE = (
    "id: PP-OWN-001\nname: catastrophic-pattern\ntitle: Name is all a\nmessage: Name is not all a\n"
    "commitment: encryption-at-rest\nseverity: low\nselect: {format: terraform, types: [aws_s3_bucket]}\n"
    "condition: {attr: bucket, regex: '(a+)+$'}\n"
    "docs: {what: what it checks here, why: why it matters here, fix: how to fix it here}\n"
)


def test_a_catastrophic_pattern_on_a_long_value_does_not_hang_the_scan(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "PP-OWN-001.yaml").write_text(CATASTROPHIC_RULE)
    (tmp_path / "main.tf").write_text(f'resource "aws_s3_bucket" "b" {{\n  bucket = "{"a" * 50_000}b"\n}}\n')
    config = Config(bundled_rules=False, rules=["rules"])
    with time_limit(20):
        report = scan([tmp_path], config, rule_set(config, tmp_path))
    assert [(r.rule, r.status) for r in report.results] == [("PP-OWN-001", "fail")]


def test_a_pattern_that_needs_backtracking_is_a_rule_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "PP-OWN-001.yaml").write_text(CATASTROPHIC_RULE.replace("(a+)+$", "^(a)\\1$"))
    (tmp_path / ".policyproof.yaml").write_text("rules: [rules]\n")
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "PP-OWN-001.yaml:8: condition.regex: invalid regular expression" in err and "Traceback" not in err


def test_a_catastrophic_personal_data_pattern_does_not_hang_the_scan(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(f'resource "aws_s3_bucket" "{"a" * 5000}b" {{}}\n')
    config = Config.model_validate({"personal_data": {"name_patterns": ["(a+)+$"]}})
    with time_limit(20):
        report = scan([tmp_path], config, rule_set(config))
    assert report.results


# --- scanned content is escaped in every report ------------------------------------------------------------

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_VALUE = "a|b `c` ]]> </testcase> <x>"


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("hostile-names")
    (root / "main.tf").write_text(
        f'resource "aws_s3_bucket" "b" {{\n  bucket = "{HOSTILE_NAME}"\n}}\n'
        f'resource "aws_db_instance" "d" {{\n  engine = "postgres"\n  storage_encrypted = "{HOSTILE_VALUE}"\n}}\n')
    (root / "ingress.yaml").write_text(
        f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: '{HOSTILE_NAME}'\n  annotations:\n"
        "    nginx.ingress.kubernetes.io/ssl-redirect: 'false'\n"
        "spec:\n  rules:\n    - host: shop.example.com\n")
    report = scan([root], Config(), rule_set(Config()))
    assert any(HOSTILE_VALUE in json.dumps(r.observed) for r in report.results if r.status == "fail")
    assert any(r.resource and HOSTILE_NAME in r.resource.name for r in report.results if r.status == "fail")
    return render_all(report)


def test_html_never_carries_scanned_markup(hostile_outputs: dict[str, str]) -> None:
    html = hostile_outputs["html"]
    assert "<script" not in html.lower() and "<x>" not in html
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    Tags().feed(html)
    assert "script" not in tags and "x" not in tags


def test_junit_stays_well_formed_xml_and_keeps_the_text(hostile_outputs: dict[str, str]) -> None:
    tree = ET.fromstring(hostile_outputs["junit"])
    text = "".join(tree.itertext()) + " ".join(v for e in tree.iter() for v in e.attrib.values())
    assert HOSTILE_VALUE in text and HOSTILE_NAME in text


def test_sarif_stays_valid_json_and_keeps_the_text(hostile_outputs: dict[str, str]) -> None:
    found = json.dumps(json.loads(hostile_outputs["sarif"]), ensure_ascii=False)
    assert HOSTILE_VALUE in found and HOSTILE_NAME in found


def test_markdown_never_carries_scanned_markup_or_breaks_a_table(hostile_outputs: dict[str, str]) -> None:
    markdown = hostile_outputs["markdown"]
    assert "<script>" not in markdown and "`c`" not in markdown and "a|b" not in markdown
    assert "a\\|b" in markdown and "alert" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    widths = {line.replace("\\|", "").count("|") for line in rows if "alert" in line or "testcase" in line}
    header_widths = {line.count("|") for line in rows if set(line) <= set("|-: ")}
    assert widths <= header_widths


# --- secrets found in manifests never appear in any output ------------------------------------------------

K8S_SECRET = "K8sSecretQ9"
SECRETS = {
    "ComposeSecretQ1", "ComposeSecretQ2", "ComposeSecretQ3", "EnvSecretQ4", "EnvSecretQ5", "sk_live_EnvSecretQ6",
    "TfSecretQ7", "TfSecretQ8", K8S_SECRET, base64.b64encode(K8S_SECRET.encode()).decode(), "K8sSecretQ10",
    "c2hvcnQta2V5LVExMQ==", "CfnSecretQ12", "SupabaseSecretQ13", "SupabaseSecretQ14",
}
SECRET_TREE = {
    "docker-compose.yml": (
        "services:\n  api:\n    image: acme/api:1.4\n    environment:\n"
        "      DATABASE_URL: postgres://app:ComposeSecretQ1@db.acme-prod.com:5432/app?sslmode=disable\n"
        "      POSTGRES_PASSWORD: ComposeSecretQ2\n"
        "      REDIS_URL: redis://:ComposeSecretQ3@cache.acme-prod.com:6379/0\n"),
    ".env": ("DATABASE_URL=postgresql://app:EnvSecretQ4@db.acme-prod.com/app?sslmode=prefer&password=EnvSecretQ5\n"
             "STRIPE_API_KEY=sk_live_EnvSecretQ6\n"),
    "infra/db.tf": (
        'resource "aws_db_instance" "main" {\n  identifier = "customers"\n  engine = "postgres"\n'
        '  password = "TfSecretQ7"\n  storage_encrypted = false\n}\n'
        'resource "aws_rds_cluster" "c" {\n  engine = "aurora-postgresql"\n  master_password = "TfSecretQ8"\n}\n'),
    "k8s/secret.yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\n"
        f"data:\n  password: {base64.b64encode(K8S_SECRET.encode()).decode()}\nstringData:\n  token: K8sSecretQ10\n"),
    "k8s/encryption.yaml": (
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
        "  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n"
        "              secret: c2hvcnQta2V5LVExMQ==\n      - identity: {}\n"),
    "cfn/db.yaml": (
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  DbPassword:\n    Type: String\n    NoEcho: true\n'
        "    Default: CfnSecretQ12\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
        "      Engine: postgres\n      MasterUserPassword: !Ref DbPassword\n      StorageEncrypted: false\n"),
    "supabase/config.toml": (
        'project_id = "acme"\n[api]\nenabled = true\n[db]\nport = 54322\n[auth]\nsite_url = "http://localhost:3000"\n'
        '[auth.external.github]\nenabled = true\nclient_id = "gh-client"\nsecret = "SupabaseSecretQ13"\n'
        '[auth.sms.twilio]\nenabled = true\naccount_sid = "AC123"\nauth_token = "SupabaseSecretQ14"\n'),
}


def test_no_secret_of_any_manifest_reaches_any_report(tmp_path: Path) -> None:
    write_tree(tmp_path, SECRET_TREE)
    report = scan([tmp_path], Config(), rule_set(Config()))
    assert len({i.format for i in report.inputs}) >= 6 and len(report.results) >= 10
    for fmt, text in render_all(report).items():
        leaked = {s for s in SECRETS if s in text}
        assert not leaked, f"{fmt} shows {leaked}"


def test_no_secret_reaches_a_report_bundle(tmp_path: Path) -> None:
    write_tree(tmp_path / "repo", SECRET_TREE)
    assert main(["report", str(tmp_path / "repo"), "--out", str(tmp_path / "out")]) in (0, 1)
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not {s for s in SECRETS if s in text}, path.name


# --- no network access unless a live check is asked for -----------------------------------------------------

def test_a_full_scan_in_every_format_never_opens_a_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access during an offline scan")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for fmt in REPORTERS:
        assert main(["scan", str(DEMO), "--format", fmt, "-o", str(tmp_path / f"out.{fmt}")]) == 1
    assert main(["report", str(DEMO), "--out", str(tmp_path / "bundle")]) == 1
    assert attempts == []
