"""An evidence bundle: every report format at once, and a manifest that pins what they were made from.

The manifest names every input (scanned files, policy, rules, configuration,
attestations and their evidence) and every output with its SHA-256, the tool
and rule versions, the git commit of the scanned tree, and the time of the
report, taken from ``SOURCE_DATE_EPOCH`` when set, so rebuilding the bundle
from the same inputs gives the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.policies import bundled_policy_path
from checker.reporters import REPORTERS
from checker.reporters.options import RenderOptions
from checker.scan import RuleSet
from policy_spec.config import Config
from policy_spec.evidence import Report

FILE_NAMES = {
    "csv": "results.csv",
    "html": "report.html",
    "json": "evidence.json",
    "junit": "junit.xml",
    "markdown": "summary.md",
    "oscal": "oscal-assessment-results.json",
    "sarif": "policyproof.sarif",
    "text": "report.txt",
}
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Input:
    """A file the report depends on besides the scanned ones, under a name that does not depend on the machine."""

    name: str
    role: str
    sha256: str


def file_input(name: str, role: str, path: Path) -> Input:
    return Input(name, role, sha256(path.read_bytes()))


def inputs_of(config: Config, config_file: Path | None, base: Path, rules: RuleSet, report: Report) -> list[Input]:
    """Everything besides the scanned files that decided the verdicts, named relative to the configuration."""
    found = [file_input(config_file.name, "config", config_file)] if config_file else []
    policy = (base / config.policy, config.policy) if config.policy else (bundled_policy_path(), "(bundled policy)")
    found.append(file_input(policy[1], "policy", policy[0]))
    found += [file_input(f"{path.parent.name}/{path.name}", "rule", path) for path in rules.files]
    found += [file_input(name, "attestations", base / name) for name in config.attestations]
    found += [Input(ref.ref, "attestation-evidence", ref.sha256)
              for record in report.attestations for ref in record.evidence if ref.sha256]
    if config.waivers:
        found.append(file_input(config.waivers, "waivers", base / config.waivers))
    return list({(i.name, i.role): i for i in found}.values())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_bundle(report: Report, options: RenderOptions, out: Path, extra: list[Input], root: Path) -> list[Path]:
    """Write every format and the manifest into ``out``; return the files written, manifest last."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, str, bytes]] = []
    for fmt in sorted(REPORTERS):
        data = REPORTERS[fmt].render(report, options).encode("utf-8")
        name = FILE_NAMES.get(fmt, f"report.{fmt}")
        (out / name).write_bytes(data)
        written.append((name, fmt, data))
    manifest = json.dumps(_manifest(report, options, written, extra, root), indent=2, sort_keys=True) + "\n"
    (out / MANIFEST).write_text(manifest, encoding="utf-8")
    return [out / name for name, _, _ in written] + [out / MANIFEST]


def _manifest(report: Report, options: RenderOptions, written: list[tuple[str, str, bytes]], extra: list[Input],
              root: Path) -> dict[str, Any]:
    scanned = [{"path": i.path, "role": "scanned", "format": i.format, "sha256": i.sha256} for i in report.inputs]
    others = [{"path": i.name, "role": i.role, "sha256": i.sha256} for i in sorted(extra, key=lambda i: i.name)]
    return {
        "schema_version": "1",
        "tool": {"name": "policyproof", "version": report.tool.version},
        "rules": {"version": report.tool.rules_version, "count": len(options.rules)},
        "policy": {"id": report.policy.id, "version": report.policy.version},
        "generated_at": options.generated.isoformat().replace("+00:00", "Z"),
        "git": git_state(root),
        "root": report.root,
        "inputs": scanned + others,
        "outputs": [{"path": name, "format": fmt, "sha256": sha256(data)} for name, fmt, data in written],
    }


def git_state(folder: Path) -> dict[str, Any] | None:
    """The commit checked out at ``folder`` and whether the tree differs from it; None outside git."""
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return None
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
