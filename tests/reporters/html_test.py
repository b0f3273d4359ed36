from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.reporters import html
from checker.reporters.common import where
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM after Chromium has loaded the page (and run any script it would run)."""
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`)")
def test_chromium_shows_every_commitment_and_failure_and_runs_no_script(
    report: Report, options: RenderOptions, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(html.render(report, options), encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    assert "<title>Acme Privacy Policy (2025-01-01): evidence</title>" in dom
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)  # type: ignore[union-attr]
    assert "<script" not in dom
    assert "aws_s3_bucket.&lt;script&gt;document.title='pwned'&lt;/script&gt;|`x`" in dom
    for c in report.commitments:
        assert f'id="c-{c.id}"' in dom and c.quote in dom
    for result in report.results:
        if result.status in ("fail", "error"):
            assert where(result) in dom and result.message.replace("<", "&lt;").replace(">", "&gt;") in dom


def test_the_page_loads_nothing_from_elsewhere(report: Report, options: RenderOptions) -> None:
    page = html.render(report, options)
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"(src|href)=", page) and "url(" not in page
    assert "default-src 'none'" in page


def test_rationale_fix_observed_and_expected_are_shown_for_a_failure(report: Report, options: RenderOptions) -> None:
    page = html.render(report, options)
    assert "Why PP-ENC-001 matters." in page and "How to fix PP-ENC-001." in page
    assert "<code>{&quot;equals&quot;: &quot;AES256&quot;}</code>" in page


def test_waivers_attestations_and_input_digests_are_listed(report: Report, options: RenderOptions) -> None:
    page = html.render(report, options)
    assert "<h2>Waivers</h2>" in page and "migrating in Q2" in page
    assert "<h2>Attestations</h2>" in page and "Dana Auditor (CISO)" in page and "c" * 64 in page
    assert "a" * 64 in page and "b" * 64 in page


def test_the_chart_draws_a_bar_per_status_present(report: Report, options: RenderOptions) -> None:
    chart = re.search(r"<svg.*?</svg>", html.render(report, options), re.S).group(0)  # type: ignore[union-attr]
    assert "<title>encryption-at-rest: 1 fail</title>" in chart
    assert "<title>encryption-at-rest: 1 waived</title>" in chart
    assert chart.count("<rect") == 4 + 4  # pass+fail+waived, backups pass; and the legend
