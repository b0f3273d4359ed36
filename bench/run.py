"""policyproof against Checkov and c7n-left on the same Terraform, in one run.

    .venv/bin/python bench/run.py [--corpus ../shared/corpus] [--reps 9] [--slow-reps 3]

Copies the corpus's .tf/.tfvars files into a temporary folder (and a 4x copy made
by duplication), then runs every tool in turn, alternating, and prints medians,
peak memory (from a run of each command of its own, sampled), findings counts,
and the ratios the targets are stated in. See README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

CHECKOV_EQUIVALENTS: dict[str, str] = {
    # Checkov check → the policyproof rule it corresponds to (same resource, same property).
    "CKV_AWS_133": "PP-BAK-001", "CKV_AWS_360": "PP-BAK-002", "CKV_AWS_361": "PP-BAK-002",
    "CKV_AWS_28": "PP-BAK-003", "CKV_AWS_134": "PP-BAK-004", "CKV_GCP_14": "PP-BAK-005",
    "CKV_AWS_19": "PP-ENC-001", "CKV_AWS_145": "PP-ENC-001", "CKV_AWS_16": "PP-ENC-002",
    "CKV_AWS_96": "PP-ENC-003", "CKV_AWS_74": "PP-ENC-004", "CKV_AWS_44": "PP-ENC-004",
    "CKV_AWS_3": "PP-ENC-005", "CKV_AWS_8": "PP-ENC-006", "CKV_AWS_42": "PP-ENC-008",
    "CKV_AWS_119": "PP-ENC-009", "CKV_AWS_29": "PP-ENC-010", "CKV_AWS_5": "PP-ENC-011",
    "CKV_AWS_64": "PP-ENC-012", "CKV_AWS_337": "PP-ENC-013", "CKV_GCP_37": "PP-ENC-016",
    "CKV_GCP_38": "PP-ENC-016", "CKV_AWS_43": "PP-ENC-020", "CKV_AWS_27": "PP-ENC-021",
    "CKV_AWS_26": "PP-ENC-022", "CKV_AWS_58": "PP-ENC-023", "CKV_AWS_2": "PP-TLS-001",
    "CKV_AWS_103": "PP-TLS-002", "CKV_AWS_174": "PP-TLS-004", "CKV_AWS_34": "PP-TLS-005",
    "CKV_AWS_206": "PP-TLS-007", "CKV_GCP_6": "PP-TLS-011", "CKV_AZURE_52": "PP-TLS-012",
    "CKV_AZURE_28": "PP-TLS-013", "CKV_AZURE_29": "PP-TLS-013", "CKV_AZURE_3": "PP-TLS-015",
    "CKV_AZURE_44": "PP-TLS-015", "CKV_AZURE_14": "PP-TLS-016", "CKV_AZURE_15": "PP-TLS-016",
    "CKV_AWS_30": "PP-TLS-017", "CKV_AWS_83": "PP-TLS-020", "CKV_AWS_81": "PP-TLS-022",
}

HOOK_FILE = "terraform-aws-modules__terraform-aws-s3-bucket/main.tf"


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)
    findings: int | None = None


@dataclass
class Command:
    """One row of the table: how to run it, and where its findings are."""

    argv: Callable[[], list[str]]
    cwd: Path | None = None
    env: Callable[[], dict[str, str]] = dict
    report: Path | None = None
    count: Callable[[Path], int] | None = None
    slow: bool = False
    """Checkov and c7n-left: ``--slow-reps`` runs."""

    def run(self, sample: bool) -> tuple[float, int]:
        return timed(self.argv(), cwd=self.cwd, env=self.env(), sample=sample)


def copy_terraform(corpus: Path, target: Path) -> int:
    """Copy every .tf/.tfvars file, keeping relative paths; returns the byte count."""
    size = 0
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix in (".tf", ".tfvars"):
            out = target / path.relative_to(corpus)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out)
            size += path.stat().st_size
    return size


def timed(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
          sample: bool = False) -> tuple[float, int]:
    """Wall seconds and peak memory (KiB) of one command, output discarded.

    The peak is the biggest single process's maximum RSS (from ``wait4``) and, with ``sample``, the
    largest sum, sampled every 20 ms (every 250 ms after the first second), of the proportional
    set size (PSS) of the process and all its descendants if that is larger: a tool that forks
    workers is charged for all of them, and pages the workers share with their parent are counted
    once. Reading a process's memory map takes CPU and a lock the process needs to grow, so a
    sampled run is slower (by about 8% for a scan that takes under a second on two busy cores):
    its time is not one of the timed runs.
    """
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler = _TreeMemory(process.pid)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if sample:
        sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} exited {process.returncode}: {' '.join(argv)}")
    return seconds, max(usage.ru_maxrss, sampler.peak_kb)


class _TreeMemory(threading.Thread):
    """Samples the summed PSS (KiB) of a process tree until stopped (Linux; elsewhere it stays 0)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        started = time.perf_counter()
        # every 20 ms in the first second, then every 250 ms: reading a large process's page tables
        # costs CPU that the measured tool would otherwise have, and a long run's peak is a plateau
        while not self._done.wait(0.02 if time.perf_counter() - started < 1 else 0.25):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            pending.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except OSError:
            pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)


def pp_findings(report: Path) -> int:
    return sum(r["status"] in ("fail", "error") for r in json.loads(report.read_text())["results"])


def checkov_findings(report: Path) -> int:
    data = json.loads(report.read_text() or "{}")
    blocks = data if isinstance(data, list) else [data]
    return sum(len(b.get("results", {}).get("failed_checks", [])) for b in blocks)


def c7n_findings(reports: Path) -> int:
    return sum(len(json.loads(r.read_text() or "{}").get("results", [])) for r in reports.glob("*.json"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--reps", type=int, default=9, help="runs of the fast commands (median): a one-second "
                        "command on a shared machine needs more runs than Checkov's minutes to settle")
    parser.add_argument("--slow-reps", type=int, default=3, help="runs of Checkov and c7n-left (median)")
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--policyproof", default=str(REPO / ".venv" / "bin" / "policyproof"))
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--checkov", default=str(REPO / ".bench-venv" / "bin" / "checkov"))
    parser.add_argument("--c7n-left", default=str(REPO / ".bench-venv-c7n" / "bin" / "c7n-left"))
    parser.add_argument("--no-unrestricted", action="store_true", help="skip Checkov with all its checks")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="policyproof-bench-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    one, scaled, out = work / "corpus", work / f"corpus-x{args.scale}", work / "out"
    out.mkdir()
    size = copy_terraform(args.corpus, one)
    for copy in range(args.scale):
        shutil.copytree(one, scaled / f"copy{copy}")
    files = sum(1 for _ in one.rglob("*") if _.is_file())
    checks = ",".join(CHECKOV_EQUIVALENTS)
    hook_dir = (one / HOOK_FILE).parent
    # c7n-left leaves a temporary .tfvars.json behind in a folder it fails on, so it gets a copy of its own:
    # what the other tools scan never changes during the run.
    c7n_copy = work / "corpus-c7n"
    shutil.copytree(one, c7n_copy)
    modules = sorted({p.parent for p in c7n_copy.rglob("*.tf")})
    # c7n-left reads one root module (a folder's .tf files) per run, so it runs once per folder
    c7n_out = out / "c7n"
    c7n_out.mkdir()
    # The project is installed editable, whose modules get no bytecode when PYTHONDONTWRITEBYTECODE is
    # set; compile them once, as installing a wheel would, so no run pays for compiling its own code.
    subprocess.run([args.python, "-m", "compileall", "-q", str(REPO / "checker"), str(REPO / "policy_spec")],
                   stdout=subprocess.DEVNULL, check=True)
    # A scan trusts no file changed less than two seconds before it started (checker/replay.py), so the
    # warm cache is made, by the very command the warm row times, once the copy is older than that.
    warm_cache = work / "cache-warm"
    warm_env = {**os.environ, "POLICYPROOF_CACHE_DIR": str(warm_cache)}
    warm_argv = [args.policyproof, "scan", str(one), "--format", "json", "-o", str(out / "ppw.json")]
    time.sleep(2.5)
    subprocess.run(warm_argv, env=warm_env, stdout=subprocess.DEVNULL, check=False)
    fresh_output = iter(range(1_000_000))

    def fresh_cache() -> dict[str, str]:
        return {"POLICYPROOF_CACHE_DIR": tempfile.mkdtemp(dir=work, prefix="cache-cold-")}

    def pp_scan(target: Path, report: Path, *extra: str) -> Callable[[], list[str]]:
        return lambda: [args.policyproof, "scan", str(target), *extra, "--format", "json", "-o", str(report)]

    def sh(script: str, *argv: str | Path) -> Callable[[], list[str]]:
        return lambda: ["sh", "-c", script, *map(str, argv)]

    commands: dict[str, Command] = {
        "parse only (tree-sitter)": Command(lambda: [args.python, str(HERE / "parse_only.py"), str(one)]),
        "policyproof cold": Command(pp_scan(one, out / "pp.json"), env=fresh_cache, report=out / "pp.json",
                                    count=pp_findings),
        "policyproof warm (unchanged tree)": Command(lambda: warm_argv, env=lambda: warm_env, report=out / "ppw.json",
                                                     count=pp_findings),
        "policyproof warm, another command (cached verdicts, not replayed)": Command(
            lambda: [args.policyproof, "scan", str(one), "--format", "json", "-o",
                     str(out / f"ppv{next(fresh_output)}.json")], env=lambda: warm_env),
        "policyproof cold, one process (--jobs 1)": Command(pp_scan(one, out / "pp1.json", "--jobs", "1"),
                                                            env=fresh_cache, report=out / "pp1.json",
                                                            count=pp_findings),
        f"policyproof cold x{args.scale}": Command(pp_scan(scaled, out / "pp4.json"), env=fresh_cache,
                                                   report=out / "pp4.json", count=pp_findings),
        "policyproof hook, one file": Command(lambda: [args.policyproof, "hook", HOOK_FILE.rsplit("/", 1)[1]],
                                              cwd=hook_dir, env=fresh_cache),
        "checkov hook, one file": Command(lambda: [args.checkov, "-f", str(one / HOOK_FILE), "--framework", "terraform",
                                                   "--check", checks, "--quiet", "--compact", "--skip-download"],
                                          slow=True),
        "checkov restricted": Command(sh(f'"$0" -d "$1" --framework terraform --check {checks} -o json --quiet '
                                         '--compact --skip-download > "$2"', args.checkov, one, out / "ck.json"),
                                      report=out / "ck.json", count=checkov_findings, slow=True),
        "c7n-left (equivalent policies)": Command(sh('p="$1"; o="$2"; shift 2; i=0; for d; do i=$((i+1)); '
                                                     '"$0" run -p "$p" -d "$d" -o json --output-file "$o/c7n-$i.json"; '
                                                     'done', args.c7n_left, HERE / "c7n-left", c7n_out, *modules),
                                                  report=c7n_out, count=c7n_findings, slow=True),
    }
    if not args.no_unrestricted:
        commands["checkov unrestricted"] = Command(sh('"$0" -d "$1" --framework terraform -o json --quiet --compact '
                                                      '--skip-download > "$2"', args.checkov, one, out / "cku.json"),
                                                   report=out / "cku.json", count=checkov_findings, slow=True)

    samples = {name: Sample() for name in commands}
    # Memory first, in a run of each command of its own: sampling a process tree's memory slows it,
    # so no timed run is sampled. These runs also warm the file cache for the timed ones.
    for name, command in commands.items():
        if not (args.slow_reps if command.slow else args.reps):
            continue
        _, peak = command.run(sample=True)
        samples[name].peak_kb.append(peak)
        print(f"  memory: {name}: {peak / 1024:.0f} MiB", file=sys.stderr, flush=True)
    for rep in range(max(args.reps, args.slow_reps)):
        for name, command in commands.items():
            if rep >= (args.slow_reps if command.slow else args.reps):
                continue
            seconds, peak = command.run(sample=False)
            samples[name].seconds.append(seconds)
            samples[name].peak_kb.append(peak)
            if command.report is not None and command.count is not None:
                samples[name].findings = command.count(command.report)
            print(f"  run {rep + 1}: {name}: {seconds:.2f} s", file=sys.stderr, flush=True)

    samples = {name: s for name, s in samples.items() if s.seconds}
    median = {name: statistics.median(s.seconds) for name, s in samples.items()}
    print(f"\n{files} Terraform files, {size / 1e6:.2f} MB (x{args.scale}: {files * args.scale} files); "
          f"{os.cpu_count()} cores; medians of {args.reps} (policyproof, parse) and {args.slow_reps} "
          "(Checkov, c7n-left)\n")
    print("| command | median s | runs s | peak MiB | findings |\n|---|---:|---|---:|---:|")
    for name, sample in samples.items():
        runs = ", ".join(f"{s:.2f}" for s in sample.seconds)
        found = "" if sample.findings is None else str(sample.findings)
        print(f"| {name} | {median[name]:.2f} | {runs} | {max(sample.peak_kb) / 1024:.0f} | {found} |")
    ratios: dict[str, float] = {}
    pairs = {
        "Checkov restricted / policyproof cold (target >= 100)": ("checkov restricted", "policyproof cold"),
        "Checkov unrestricted / policyproof cold": ("checkov unrestricted", "policyproof cold"),
        "c7n-left / policyproof cold": ("c7n-left (equivalent policies)", "policyproof cold"),
        "Checkov restricted / policyproof cold, one process": ("checkov restricted",
                                                               "policyproof cold, one process (--jobs 1)"),
        "policyproof cold / parse only (target <= 3)": ("policyproof cold", "parse only (tree-sitter)"),
        "policyproof cold / warm (target >= 5)": ("policyproof cold", "policyproof warm (unchanged tree)"),
        "policyproof cold / warm, another command": ("policyproof cold", "policyproof warm, another command "
                                                     "(cached verdicts, not replayed)"),
        "Checkov hook / policyproof hook (target >= 6)": ("checkov hook, one file", "policyproof hook, one file"),
        f"policyproof x{args.scale} / x1 (target <= {args.scale})": (f"policyproof cold x{args.scale}",
                                                                    "policyproof cold"),
    }
    paired: dict[str, float] = {}
    for label, (top, bottom) in pairs.items():
        if top in median and bottom in median:
            ratios[label] = median[top] / median[bottom]
            # the same round's runs were close in time: on a shared machine whose speed drifts, the
            # median of their ratios is steadier than the ratio of medians taken over different rounds
            rounds = zip(samples[top].seconds, samples[bottom].seconds)
            paired[label] = statistics.median(t / b for t, b in rounds)
    print("\n| ratio | of medians | paired (median of each round's ratio) |\n|---|---:|---:|")
    for name, value in ratios.items():
        print(f"| {name} | {value:.1f} | {paired[name]:.1f} |")
    if args.json:
        args.json.write_text(json.dumps({"median_s": median, "ratios": ratios, "paired_ratios": paired, "samples": {
            n: s.__dict__ for n, s in samples.items()}, "cores": os.cpu_count(), "files": files}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
