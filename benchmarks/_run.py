"""Run the benchmark scripts one after the other, each in its own process, and print one summary table.

``make bench`` runs every ``benchmarks/[!_]*.py`` in its quick scope (``--quick``: a smoke check of
the same code on fewer records, settings or repeats, stated in each script's docstring);
``make bench-full`` runs them without ``--quick``, as they reproduce the published figures.
Each script prints its own tables as it goes; a failing script does not stop the others. The
summary gives per script its exit code, wall time (s), CPU time (s: user + system of the script
and every process it waited for, from ``getrusage(RUSAGE_CHILDREN)``) and scope, with the
machine's load average before and after. The runner exits 1 when any script failed.

    python benchmarks/_run.py [--full] [--dir benchmarks] [--json out.json] [SCRIPT ...]

``SCRIPT``: names without ``.py`` (default: every script in ``--dir`` whose name does not start
with ``_``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Outcome:
    """One script's run: exit code, wall seconds, CPU seconds, scope."""

    script: str
    scope: str
    exit_code: int
    wall_s: float
    cpu_s: float


def discover(folder: Path, names: list[str]) -> list[Path]:
    """The scripts to run: ``names`` (without ``.py``) in ``folder``, or all of its ``[!_]*.py`` in name order."""
    everything = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if not names:
        return everything
    known = {p.stem: p for p in everything}
    unknown = [n for n in names if n.removesuffix(".py") not in known]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)} in {folder}; choose from {', '.join(known)}")
    return [known[n.removesuffix(".py")] for n in names]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_script(script: Path, quick: bool) -> Outcome:
    """Run one script with this Python (``--quick`` in the quick scope); its output goes straight to ours."""
    command = [sys.executable, str(script), *(["--quick"] if quick else [])]
    cpu0, wall0 = _children_cpu_s(), time.perf_counter()
    code = subprocess.run(command, check=False).returncode
    return Outcome(script.stem, "quick" if quick else "full", code, time.perf_counter() - wall0, _children_cpu_s() - cpu0)


def summary_table(outcomes: list[Outcome], load: tuple[float, float]):
    """The Rich summary table: one row per script, a total row; ``load``: 1-min load average before and after."""
    from rich.table import Table

    table = Table(title=f"benchmarks · {os.cpu_count()} CPUs · load {load[0]:.1f} → {load[1]:.1f}", title_justify="left")
    for name in ("script", "scope", "exit code", "wall s", "CPU s"):
        table.add_column(name, justify="left" if name in ("script", "scope") else "right")
    for o in outcomes:
        table.add_row(o.script, o.scope, str(o.exit_code) if o.exit_code == 0 else f"[red]{o.exit_code}[/red]", f"{o.wall_s:.1f}", f"{o.cpu_s:.1f}")
    failed = sum(o.exit_code != 0 for o in outcomes)
    table.add_row("total", "", f"{failed} failed", f"{sum(o.wall_s for o in outcomes):.1f}", f"{sum(o.cpu_s for o in outcomes):.1f}", style="bold")
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the selected scripts, print the summary table; return 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", help="Benchmark names without .py (default: all).")
    parser.add_argument("--full", action="store_true", help="Run the full scope (the published figures) instead of --quick.")
    parser.add_argument("--dir", type=Path, default=HERE, help="Folder holding the scripts (default: this one).")
    parser.add_argument("--json", type=Path, help="Also write the outcomes as JSON to this file.")
    args = parser.parse_args(argv)
    from rich.console import Console

    console = Console(stderr=True)
    scripts = discover(args.dir, args.scripts)
    scope = "full" if args.full else "quick"
    load_before = os.getloadavg()[0]
    outcomes: list[Outcome] = []
    began = time.perf_counter()
    try:
        for i, script in enumerate(scripts, 1):
            console.rule(f"[bold][{i}/{len(scripts)}] {script.name}[/bold] · {scope} · {time.perf_counter() - began:.0f} s so far")
            outcome = run_script(script, quick=not args.full)
            outcomes.append(outcome)
            mark = "[green]ok[/green]" if outcome.exit_code == 0 else f"[red]FAILED (exit {outcome.exit_code})[/red]"
            console.print(f"{script.name}: {mark} · wall {outcome.wall_s:.1f} s · CPU {outcome.cpu_s:.1f} s")
    except KeyboardInterrupt:  # the script being run got the interrupt too; report what ran
        console.print(f"[red]interrupted: {len(scripts) - len(outcomes)} script(s) not run or not finished[/red]")
        if len(outcomes) < len(scripts):
            outcomes.append(Outcome(scripts[len(outcomes)].stem, scope, 130, 0.0, 0.0))
    load = (load_before, os.getloadavg()[0])
    Console().print(summary_table(outcomes, load))
    if args.json:
        payload = {"scope": scope, "cpu_count": os.cpu_count(), "load_average": load, "outcomes": [asdict(o) for o in outcomes]}
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps(payload, indent=1) + "\n")
        tmp.replace(args.json)
    failed = [o.script for o in outcomes if o.exit_code != 0]
    if failed:
        console.print(f"[red]failed: {', '.join(failed)}[/red]")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
