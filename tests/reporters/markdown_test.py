from __future__ import annotations

from checker.reporters import markdown
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report


def test_a_row_per_commitment_with_its_status(report: Report, options: RenderOptions) -> None:
    text = markdown.render(report, options)
    assert "| encryption\\-at\\-rest | ❌ violated | 1 | 1 | 0 | 1 |" in text
    assert "| security\\-audits | ✅ attested |" in text


def test_failing_results_are_listed_with_path_and_line(report: Report, options: RenderOptions) -> None:
    text = markdown.render(report, options)
    failing = text.split("#### Failing and undetermined results")[1].split("<details>")[0]
    assert "infra/s3\\.tf:12 PP\\-ENC\\-001 (high)" in failing and "broken\\.tf:2" in failing
    assert "exports" not in failing


def test_passes_are_folded_away(report: Report, options: RenderOptions) -> None:
    text = markdown.render(report, options)
    assert "<details><summary>2 passing results</summary>" in text


def test_scanned_values_cannot_inject_markup() -> None:
    escaped = markdown.escape("a|b `c` <img src=x> *d* [e](f) @team\nnext")
    assert "|" not in escaped.replace("\\|", "") and "`" not in escaped.replace("\\`", "")
    assert "<img" not in escaped and "&lt;img" in escaped
    assert "@" not in escaped and "\n" not in escaped


def test_a_long_list_is_capped(report: Report, options: RenderOptions) -> None:
    many = [report.results[0].model_copy(update={"location": report.results[0].location.model_copy(  # type: ignore[union-attr]
        update={"line": n})}) for n in range(1, 81)]
    text = markdown.render(report.model_copy(update={"results": many}), options)
    assert "… and 30 more" in text
