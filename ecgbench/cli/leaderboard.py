"""``ecgbench leaderboard …``: check run records, show and render the tables, compare two runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import JsonOption, ResultsDirOption, TfdsDirOption, console, err_console, print_json

app = typer.Typer(help="Check run records, show and render the leaderboards, compare runs.", no_args_is_help=True)

#: Metric columns printed by ``show`` for tracks without a headline (the rendered files have them all).
SHOW_COLUMNS = 3
_STATUS_STYLE = {"pass": "green", "fail": "bold red", "skip": "yellow"}
#: How to point a command at another results tree (appended to "no run records" messages).
_WHERE = "pass --results-dir DIR or set $ECGBENCH_RESULTS_DIR (the repository's boards: leaderboards/results)"


def _no_results(results_dir: Path) -> str:
    return f"results tree {results_dir} does not exist; " + _WHERE


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Run-record files or folders (default: the results tree).", show_default=False)] = None,
    results_dir: ResultsDirOption = None,
    tfds_dir: TfdsDirOption = None,
    no_dataset: Annotated[bool, typer.Option("--no-dataset", help="Do not read the built dataset (label and checksum comparisons are skipped).")] = False,
    json_output: JsonOption = False,
) -> None:
    """Run every check on each run record; exit 1 if any check fails."""
    from rich.table import Table

    from ecgbench.errors import DataNotFoundError
    from ecgbench.leaderboard.checks import CheckSession, check_records
    from ecgbench.leaderboard.store import record_paths
    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)
    if not paths and not results_dir.is_dir():
        raise DataNotFoundError(_no_results(results_dir))
    files = record_paths(paths or [results_dir])
    if not files:
        raise DataNotFoundError(f"no run records (*.json) in {', '.join(map(str, paths or [results_dir]))}; " + _WHERE)
    reports = check_records(files, CheckSession.default(tfds_dir, use_local_dataset=not no_dataset))
    failed = [r for r in reports if not r.ok]
    if json_output:
        print_json([{"path": str(r.path), "ok": r.ok, "checks": [c.__dict__ for c in r.results]} for r in reports])
    else:
        table = Table(title=f"leaderboard checks · {len(reports)} run record(s)")
        for name in ("run record", "check", "status", "message"):
            table.add_column(name, overflow="fold")
        for report in reports:
            for i, result in enumerate(report.results):
                style = _STATUS_STYLE[result.status]
                table.add_row(report.path.name if i == 0 else "", result.check, f"[{style}]{result.status}[/]", result.message)
        console.print(table)
        err_console.print(f"{len(reports) - len(failed)} of {len(reports)} run record(s) pass every check")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def show(
    task: Annotated[str | None, typer.Option("--task", help="Only this task (e.g. beats-interpatient).", show_default=False)] = None,
    results_dir: ResultsDirOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print the leaderboard tables (ranked runs, values with bootstrap intervals)."""
    from rich.table import Table

    from ecgbench.leaderboard.store import load_entries
    from ecgbench.leaderboard.table import build_boards, format_cell, format_spread, seed_spreads

    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)
    entries, problems = load_entries(results_dir, task)
    for path, problem in problems:
        err_console.print(f"[yellow]skipped[/] {path}: {problem}", highlight=False)
    boards = build_boards(entries, results_dir.parent)
    if json_output:
        print_json([{"task": b.track.task, "title": b.track.title, "leaky": b.track.leaky, "n_quick": b.n_quick,
                     "rows": [r.__dict__ for r in b.rows],
                     "seed_spreads": [sp.__dict__ for sp in seed_spreads(b)]} for b in boards])  # fmt: skip
        return
    if not boards:
        err_console.print(f"no run records under {results_dir}" + (f" for task {task}" if task else "") + "; " + _WHERE)
    for board in boards:
        table = Table(title=board.track.title, caption=f"{board.n_quick} quick run(s) not ranked" if board.n_quick else None)
        for name in ("#", "submission", "seed"):
            table.add_column(name, justify="right" if name != "submission" else "left")
        headline = board.track.headline
        columns = [c for c in board.columns if c.key in headline] if headline else list(board.columns[:SHOW_COLUMNS])
        for column in columns:
            table.add_column(f"{column.label} [CI]", justify="right")
        table.add_column("run", overflow="fold")
        for row in board.rows:
            cells = [format_cell(row.metrics[c.key], c.decimals) for c in columns]
            table.add_row(str(row.rank), row.submission, str(row.seed), *cells, row.run_id)
        console.print(table)
        spreads = seed_spreads(board)
        if spreads:
            spread_table = Table(title=f"{board.track.title}: spread over seeds (mean ± sample SD)")
            spread_table.add_column("submission")
            spread_table.add_column("seeds")
            for column in columns:
                spread_table.add_column(column.label, justify="right")
            for spread in spreads:
                spread_table.add_row(spread.submission, ", ".join(map(str, spread.seeds)), *(format_spread(spread, c) for c in columns))
            console.print(spread_table)


@app.command()
def render(
    results_dir: ResultsDirOption = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Where the files go (default: the parent of --results-dir).", show_default=False)] = None,
) -> None:
    """Rewrite <task>.md, <task>.csv and index.html from the run records (atomically)."""
    from ecgbench.leaderboard.render import render_leaderboards
    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)
    if not results_dir.is_dir():
        from ecgbench.errors import DataNotFoundError

        raise DataNotFoundError(_no_results(results_dir))
    for path in render_leaderboards(results_dir, out_dir):
        err_console.print(f"wrote {path}", highlight=False)


@app.command()
def compare(
    run_a: Annotated[str, typer.Argument(help="Run A: a run-record path or run id.")],
    run_b: Annotated[str, typer.Argument(help="Run B: a run-record path or run id.")],
    results_dir: ResultsDirOption = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="gross.* metric to compare (repeatable; default all).", show_default=False)] = None,
    resamples: Annotated[int, typer.Option(help="Paired bootstrap replicates (subjects resampled).")] = 1000,
    confidence: Annotated[float, typer.Option(help="Interval coverage.")] = 0.95,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap generator.")] = 0,
    json_output: JsonOption = False,
) -> None:
    """Per-metric differences B − A with a paired bootstrap over the shared test records."""
    from rich.table import Table

    from ecgbench.leaderboard.compare import compare_runs
    from ecgbench.leaderboard.store import load_run
    from ecgbench.leaderboard.table import format_value

    result = compare_runs(load_run(run_a, results_dir), load_run(run_b, results_dir), metric or None, resamples, confidence, seed)
    if json_output:
        print_json(result.to_dict())
        return
    table = Table(
        title=f"B − A · A = {result.run_a} · B = {result.run_b}",
        caption=f"paired bootstrap: {result.n_subjects} subjects ({result.n_records} records, {result.n_beats} beats) "
        f"resampled ×{result.n_resamples}, seed {result.seed}; * = {result.confidence:.0%} interval excludes 0",
    )
    for name in ("metric", "A", "B", "B − A", f"{result.confidence:.0%} CI", "p", "sig."):
        table.add_column(name, justify="left" if name == "metric" else "right")
    for d in result.differences:
        interval = "–" if d.ci_low is None else f"[{d.ci_low:+.2f}, {d.ci_high:+.2f}]"
        table.add_row(d.metric, format_value(d.a), format_value(d.b), "–" if d.difference is None else f"{d.difference:+.2f}",
                      interval, "–" if d.p_value is None else f"{d.p_value:.3f}", "*" if d.significant else "")  # fmt: skip
    console.print(table)
