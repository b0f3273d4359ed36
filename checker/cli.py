"""The command line: ``policyproof scan``, ``policyproof rules list|show|test``, ``policyproof policy check``.

Exit codes: 0 nothing fails at or above the threshold; 1 failing or error
results; 2 a usage or configuration error (bad flag, invalid rule or config);
3 an internal error, reported in one line rather than a traceback.
"""
from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import click

from checker import __version__, cache, replay
from checker.clock import now
from checker.config import CONFIG_NAMES, find_config, load_config
from checker.errors import CheckerError
from checker.policies import load_policy, policy_text, stale_quotes
from checker.reporters import REPORTERS
from checker.reporters.options import RenderOptions
from checker.exempt import Exemptions, baseline_of
from checker.scan import RuleSet, failing, rule_set, scan, scan_folders, scan_root
from checker.waivers import load_baseline, load_waivers, write_baseline
from policy_spec.config import Config
from policy_spec.rule import SEVERITIES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="policyproof",
                          standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except CheckerError as exc:
        click.echo(f"policyproof: error: {exc}", err=True)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a gate must fail with a message, never a traceback
        if os.environ.get("POLICYPROOF_DEBUG"):
            raise
        click.echo(f"policyproof: internal error: {type(exc).__name__}: {exc} "
                   "(set POLICYPROOF_DEBUG=1 for the traceback, and please report it)", err=True)
        return EXIT_INTERNAL
    return int(result or 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policyproof")
def cli() -> None:
    """Check a privacy policy's promises against the infrastructure that runs the service."""


def _config(config_path: Path | None, near: Path) -> tuple[Config, Path]:
    path = config_path or find_config(near)
    config = load_config(path)
    return config, (path.parent if path else Path.cwd())


@cli.command("scan")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that fails (default: low).")
@click.option("--verbose", "-v", is_flag=True, help="List passing results too.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when on a terminal).")
@click.option("--baseline", "baseline_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Failures recorded by `baseline write` do not fail the gate; only new ones do.")
@click.option("--changed-since", metavar="REF", help="Report only files changed since this git ref (all are loaded).")
@click.option("--db", "db_url", metavar="URL", envvar="POLICYPROOF_DB",
              help="Also check a live PostgreSQL database, read-only (postgresql://user:pass@host/db, or the "
              "POLICYPROOF_DB variable); without PATHS only the database is checked.")
@click.option("--no-cache", is_flag=True, envvar="POLICYPROOF_NO_CACHE",
              help="Parse and evaluate every file again instead of reusing what an earlier scan of the same "
              "files, rules and configuration found, or replaying the report of the same command "
              "($POLICYPROOF_CACHE_DIR, default $XDG_CACHE_HOME/policyproof).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), envvar="POLICYPROOF_JOBS",
              help="Processes that parse files at most (default: one per core; large trees only).")
def scan_command(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    config_path: Path | None,
    fail_on: str | None,
    verbose: bool,
    color: bool | None,
    baseline_path: Path | None,
    changed_since: str | None,
    db_url: str | None = None,
    no_cache: bool = False,
    jobs: int | None = None,
) -> int:
    """Scan PATHS (default: the current folder) and report each commitment's evidence."""
    _use_cache(not no_cache)
    targets = list(paths) or [Path(".")]
    config, base = _config(config_path, targets[0])
    if fail_on:
        config = config.model_copy(update={"fail_on": fail_on})
    rules = functools.cache(partial(rule_set, config, base))  # read while the files load
    exemptions = _exemptions(config, base, baseline_path)
    only = None
    if changed_since:
        from checker.gitfiles import changed_since as changed_since_paths

        only = changed_since_paths(changed_since, scan_root(targets))
    moment = now()
    live = None
    if db_url:
        from checker.live.postgres import load_database

        live = load_database(db_url, config.database.exposed_schemas)
    files = targets if paths or not db_url else []
    report = scan(files, config, rules, exemptions, only, today=moment.date(), live=live, jobs=jobs)
    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    options = RenderOptions(color=use_color, verbose=verbose, rules=tuple(rules().rules), generated=moment)
    reporter = REPORTERS[fmt]
    rendered = reporter.render(report, options)
    if output:
        output.write_bytes(rendered.encode("utf-8"))
    else:
        rendered = rendered if use_color else click.unstyle(rendered)
        click.echo(rendered, nl=False, color=use_color)
    if not (no_cache or db_url or changed_since or getattr(reporter, "STAMPED", False)):
        replay.offer(rendered, output)
    blocking = failing(report.results, config.fail_on, config.fail_on_error)
    return EXIT_FINDINGS if blocking else EXIT_CLEAN


def _use_cache(wanted: bool) -> None:
    if wanted:
        cache.enable()
    else:
        cache.disable()


def _exemptions(config: Config, base: Path, baseline_path: Path | None) -> Exemptions:
    waivers = load_waivers(base / config.waivers) if config.waivers else None
    return Exemptions(
        waivers=waivers.waivers if waivers else (),
        waiver_file=config.waivers or "",
        baseline=load_baseline(baseline_path) if baseline_path else None,
    )


@cli.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing configuration.")
def init_command(force: bool) -> int:
    """Write a commented starting configuration, .policyproof.yaml, in the current folder."""
    from checker.init_config import TEMPLATE

    target = Path(CONFIG_NAMES[0])
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; use --force to overwrite it")
    target.write_text(TEMPLATE, encoding="utf-8")
    click.echo(f"wrote {target}")
    return EXIT_CLEAN


@cli.group("baseline")
def baseline_group() -> None:
    """Record today's failures so that only new ones fail the gate."""


@baseline_group.command("write")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(".policyproof-baseline.json"), show_default=True)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def baseline_write(paths: tuple[Path, ...], output: Path, config_path: Path | None) -> int:
    """Write the current failing results of PATHS to the baseline file."""
    targets = list(paths) or [Path(".")]
    config, base = _config(config_path, targets[0])
    report = scan(targets, config, rule_set(config, base), _exemptions(config, base, None))
    baseline = baseline_of(report.results)
    write_baseline(baseline, output)
    click.echo(f"{len(baseline.entries)} failing results recorded in {output}")
    return EXIT_CLEAN


@cli.command("hook", hidden=True)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-cache", is_flag=True, envvar="POLICYPROOF_NO_CACHE", help="Do not reuse parsed files.")
def hook_command(files: tuple[Path, ...], config_path: Path | None, no_cache: bool = False) -> int:
    """The pre-commit hook: check the folders of FILES, report on FILES only."""
    _use_cache(not no_cache)
    root = Path(".").resolve()
    config, base = _config(config_path, root)
    wanted = {f.resolve().relative_to(root).as_posix() for f in files if f.resolve().is_relative_to(root)}
    folders = sorted({(root / name).parent for name in wanted})
    if not folders:
        return EXIT_CLEAN
    report = scan_folders(root, folders, config, rule_set(config, base), _exemptions(config, base, None), wanted)
    click.echo(REPORTERS["text"].render(report, RenderOptions(color=sys.stdout.isatty())), nl=False)
    blocking = failing(report.results, config.fail_on, config.fail_on_error)
    return EXIT_FINDINGS if blocking else EXIT_CLEAN


@cli.command("subprocessors")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the inventory here.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def subprocessors_command(paths: tuple[Path, ...], fmt: str, output: Path | None, config_path: Path | None) -> int:
    """Detected vendors, where each was found, and the difference from the subprocessor register."""
    from checker.subprocessors.inventory import collect
    from checker.subprocessors.render import render

    targets = list(paths) or [Path(".")]
    config, _ = _config(config_path, targets[0])
    inventory = collect(targets, config)
    rendered = render(inventory, fmt)
    if output:
        output.write_text(rendered, encoding="utf-8")
    else:
        click.echo(rendered, nl=False)
    return EXIT_FINDINGS if inventory.errors or any(v.status == "undisclosed" for v in inventory.vendors) \
        else EXIT_CLEAN


@cli.group("rules")
def rules_group() -> None:
    """List, explain and test the rules in force."""


def _rules(config_path: Path | None) -> RuleSet:
    config, base = _config(config_path, Path("."))
    return rule_set(config, base)


@rules_group.command("list")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
def rules_list(config_path: Path | None, as_json: bool) -> int:
    """One line per rule: id, severity, commitment, title."""
    rules = _rules(config_path).rules
    if as_json:
        click.echo(json.dumps([{"id": r.id, "name": r.name, "commitment": r.commitment, "severity": r.severity,
                                "title": r.title, "types": r.select.types} for r in rules], indent=2))
        return EXIT_CLEAN
    for r in rules:
        click.echo(f"{r.id}  {r.severity:<8} {r.commitment:<22} {r.title}")
    return EXIT_CLEAN


@rules_group.command("show")
@click.argument("rule_id")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rules_show(rule_id: str, config_path: Path | None) -> int:
    """What a rule checks, why, and how to fix what it finds."""
    ruleset = _rules(config_path)
    rule = next((r for r in ruleset.rules if r.id == rule_id or r.name == rule_id or rule_id in r.aliases), None)
    if rule is None:
        raise click.BadParameter(f"no rule `{rule_id}` (see `policyproof rules list`)", param_hint="RULE_ID")
    commitment = ruleset.policy.commitment(rule.commitment)
    click.echo(f"{rule.id} ({rule.name}), severity {rule.severity}")
    click.echo(rule.title)
    if commitment:
        click.echo(f'\nCommitment: {commitment.id} (section {commitment.section}): "{commitment.quote}"')
    click.echo(f"Applies to: {rule.select.format} {', '.join(rule.select.types)}"
               + (" holding personal data" if rule.select.scope else ""))
    click.echo(f"\nWhat it checks\n  {rule.docs.what.strip()}")
    click.echo(f"\nWhy\n  {rule.docs.why.strip()}")
    click.echo(f"\nHow to fix\n  {rule.docs.fix.strip()}")
    if rule.platform_default:
        click.echo(f"\nPlatform default\n  {rule.platform_default.note}")
    if rule.docs.references:
        click.echo("\nReferences")
        for ref in rule.docs.references:
            click.echo(f"  {ref}")
    return EXIT_CLEAN


@rules_group.command("test")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rules_test(folder: Path | None, config_path: Path | None) -> int:
    """Run every rule's pass and fail fixtures (default folder: ./fixtures)."""
    from checker.ruletest import documented, run_all

    ruleset = _rules(config_path)
    folder = folder or Path("fixtures")
    if not folder.is_dir():
        raise click.BadParameter(f"no fixture folder `{folder}`", param_hint="FOLDER")
    problems = 0
    total = 0
    for outcome in run_all(folder, ruleset):
        total += 1
        if outcome.problem:
            problems += 1
            click.echo(f"FAIL {outcome.case.name}: {outcome.problem}")
        else:
            click.echo(f"ok   {outcome.case.name}")
    for rule in ruleset.rules:
        for gap in documented(rule):
            problems += 1
            click.echo(f"FAIL {rule.id}: {gap}")
    click.echo(f"{total - problems} passed, {problems} failed")
    return EXIT_FINDINGS if problems else EXIT_CLEAN


@rules_group.command("docs")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rules_docs(config_path: Path | None) -> int:
    """Print the rule reference in Markdown (docs/rules.md is this output)."""
    from checker.ruledocs import render

    ruleset = _rules(config_path)
    click.echo(render(ruleset.policy, ruleset.rules), nl=False)
    return EXIT_CLEAN


@cli.group("policy")
def policy_group() -> None:
    """Inspect the policy in force."""


@policy_group.command("check")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text", "text_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Published policy text to check the quotes against (default: the text beside the policy).")
def policy_check(config_path: Path | None, text_path: Path | None) -> int:
    """Check that every commitment's quote still stands verbatim in the published text."""
    config, base = _config(config_path, Path("."))
    policy_path = base / config.policy if config.policy else None
    policy = load_policy(policy_path)
    text = text_path.read_text(encoding="utf-8") if text_path else policy_text(policy, policy_path)
    if text is None:
        raise CheckerError("the policy names no text file; pass --text")
    stale = stale_quotes(policy, text)
    for commitment_id in stale:
        click.echo(f"stale quote: {commitment_id}: the text no longer contains it")
    click.echo(f"{len(policy.commitments) - len(stale)} of {len(policy.commitments)} quotes found in the text")
    return EXIT_FINDINGS if stale else EXIT_CLEAN


@cli.command("report")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write every format and manifest.json into.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that fails (default: low).")
def report_command(paths: tuple[Path, ...], out_dir: Path, config_path: Path | None, fail_on: str | None) -> int:
    """Scan PATHS and write an evidence bundle: every format plus a manifest of inputs and outputs with SHA-256.

    The time in the bundle is SOURCE_DATE_EPOCH when set, so the same inputs give byte-identical files.
    """
    from checker.bundle import inputs_of, write_bundle

    targets = list(paths) or [Path(".")]
    config_file = config_path or find_config(targets[0])
    config, base = _config(config_file, targets[0])
    if fail_on:
        config = config.model_copy(update={"fail_on": fail_on})
    rules = rule_set(config, base)
    moment = now()
    report = scan(targets, config, rules, _exemptions(config, base, None), today=moment.date())
    options = RenderOptions(rules=tuple(rules.rules), generated=moment)
    written = write_bundle(report, options, out_dir, inputs_of(config, config_file, base, rules, report),
                           scan_root(targets))
    click.echo(f"wrote {len(written)} files to {out_dir}")
    blocking = failing(report.results, config.fail_on, config.fail_on_error)
    return EXIT_FINDINGS if blocking else EXIT_CLEAN


@cli.command("trace")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def trace_command(document: Path, config_path: Path | None) -> int:
    """Check the chain from the published DOCUMENT (HTML, Markdown or text) to the checks.

    Each commitment's quote must still stand in the document (else: drift, exit 1), and each commitment
    must be checked by a rule or vouched for by a current attestation (else: a gap, reported).
    """
    from checker.attestations import judge
    from checker.trace import describe, plain_text, trace

    config, base = _config(config_path, Path("."))
    ruleset = rule_set(config, base)
    try:
        words = plain_text(document.read_text(encoding="utf-8"), document.name)
    except UnicodeDecodeError as exc:
        raise CheckerError(f"{document}: not UTF-8 text ({exc.reason})") from None
    traced = trace(ruleset.policy, ruleset.rules, judge(ruleset.attestations, now().date()), words)
    for t in traced:
        click.echo(describe(t))
    drift = sum(t.verdict == "drift" for t in traced)
    gaps = sum(t.verdict == "gap" for t in traced)
    click.echo(f"{len(traced)} commitments of {ruleset.policy.id} ({ruleset.policy.version}): "
               f"{drift} drifted, {gaps} not covered")
    return EXIT_FINDINGS if drift else EXIT_CLEAN
