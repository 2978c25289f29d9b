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


NoDatasetOption = Annotated[bool, typer.Option("--no-dataset", help="Do not read the built dataset (label and checksum comparisons are skipped).")]


def _warn(message: str) -> None:
    err_console.print(f"warning: {message}", markup=False, highlight=False)


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Run-record files or folders (default: the results tree).", show_default=False)] = None,
    results_dir: ResultsDirOption = None,
    tfds_dir: TfdsDirOption = None,
    no_dataset: NoDatasetOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every check of every record, not only the summary.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Run every check on each run record: failures in full, counts per task; exit 1 if any check fails.

    Exits 2 when there is no run record at all (a wrong --results-dir or working directory).
    """
    from ecgbench.errors import DataNotFoundError
    from ecgbench.leaderboard.checks import CheckSession, check_records, summarise_reports
    from ecgbench.leaderboard.store import record_paths
    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)
    if not paths and not results_dir.is_dir():
        raise DataNotFoundError(_no_results(results_dir))
    files = record_paths(paths or [results_dir])
    if not files:
        raise DataNotFoundError(f"no run records (*.json) in {', '.join(map(str, paths or [results_dir]))}; " + _WHERE)
    reports = check_records(files, CheckSession.default(tfds_dir, use_local_dataset=not no_dataset))
    summary = summarise_reports(reports)
    if json_output:
        print_json([{"path": str(r.path), "ok": r.ok, "checks": [c.__dict__ for c in r.results]} for r in reports])
    else:
        if verbose:
            console.print(_full_table(reports))
        console.print(_task_table(summary))
        for report in summary.failed:
            err_console.print(f"FAIL {report.path}", style="bold red", highlight=False)
            for result in report.failures():
                err_console.print(f"  {result.check}: {result.message}", markup=False, highlight=False)
        err_console.print(f"{summary.n_passed} of {summary.n_records} run record(s) pass every check", highlight=False)
    if summary.failed:
        raise typer.Exit(code=1)


def _full_table(reports):
    """Every check of every record (``--verbose``)."""
    from rich.table import Table

    table = Table(title=f"leaderboard checks · {len(reports)} run record(s)")
    for name in ("run record", "check", "status", "message"):
        table.add_column(name, overflow="fold")
    for report in reports:
        for i, result in enumerate(report.results):
            style = _STATUS_STYLE[result.status]
            table.add_row(report.path.name if i == 0 else "", result.check, f"[{style}]{result.status}[/]", result.message)
    return table


def _task_table(summary):
    """Records per task: passing, failing, and checks skipped (with the most common reason)."""
    from rich.table import Table

    table = Table(title=f"leaderboard checks · {summary.n_records} run record(s)", caption="--verbose: every check of every record")
    for name in ("task", "records", "pass", "fail", "checks skipped"):
        table.add_column(name, justify="left" if name == "task" else "right")
    for task in summary.tasks:
        counts = summary.by_task[task]
        failed = f"[bold red]{counts.failed}[/]" if counts.failed else "0"
        table.add_row(task, str(counts.records), str(counts.passed), failed, str(counts.skipped_checks))
    return table


@app.command()
def show(
    task: Annotated[str | None, typer.Option("--task", help="Only this task (e.g. beats-interpatient).", show_default=False)] = None,
    results_dir: ResultsDirOption = None,
    tfds_dir: TfdsDirOption = None,
    no_dataset: NoDatasetOption = False,
    runs: Annotated[bool, typer.Option("--runs", help="Also print every run, not only one row per submission.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Print the leaderboards: one row per submission (mean ± SD over seeds), unranked ones below.

    Only run records that pass every check are shown; each one left out is named on stderr.
    """
    from ecgbench.leaderboard.checks import CheckSession
    from ecgbench.leaderboard.render import publishable
    from ecgbench.leaderboard.store import load_entries
    from ecgbench.leaderboard.table import build_boards

    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)
    entries, problems = load_entries(results_dir, task)
    for path, problem in problems:
        err_console.print(f"[yellow]skipped[/] {path}: {problem}", highlight=False)
    tasks = {entry.task for entry in entries}
    entries = publishable(entries, CheckSession.default(tfds_dir, use_local_dataset=not no_dataset), _warn)
    boards = build_boards(entries, results_dir.parent, tasks)
    if json_output:
        print_json([_board_json(b) for b in boards])
        return
    if not boards:
        err_console.print(f"no run records under {results_dir}" + (f" for task {task}" if task else "") + "; " + _WHERE)
    for board in boards:
        _print_board(board, runs)


def _board_json(board) -> dict:
    standings = [{"rank": s.rank, "submission": s.submission, "kind": s.kind, "deterministic": s.deterministic, "seeds": list(s.seeds),
                  "runs": [r.run_id for r in s.runs], "mean": s.mean, "sd": s.sd, "reason": s.reason} for s in board.standings]  # fmt: skip
    return {"task": board.track.task, "title": board.track.title, "leaky": board.track.leaky, "n_quick": board.n_quick,
            "default_config": dict(board.track.default_config), "standings": standings,
            "rows": [{**r.__dict__, "counted": board.counted(r)} for r in board.rows]}  # fmt: skip


def _print_board(board, runs: bool) -> None:
    """Rich tables of one board: submissions (ranked, then unranked) and, with ``runs``, every run."""
    from rich.table import Table

    from ecgbench.leaderboard.table import format_cell, format_seeds, format_standing

    headline = board.track.headline
    metric_columns = [c for c in board.metric_columns if c.key in headline] if headline else list(board.metric_columns[:SHOW_COLUMNS])
    caption = f"{board.n_quick} quick run(s) not ranked" if board.n_quick else None
    table = Table(title=f"{board.track.title}: mean ± SD over seeds", caption=caption)
    for name in ("#", "submission", "seeds"):
        table.add_column(name, justify="left" if name == "submission" else "right")
    for column in metric_columns:
        table.add_column(column.label, justify="right")
    for standing in board.standings:
        rank = str(standing.rank) if standing.ranked else "–"
        table.add_row(rank, standing.submission, format_seeds(standing), *(format_standing(standing, c) for c in metric_columns))
    console.print(table)
    unranked = [s for s in board.standings if not s.ranked]
    if unranked:
        console.print("unranked (–): " + "; ".join(f"{s.submission}: {s.reason}" for s in unranked), highlight=False)
    if runs:
        columns = [c for c in board.columns if c.key in headline] if headline else list(board.columns[:SHOW_COLUMNS])
        run_table = Table(title=f"{board.track.title}: every run")
        for name in ("submission", "seed", *(f"{c.label} [CI]" for c in columns), "run", "counted"):
            run_table.add_column(name, justify="left" if name in ("submission", "run") else "right", overflow="fold")
        for row in board.rows:
            cells = [format_cell(row.metrics[c.key], c.decimals) for c in columns]
            run_table.add_row(row.submission, str(row.seed), *cells, row.run_id, "✓" if board.counted(row) else "")
        console.print(run_table)


@app.command()
def render(
    results_dir: ResultsDirOption = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Where the files go (default: the parent of --results-dir).", show_default=False)] = None,
    tfds_dir: TfdsDirOption = None,
    no_dataset: NoDatasetOption = False,
) -> None:
    """Rewrite <task>.md, <task>.csv and index.html from the run records that pass every check (atomically)."""
    from ecgbench.leaderboard.checks import CheckSession
    from ecgbench.leaderboard.render import render_leaderboards
    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)
    if not results_dir.is_dir():
        from ecgbench.errors import DataNotFoundError

        raise DataNotFoundError(_no_results(results_dir))
    session = CheckSession.default(tfds_dir, use_local_dataset=not no_dataset)
    for path in render_leaderboards(results_dir, out_dir, session=session, warn=_warn):
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
