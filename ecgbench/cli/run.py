"""``ecgbench run …``: run benchmarks. ``run baseline NAME`` trains, tests and records a beat model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import DataDirOption, JsonOption, ResultsDirOption, TfdsDirOption, console, err_console, print_json, rerender_leaderboards

app = typer.Typer(help="Run a benchmark track and write its run record under the results tree (--results-dir).", no_args_is_help=True)

TRACK_CHOICES = ("interpatient", "intrapatient")
TASK_CHOICES = ("beat", "rhythm")
#: EC57 figures shown in the summary table: (metric key, label).
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("gross.accuracy", "accuracy"),
    ("gross.sveb.se", "SVEB Se"),
    ("gross.sveb.ppv", "SVEB +P"),
    ("gross.sveb.f1", "SVEB F1"),
    ("gross.veb.se", "VEB Se"),
    ("gross.veb.ppv", "VEB +P"),
    ("gross.veb.f1", "VEB F1"),
)


@app.command()
def baseline(
    name: Annotated[str, typer.Argument(help="Baseline name in baselines/ (prior, rr-lda, cnn1d, cnn1d-causal, cnn1d-causal-ensemble, cnn1d-context, cnn1d-context-ensemble, cnn1d-context-afgate, cnn1d-context-ensemble-afgate, cnn1d-context-ensemble-afgate-2lead, resnet1d) or a submission folder.")],
    track: Annotated[str, typer.Option(help="interpatient (ds1_train → ds2) or intrapatient (intra_train → intra_test).")] = "interpatient",
    task: Annotated[str, typer.Option(help="beat (beat classification) or rhythm (rhythm windows: train → val → test records).")] = "beat",
    window: Annotated[float, typer.Option(help="Rhythm window length in seconds (10, 4 or 30); --task rhythm only.")] = 10.0,
    seed: Annotated[int | None, typer.Option(help="Seed of every random generator (default: the recipe's).", show_default=False)] = None,
    epochs: Annotated[int | None, typer.Option(help="Maximum training epochs (default: the recipe's).", show_default=False)] = None,
    quick: Annotated[bool, typer.Option("--quick", help="Smoke test: small data subsets, at most 2 epochs; the record is flagged quick.")] = False,
    data_dir: DataDirOption = None,
    tfds_dir: TfdsDirOption = None,
    results_dir: ResultsDirOption = None,
    bootstrap: Annotated[int, typer.Option(help="Record-level bootstrap resamples for the confidence intervals.")] = 1000,
    json_output: JsonOption = False,
) -> None:
    """Train NAME on a beat track (EC57 scoring) or on rhythm windows (--task rhythm); write predictions + run record."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ecgbench.errors import unknown_choice
    from ecgbench.paths import resolve_results_dir
    from ecgbench.runner.beat import run_beat_benchmark

    if task not in TASK_CHOICES:
        raise unknown_choice("task", task, TASK_CHOICES)
    if track not in TRACK_CHOICES:
        raise unknown_choice("track", track, TRACK_CHOICES)
    results_dir = resolve_results_dir(results_dir)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(), console=err_console, transient=False,
    ) as progress:  # fmt: skip
        stage_task = progress.add_task("stage", total=None, info="")
        epoch_task = progress.add_task("epochs", total=None, info="", visible=False)

        def on_stage(stage: str) -> None:
            progress.update(stage_task, description=f"{name}: {stage}")
            if not err_console.is_terminal:
                progress.console.print(f"{name}: {stage}", highlight=False)

        def on_epoch(epoch: int, total: int, log: dict[str, float]) -> None:
            scores = " ".join(f"{k}={v:.4f}" for k, v in log.items() if k not in ("epoch", "seconds"))
            progress.update(epoch_task, total=total, completed=epoch + 1, visible=True, info=scores)
            if not err_console.is_terminal:  # no live bar in logs: one line per epoch instead
                progress.console.print(f"epoch {epoch + 1}/{total} {scores} ({log['seconds']:.0f} s)", highlight=False)

        if task == "rhythm":
            from ecgbench.runner.rhythm import run_rhythm_benchmark

            result = run_rhythm_benchmark(
                name, window_s=window, seed=seed, epochs=epochs, quick=quick, tfds_dir=tfds_dir, results_dir=results_dir,
                bootstrap_resamples=bootstrap, on_epoch=on_epoch, on_stage=on_stage,
            )  # fmt: skip
        else:
            result = run_beat_benchmark(
                name, track=track, seed=seed, epochs=epochs, quick=quick, tfds_dir=tfds_dir, data_dir=data_dir,
                results_dir=results_dir,
                bootstrap_resamples=bootstrap, on_epoch=on_epoch, on_stage=on_stage,
            )  # fmt: skip
        progress.update(stage_task, description=f"{name}: done")
    rerender_leaderboards(results_dir, result.record_path)
    if json_output:
        print_json({"record_path": str(result.record_path), **result.record})
        return
    if task == "rhythm":
        from ecgbench.cli.run_rhythm import rhythm_summary_table

        console.print(result.report.summary())
        console.print(rhythm_summary_table(result.record))
    else:
        console.print(result.ec57.summary())
        console.print(_summary_table(result.record))
    err_console.print(f"run record: {result.record_path}\npredictions: {result.predictions_path}")


def _summary_table(record: dict):
    """Rich table of the headline beat figures with their bootstrap intervals."""
    from ecgbench.cli.summary import summary_table

    return summary_table(record, SUMMARY_ROWS)


def _attach_track_commands() -> None:
    """``run stream`` and ``run digitize`` live beside their verbs; their modules import nothing heavy."""
    from ecgbench.cli.digitize import digitize_run_app
    from ecgbench.cli.stream import run_app

    app.add_typer(run_app)
    app.add_typer(digitize_run_app)


_attach_track_commands()
