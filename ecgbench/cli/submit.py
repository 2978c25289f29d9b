"""``ecgbench submit PATH`` and ``ecgbench verify RUN``: publish a user's model; reproduce a recorded run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import JsonOption, ResultsDirOption, TfdsDirOption, console, err_console, print_json

app = typer.Typer()


@app.command()
def submit(
    path: Annotated[Path, typer.Argument(help="Submission folder: code + recipe (submission.py) or a trained model (manifest.json); or a prediction file (.npz/.csv, see leaderboards/SUBMITTING.md).")],
    track: Annotated[str, typer.Option(help="Beat track of a code submission: interpatient or intrapatient (a manifest names its own task).")] = "interpatient",
    task: Annotated[str, typer.Option(help="Task of a prediction file: beats-interpatient, beats-intrapatient, rhythm, rhythm-4s, rhythm-30s.")] = "beats-interpatient",
    name: Annotated[str | None, typer.Option(help="Submission name of a prediction file (default: the file name without suffix).", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(help="Seed override for a code submission; for a prediction file, the seed it was trained with (default 0).", show_default=False)] = None,
    epochs: Annotated[int | None, typer.Option(help="Epoch override for a code submission.", show_default=False)] = None,
    tfds_dir: TfdsDirOption = None,
    results_dir: ResultsDirOption = None,
    bootstrap: Annotated[int, typer.Option(help="Record-level bootstrap resamples for the confidence intervals.")] = 1000,
    json_output: JsonOption = False,
) -> None:
    """Evaluate a submission on the task's test split, write and check its run record, re-render the leaderboard."""
    from ecgbench.models.prediction_file import PREDICTION_SUFFIXES
    from ecgbench.paths import resolve_results_dir

    results_dir = resolve_results_dir(results_dir)

    with err_console.status("submitting") as status:
        on_stage = lambda stage: status.update(f"{path}: {stage}")  # noqa: E731
        if path.suffix.lower() in PREDICTION_SUFFIXES:
            from ecgbench.runner.prediction_submit import submit_predictions

            result = submit_predictions(path, task=task, name=name, seed=0 if seed is None else seed, tfds_dir=tfds_dir,
                                        results_dir=results_dir, bootstrap_resamples=bootstrap, on_stage=on_stage)  # fmt: skip
        else:
            from ecgbench.runner.submit import submit as run_submit

            result = run_submit(path, track=track, seed=seed, epochs=epochs, tfds_dir=tfds_dir, results_dir=results_dir,
                                bootstrap_resamples=bootstrap, on_stage=on_stage)  # fmt: skip
    record = result.run.record
    if json_output:
        print_json({"record_path": str(result.run.record_path), "checks": [c.__dict__ for c in result.report.results],
                    "rendered": [str(p) for p in result.rendered], "metrics": record["metrics"]})  # fmt: skip
        return
    if "class_names" in record:  # rhythm windows
        from ecgbench.cli.run_rhythm import rhythm_summary_table

        console.print(rhythm_summary_table(record))
    else:
        from ecgbench.cli.run import _summary_table

        console.print(_summary_table(record))
    for check in result.report.results:
        err_console.print(f"check {check.check}: {check.status} — {check.message}", highlight=False)
    err_console.print(f"run record: {result.run.record_path}\nleaderboard: {', '.join(str(p) for p in result.rendered)}", highlight=False)


@app.command()
def verify(
    run: Annotated[str, typer.Argument(help="Run-record path or run id.")],
    results_dir: ResultsDirOption = None,
    tfds_dir: TfdsDirOption = None,
    json_output: JsonOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="List every figure, not only those that differ.")] = False,
) -> None:
    """Re-run RUN with its recorded seed, configuration and TensorFlow numerics settings; say what differs (exit 1 if not reproduced).

    The first verdict is digit for digit; the second says whether each re-run figure lies in the
    recorded bootstrap interval.

    A prediction-file run cannot be re-run: its figures are re-scored from its prediction file instead.
    """
    from rich.table import Table

    from ecgbench.leaderboard.store import load_run
    from ecgbench.runner.verify import verify_run

    entry = load_run(run, results_dir)
    from ecgbench.runner.tf_environment import apply_recorded_numerics

    recorded_env = ((entry.record.get("provenance") or {}).get("numerics") or {}).get("env")
    changed = apply_recorded_numerics(recorded_env)
    if changed:
        settings = ", ".join(f"{k}={v}" if v is not None else f"{k} unset" for k, v in changed.items())
        err_console.print(f"re-running with the record's TensorFlow numerics settings: {settings}", highlight=False)
    with err_console.status(f"re-running {entry.run_id}"):
        report = verify_run(entry, tfds_dir=tfds_dir)
    if json_output:
        print_json(report.to_dict())
    else:
        table = Table(title=f"verify {report.run_id}", caption=f"recorded command: {report.command}")
        for name in ("metric", "field", "recorded", "re-run", "same"):
            table.add_column(name, justify="left" if name in ("metric", "field") else "right")
        for check in report.checks:
            if not check.equal or verbose:
                table.add_row(check.metric, check.field, repr(check.recorded), repr(check.reproduced), "yes" if check.equal else "[bold red]NO[/]")
        if table.row_count:
            console.print(table)
        n_equal = sum(c.equal for c in report.checks)
        err_console.print(
            f"{n_equal} of {len(report.checks)} figures identical; predictions {'identical' if report.predictions_equal else 'DIFFER'}; "
            f"{report.submission_summary()}",
            highlight=False,
        )
        if report.note:
            err_console.print(report.note, highlight=False)
        if not report.reproduced:
            if report.differences:
                err_console.print("what differs from the recorded run:", highlight=False)
                for line in report.differences:
                    err_console.print(f"  - {line}", highlight=False)
            else:
                err_console.print("no difference in CPU, numerics settings, package versions, data or code was found", highlight=False)
        if report.interval is not None:
            err_console.print(f"second verdict, {report.interval.summary()}", highlight=False)
        err_console.print(f"verdict: {'reproduced digit for digit' if report.reproduced else 'NOT reproduced digit for digit'}", highlight=False)
    if not report.reproduced:
        raise typer.Exit(code=1)
