from __future__ import annotations

import datetime as dt
import marshal
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker import replay
from checker.__main__ import run
from checker.cachefiles import SIGNATURE_BYTES, signed
from checker.reporters import REPORTERS
from checker.reporters.options import RenderOptions
from checker.scan import rule_set, scan
from checker.sources import SourceFile
from policy_spec.config import Config

UNENCRYPTED = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
MARK = b"replayed\n"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache of its own, and files trusted as soon as they are written (real scans wait two seconds)."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("POLICYPROOF_CACHE_DIR", raising=False)
    monkeypatch.delenv("POLICYPROOF_NO_CACHE", raising=False)
    monkeypatch.setattr(replay, "MARGIN_NS", 0)
    yield home


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text(UNENCRYPTED)
    monkeypatch.chdir(tmp_path)
    return root


def stored(home: Path) -> list[Path]:
    return sorted(p for p in (home / "policyproof" / "replay").rglob("*") if p.is_file())


def mark_stored_reports(home: Path) -> None:
    """Swap each stored report for a marker, signed as the tool would: a run that prints the marker replayed."""
    key = (home / "policyproof" / "key").read_bytes()
    for path in stored(home):
        tool, day, dependencies, destination, _, code = marshal.loads(path.read_bytes()[SIGNATURE_BYTES:])
        path.write_bytes(signed(key, marshal.dumps((tool, day, dependencies, destination, MARK, code))))


def scan_json(out: Path, *extra: str) -> tuple[int, bytes]:
    code = run(["scan", "infra", "--format", "json", "-o", str(out), *extra])
    return code, out.read_bytes()


def replays(out: Path, home: Path, *extra: str) -> bool:
    """Whether scanning ``infra`` again is answered from the stored entry."""
    mark_stored_reports(home)
    return scan_json(out, *extra)[1] == MARK


def test_a_repeated_scan_writes_the_stored_report_and_exit_code(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    first = scan_json(out)

    again = scan_json(out)

    assert first[0] == again[0] == 1
    assert again[1] == first[1]
    assert replays(out, cache_home)


def test_a_replayed_report_is_the_report_a_full_scan_writes(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    scan_json(out)
    replayed = scan_json(out)

    full = scan_json(tree.parent / "full.json", "--no-cache")

    assert replayed == full


def test_an_edited_file_is_scanned_again(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)

    (tree / "main.tf").write_text(UNENCRYPTED.replace("logs", "audit"))

    code, report = scan_json(out)
    assert report != MARK and b'"audit"' in report and code == 1


def test_a_new_file_in_a_scanned_folder_is_scanned(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)

    (tree / "modules").mkdir()
    (tree / "modules" / "extra.tf").write_text(UNENCRYPTED)

    assert b"modules/extra.tf" in scan_json(out)[1]


def test_a_removed_file_is_noticed(cache_home: Path, tree: Path) -> None:
    (tree / "other.tf").write_text(UNENCRYPTED)
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)

    (tree / "other.tf").unlink()

    report = scan_json(out)[1]
    assert report != MARK and b"other.tf" not in report


def test_a_configuration_that_appears_beside_a_scanned_file_is_read(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    argv = ["scan", "infra/main.tf", "--format", "json", "-o", str(out)]
    run(argv)
    mark_stored_reports(cache_home)

    (tree / ".policyproof.yaml").write_text("disable: [PP-ENC-001]\n")

    run(argv)
    assert out.read_bytes() != MARK and b"PP-ENC-001" not in out.read_bytes()


def test_an_edited_rule_is_applied(cache_home: Path, tree: Path) -> None:
    rules = tree.parent / "company-rules"
    rules.mkdir()
    (tree / ".policyproof.yaml").write_text("rules: [../company-rules]\n")
    out = tree.parent / "report.json"
    first = scan_json(out)[1]
    mark_stored_reports(cache_home)

    bundled = Path(__file__).resolve().parent.parent / "rules" / "encryption-at-rest" / "PP-ENC-001.yaml"
    (rules / "PP-ENC-900.yaml").write_text(bundled.read_text().replace("PP-ENC-001", "PP-ENC-900"))

    report = scan_json(out)[1]
    assert report not in (MARK, first) and b"PP-ENC-900" in report


def test_an_edited_waiver_file_is_read(cache_home: Path, tree: Path) -> None:
    (tree / ".policyproof.yaml").write_text("waivers: waivers.yaml\n")
    (tree / "waivers.yaml").write_text("waivers: []\n")
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)

    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    (tree / "waivers.yaml").write_text(
        f"waivers:\n- rule: PP-ENC-001\n  reason: logs are public\n  owner: sec@example.com\n  expires: {expires}\n")

    report = scan_json(out)[1]
    assert report != MARK and b'"waived"' in report


def test_other_arguments_are_not_answered_by_another_scans_report(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)

    assert b"<testsuite" in scan_json(out, "--format", "junit")[1]


def test_a_changed_setting_in_the_environment_is_a_new_scan(cache_home: Path, tree: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")

    assert scan_json(out)[1] != MARK


def test_a_report_made_on_another_day_is_not_replayed(cache_home: Path, tree: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tree.parent / "report.json"
    with monkeypatch.context() as yesterday:
        yesterday.setattr(replay, "_today", lambda: "2000-01-01")
        scan_json(out)
    assert len(stored(cache_home)) == 1

    assert not replays(out, cache_home)


def test_a_report_that_carries_the_time_is_never_stored(cache_home: Path, tree: Path) -> None:
    run(["scan", "infra", "--format", "html", "-o", str(tree.parent / "report.html")])

    assert stored(cache_home) == []


def test_no_cache_neither_stores_nor_replays(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    scan_json(out, "--no-cache")
    assert stored(cache_home) == []

    scan_json(out)
    mark_stored_reports(cache_home)
    assert scan_json(out, "--no-cache")[1] != MARK


def test_a_scan_that_ends_in_a_usage_error_is_not_stored(cache_home: Path, tree: Path) -> None:
    (tree / ".policyproof.yaml").write_text("fail_on: sometimes\n")

    assert run(["scan", "infra", "-o", str(tree.parent / "report.txt")]) == 2
    assert stored(cache_home) == []


def test_files_changed_while_the_scan_ran_are_not_trusted(cache_home: Path, tree: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "MARGIN_NS", 10 * 1_000_000_000)

    scan_json(tree.parent / "report.json")

    assert stored(cache_home) == []


def test_a_read_that_cannot_be_noted_down_fails_no_scan_and_stores_nothing(cache_home: Path, tree: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise ValueError("cannot note")

    monkeypatch.setattr(replay, "_note", broken)

    code, report = scan_json(tree.parent / "report.json")

    assert code == 1 and b"PP-ENC-001" in report
    assert stored(cache_home) == []


def test_an_entry_signed_by_another_key_is_not_replayed(cache_home: Path, tree: Path) -> None:
    out = tree.parent / "report.json"
    scan_json(out)
    mark_stored_reports(cache_home)
    (cache_home / "policyproof" / "key").write_bytes(os.urandom(32))

    assert scan_json(out)[1] != MARK


def test_a_report_on_standard_output_is_replayed_byte_for_byte(cache_home: Path, tree: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    run(["scan", "infra"])
    first = capsys.readouterr().out

    code = run(["scan", "infra"])

    assert (code, capsys.readouterr().out) == (1, first)
    assert len(stored(cache_home)) == 1


def test_every_reporter_without_a_timestamp_renders_the_same_at_any_time() -> None:
    rules = rule_set(Config())
    report = scan([Path(__file__).resolve().parent.parent / "fixtures" / "demo"], Config(), rules)
    for name in sorted(REPORTERS):
        reporter = REPORTERS[name]
        early, late = (reporter.render(report, RenderOptions(rules=tuple(rules.rules), generated=moment))
                       for moment in (dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
                                      dt.datetime(2030, 6, 30, 12, 0, 1, tzinfo=dt.timezone.utc)))
        assert (early != late) == getattr(reporter, "STAMPED", False), name


def test_the_command_replays_a_repeated_scan(tmp_path: Path) -> None:
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text(UNENCRYPTED)
    time.sleep(replay.MARGIN_NS / 1e9 + 0.1)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache-home")}
    env.pop("POLICYPROOF_CACHE_DIR", None)

    def command() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "checker", "scan", str(root)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    first = command()
    mark_stored_reports(tmp_path / "cache-home")
    again = command()

    assert first.returncode == again.returncode == 1 and "PP-ENC-001" in first.stdout
    assert (again.stdout, again.stderr) == (MARK.decode(), "")


def test_what_was_digested_before_the_scan_ended_is_not_read_again(
        cache_home: Path, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    replay.record(["scan", "infra"])
    list(os.scandir(tree))
    replay.settle()
    read_again: list[str] = []
    monkeypatch.setattr(replay, "_digest", lambda kind, path: read_again.append(path))

    replay.offer("report", tree.parent / "report.txt")
    replay.finish(0)

    assert read_again == [] and len(stored(cache_home)) == 1


def test_a_folder_changed_before_it_was_digested_is_not_trusted(cache_home: Path, tree: Path) -> None:
    replay.record(["scan", "infra"])
    list(os.scandir(tree))
    time.sleep(0.05)  # file times come from a clock that may lag the scan's start by a tick
    (tree / "new.tf").write_text(UNENCRYPTED)
    replay.settle()

    replay.offer("report", tree.parent / "report.txt")
    replay.finish(0)

    assert stored(cache_home) == []


def test_a_folder_changed_after_it_was_digested_is_scanned_again(cache_home: Path, tree: Path) -> None:
    replay.record(["scan", "infra"])
    list(os.scandir(tree))
    replay.settle()
    (tree / "new.tf").write_text(UNENCRYPTED)
    replay.offer("report", tree.parent / "report.txt")
    replay.finish(0)

    assert replay.replayed(["scan", "infra"]) is None


def test_an_input_changed_after_it_was_read_is_scanned_again(cache_home: Path, tree: Path) -> None:
    replay.record(["scan", "infra"])
    replay.read(str(tree / "main.tf"), SourceFile("main.tf", (tree / "main.tf").read_bytes()))
    replay.settle()
    time.sleep(0.05)
    (tree / "main.tf").write_text(UNENCRYPTED + "# edited\n")
    replay.offer("report", tree.parent / "report.txt")
    replay.finish(0)

    assert replay.replayed(["scan", "infra"]) is None
