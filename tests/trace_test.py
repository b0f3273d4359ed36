from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main
from checker.policies import load_policy, policy_text
from checker.trace import nearest, plain_text, trace
from policy_spec.evidence import AttestationRecord

POLICY = load_policy()
TEXT = policy_text(POLICY) or ""


def _record(state: str) -> AttestationRecord:
    return AttestationRecord.model_validate({
        "commitment": "security-audits", "by": "Dana", "date": "2025-01-10", "statement": "pentest",
        "evidence": [{"ref": "https://example.com/x"}], "expires": "2026-01-10", "state": state, "source": "a.yaml"})


def test_html_is_read_as_the_words_a_reader_sees() -> None:
    page = ("<html><head><title>x</title><style>p{}</style></head><body><p>Data <b>encryption</b> in\n"
            "transit&nbsp;(TLS&#32;1.2+)</p><script>var s = 'hidden';</script></body></html>")
    assert plain_text(page, "privacy.html") == "Data encryption in transit (TLS 1.2+)"


def test_markdown_is_read_without_its_markup() -> None:
    document = "# Privacy\n\n- Data **encryption** in transit\n  (`TLS 1.2+`)\n\n[Subprocessors](https://x.y)\n"
    assert plain_text(document, "PRIVACY.md") == "Privacy Data encryption in transit (TLS 1.2+) Subprocessors"


def test_the_bundled_text_keeps_every_quote() -> None:
    traced = trace(POLICY, [], [], plain_text(TEXT, "policy.txt"))
    assert all(t.quote_found for t in traced)


def test_an_edited_clause_is_drift_with_what_the_text_now_says() -> None:
    edited = TEXT.replace("TLS 1.2+", "TLS 1.0+")
    (drifted,) = [t for t in trace(POLICY, [], [], plain_text(edited, "p.txt")) if t.verdict == "drift"]
    assert drifted.commitment == "encryption-in-transit" and drifted.nearest is not None
    assert "TLS 1.0+" in drifted.nearest


def test_a_commitment_without_rules_or_current_attestation_is_a_gap() -> None:
    words = plain_text(TEXT, "p.txt")
    verdicts = {t.commitment: t.verdict for t in trace(POLICY, [], [_record("expired")], words)}
    assert verdicts["security-audits"] == "gap"
    verdicts = {t.commitment: t.verdict for t in trace(POLICY, [], [_record("valid")], words)}
    assert verdicts["security-audits"] == "ok"


def test_nothing_near_a_quote_gives_no_suggestion() -> None:
    assert nearest("Data encryption in transit (TLS 1.2+)", "We bake bread every morning in our shop") is None


def test_trace_exits_1_on_drift_and_0_when_quotes_stand(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "privacy.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "edited.html").write_text("<p>" + TEXT.replace("90 days", "180 days") + "</p>", encoding="utf-8")
    assert main(["trace", "privacy.md"]) == 0
    assert main(["trace", "edited.html"]) == 1
    assert "drift  retention: the quote is no longer in the document" in capsys.readouterr().out


