"""The subprocessor inventory as a terminal table, JSON, or a Markdown table for the public page."""
from __future__ import annotations

import json

from checker.subprocessors.inventory import Inventory, Vendor

FORMATS = ("table", "json", "markdown")
_WORDS = {"undisclosed": "NOT IN REGISTER", "disclosed": "in register", "not-detected": "not detected (stale?)"}


def render(inventory: Inventory, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(inventory.as_dict(), indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(inventory)
    return _table(inventory)


def _table(inventory: Inventory) -> str:
    rows = [("VENDOR", "CATEGORY", "STATUS", "FOUND AT")]
    for vendor in inventory.vendors:
        places = vendor.found_at or ["-"]
        rows.append((f"{vendor.name} ({vendor.id})", vendor.category or "-", _WORDS[vendor.status], places[0]))
        rows.extend(("", "", "", place) for place in places[1:])
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip()
             for row in rows]
    lines.append("")
    lines.append(_summary(inventory))
    lines.extend(f"error: {error}" for error in inventory.errors)
    return "\n".join(lines) + "\n"


def _markdown(inventory: Inventory) -> str:
    lines = ["| Subprocessor | Purpose | Data | Locations | Safeguard | Status | Found at |",
             "|---|---|---|---|---|---|---|"]
    for vendor in inventory.vendors:
        entry = vendor.register or {}
        safeguards = [entry["safeguard"]] if entry.get("safeguard") else []
        safeguards += [f"{country}: {s}" for country, s in (entry.get("safeguards") or {}).items()]
        lines.append("| " + " | ".join(_cell(text) for text in (
            _name(vendor, entry), entry.get("purpose") or "", ", ".join(entry.get("data_categories") or []),
            ", ".join(entry.get("locations") or []), ", ".join(safeguards), _WORDS[vendor.status],
            "<br>".join(vendor.found_at))) + " |")
    lines.append("")
    lines.append(_summary(inventory))
    return "\n".join(lines) + "\n"


def _name(vendor: Vendor, entry: dict[str, object]) -> str:
    name = str(entry.get("name") or vendor.name)
    dpa = entry.get("dpa")
    return f"[{name}]({dpa})" if isinstance(dpa, str) and dpa.startswith("https://") else name


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _summary(inventory: Inventory) -> str:
    counts = {status: sum(v.status == status for v in inventory.vendors) for status in _WORDS}
    register = inventory.register or "no register found (create subprocessors.yaml)"
    return (f"{counts['undisclosed']} detected but not in the register, {counts['disclosed']} in the register, "
            f"{counts['not-detected']} in the register but not detected; register: {register}")
