from __future__ import annotations

import json
from pathlib import Path

from checker.cli import main
from checker.subprocessors.inventory import collect
from policy_spec.config import Config

FIXTURE = Path(__file__).parents[2] / "fixtures" / "PP-SUB-001" / "fail" / "undisclosed"


def test_the_inventory_diffs_detected_vendors_against_the_register() -> None:
    inventory = collect([FIXTURE], Config())
    statuses = {v.id: v.status for v in inventory.vendors}
    assert statuses == {"datadog": "undisclosed", "openai": "undisclosed", "stripe": "disclosed",
                        "supabase": "disclosed"}
    stripe = next(v for v in inventory.vendors if v.id == "stripe")
    assert stripe.found_at == ["package.json:5 (package @stripe/stripe-js)", "package.json:9 (package stripe)"]
    assert stripe.register is not None and stripe.register["safeguard"] == "dpf"


def test_a_registered_vendor_detected_nowhere_is_listed_as_not_detected(tmp_path: Path) -> None:
    (tmp_path / "subprocessors.yaml").write_text("home_region: EU\nsubprocessors:\n  - {id: mailgun, name: Mailgun}\n")
    inventory = collect([tmp_path], Config())
    assert [(v.id, v.status) for v in inventory.vendors] == [("mailgun", "not-detected")]


def test_the_command_prints_json_and_fails_on_undisclosed_vendors(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["subprocessors", str(FIXTURE), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["register"] == "subprocessors.yaml"
    assert [v["id"] for v in data["vendors"] if v["status"] == "undisclosed"] == ["datadog", "openai"]


def test_the_markdown_table_links_each_disclosed_vendor_to_its_dpa(capsys) -> None:  # type: ignore[no-untyped-def]
    main(["subprocessors", str(FIXTURE), "--format", "markdown"])
    out = capsys.readouterr().out
    assert "| [Stripe Payments Europe, Ltd.](https://stripe.com/legal/dpa) | Payment processing |" in out


def test_the_command_passes_when_every_detected_vendor_is_registered(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "requirements.txt").write_text("openai==2.31.0\n")
    (tmp_path / "subprocessors.yaml").write_text("home_region: [US]\nsubprocessors:\n  - {id: openai, name: OpenAI}\n")
    assert main(["subprocessors", str(tmp_path)]) == 0
    assert "OpenAI (openai)" in capsys.readouterr().out
