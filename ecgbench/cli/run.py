"""``ecgbench run TASK SUBMISSION``: run a task of the registry (:mod:`ecgbench.tasks`) and record it.

``run baseline NAME [--track …] [--task rhythm --window …]`` is the older spelling of the same run;
``run stream`` and ``run digitize`` (also reachable as ``run streaming`` / ``run digitize``) are the
tasks whose runs take options of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core

from ecgbench.cli._common import DataDirOption, JsonOption, ResultsDirOption, TfdsDirOption, console, err_console, print_json, rerender_leaderboards


class _TaskGroup(typer.core.TyperGroup):
    """``ecgbench run``: its sub-commands, plus ``run TASK SUBMISSION`` for every registered task.

    A first argument that names a task, not a sub-command, goes to the task: to the generic
    :func:`task` command (``run TASK SUBMISSION`` → ``run task TASK SUBMISSION``), or, for a task
    with a :class:`~ecgbench.tasks.RunCommand`, to that sub-command with SUBMISSION as its
    submission option (``run streaming cnn1d`` → ``run stream --model cnn1d``).
    """

    def resolve_command(self, ctx, args):  # noqa: D102 - click API
        from ecgbench.tasks import find_task, task_names

        named = find_task(args[0]) if args and not args[0].startswith("-") else None
        if named is not None and named.command is not None and named.command.name == args[0]:
            option, rest = named.command.submission_option, args[1:]  # `run alarms-vfdb rules`: task and command share a name
            if option is not None and rest and not rest[0].startswith("-"):
                args = [args[0], option, *rest]
        elif args and args[0] not in self.commands and not args[0].startswith("-"):
            found = named
            if found is None:
                from ecgbench.errors import ConfigError

                raise ConfigError(
                    f"unknown task or command {args[0]!r}; tasks: {', '.join(task_names())} "
                    f"(`ecgbench tasks` lists them); commands: {', '.join(c for c in self.commands if c != 'task')}"
                )
            if found.command is None:
                args = ["task", *args]
            else:
                rest = args[1:]
                option = found.command.submission_option
                if option is not None and rest and not rest[0].startswith("-"):
                    rest = [option, *rest]
                args = [found.command.name, *rest]
        return super().resolve_command(ctx, args)

    def format_help(self, ctx, formatter):  # noqa: D102 - click API
        from ecgbench.models.loader import list_baselines  # read when help is asked for, so `ecgbench --help` stays light
        from ecgbench.tasks import task_names

        base = (self.help or "").split(" Tasks: ", 1)[0]
        self.help = f"{base} Tasks: {', '.join(task_names())}. Baselines: {', '.join(list_baselines())}."
        return super().format_help(ctx, formatter)


app = typer.Typer(
    cls=_TaskGroup,
    help=(
        "Run a task: `ecgbench run TASK SUBMISSION [--seed N] [--epochs N] [--quick]` trains and tests SUBMISSION "
        "(a baseline name or a submission folder) and writes its run record under <results-dir>/TASK/. "
        "TASK is a name listed by `ecgbench tasks`; `run baseline NAME --track/--task/--window` is the older "
        "spelling of the same run; `run stream` and `run digitize` are the streaming and digitize tasks."
    ),
    no_args_is_help=True,
)

#: ``run baseline --task`` values: a beat task (chosen by ``--track``) or a rhythm task (by ``--window``).
TASK_CHOICES = ("beat", "rhythm")

BootstrapOption = Annotated[int, typer.Option(help="Record-level bootstrap resamples for the confidence intervals.")]
SeedOption = Annotated[int | None, typer.Option(help="Seed of every random generator (default: the recipe's).", show_default=False)]
EpochsOption = Annotated[int | None, typer.Option(help="Maximum training epochs (default: the recipe's).", show_default=False)]
QuickOption = Annotated[bool, typer.Option("--quick", help="Smoke test: small data subsets, at most 2 epochs; the record is flagged quick.")]


@app.command("task", hidden=True)
def task(
    task_name: Annotated[str, typer.Argument(metavar="TASK", help="A task listed by `ecgbench tasks`, e.g. beats-interpatient.")],
    submission: Annotated[str, typer.Argument(metavar="SUBMISSION", help="A baseline name (`ecgbench run --help` lists them) or a submission folder.")],
    seed: SeedOption = None,
    epochs: EpochsOption = None,
    quick: QuickOption = False,
    data_dir: DataDirOption = None,
    tfds_dir: TfdsDirOption = None,
    results_dir: ResultsDirOption = None,
    bootstrap: BootstrapOption = 1000,
    json_output: JsonOption = False,
) -> None:
    """Train and test SUBMISSION on TASK (``ecgbench run TASK SUBMISSION``); write predictions + run record."""
    from ecgbench.tasks import get_task

    _run(get_task(task_name), submission, seed=seed, epochs=epochs, quick=quick, data_dir=data_dir, tfds_dir=tfds_dir,
         results_dir=results_dir, bootstrap=bootstrap, json_output=json_output)  # fmt: skip


@app.command()
def baseline(
    name: Annotated[str, typer.Argument(help="A baseline name (`ecgbench run --help` lists them: each model family and its recipe variants) or a submission folder.")],
    track: Annotated[str, typer.Option(help="interpatient (ds1_train → ds2) or intrapatient (intra_train → intra_test).")] = "interpatient",
    task: Annotated[str, typer.Option(help="beat (beat classification) or rhythm (rhythm windows: train → val → test records).")] = "beat",
    window: Annotated[float, typer.Option(help="Rhythm window length in seconds (10, 4 or 30); --task rhythm only.")] = 10.0,
    seed: SeedOption = None,
    epochs: EpochsOption = None,
    quick: QuickOption = False,
    data_dir: DataDirOption = None,
    tfds_dir: TfdsDirOption = None,
    results_dir: ResultsDirOption = None,
    bootstrap: BootstrapOption = 1000,
    json_output: JsonOption = False,
) -> None:
    """Train NAME on the task picked by --track (beat) or --task rhythm --window: the older spelling of `run TASK NAME`."""
    from ecgbench.errors import unknown_choice
    from ecgbench.runner.rhythm_data import rhythm_task
    from ecgbench.tasks import beat_track_task, get_task

    if task not in TASK_CHOICES:
        raise unknown_choice("task", task, TASK_CHOICES)
    chosen = get_task(rhythm_task(window)) if task == "rhythm" else beat_track_task(track)
    _run(chosen, name, seed=seed, epochs=epochs, quick=quick, data_dir=data_dir, tfds_dir=tfds_dir,
         results_dir=results_dir, bootstrap=bootstrap, json_output=json_output)  # fmt: skip


def _run(chosen, submission: str, *, seed, epochs, quick, data_dir, tfds_dir, results_dir: Path | None, bootstrap: int, json_output: bool) -> None:
    """Run ``submission`` on the task ``chosen`` through its run function, with progress, then print its summary."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ecgbench.errors import ConfigError
    from ecgbench.paths import resolve_results_dir
    from ecgbench.tasks import RunOptions

    results_dir = resolve_results_dir(results_dir)

    if chosen.run is None:
        raise ConfigError(f"task {chosen.name!r} runs with its own options: use `ecgbench run {chosen.command.name} ...`")
    run_function = chosen.run_function()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"), TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(), console=err_console, transient=False,
    ) as progress:  # fmt: skip
        stage_task = progress.add_task("stage", total=None, count="", info="")  # stages have no count: no "0/?"
        epoch_task = progress.add_task("epochs", total=None, count="", info="", visible=False)

        def on_stage(stage: str) -> None:
            progress.update(stage_task, description=f"{submission}: {stage}")
            if not err_console.is_terminal:
                progress.console.print(f"{submission}: {stage}", highlight=False)

        def on_epoch(epoch: int, total: int, log: dict[str, float]) -> None:
            scores = " ".join(f"{k}={v:.4f}" for k, v in log.items() if k not in ("epoch", "seconds"))
            progress.update(epoch_task, total=total, completed=epoch + 1, visible=True, count=f"{epoch + 1}/{total}", info=scores)
            if not err_console.is_terminal:  # no live bar in logs: one line per epoch instead
                progress.console.print(f"epoch {epoch + 1}/{total} {scores} ({log['seconds']:.0f} s)", highlight=False)

        options = RunOptions(
            seed=seed, epochs=epochs, quick=quick, tfds_dir=tfds_dir, data_dir=data_dir, results_dir=results_dir,
            bootstrap_resamples=bootstrap, on_epoch=on_epoch, on_stage=on_stage,
        )  # fmt: skip
        result = run_function(chosen, submission, options)
        progress.update(stage_task, description=f"{submission}: done", total=1, completed=1)
    rerender_leaderboards(results_dir, result.record_path)
    if json_output:
        print_json({"record_path": str(result.record_path), **result.record})
        return
    if result.report is not None:
        console.print(result.report.summary())
    if chosen.summary_rows:
        console.print(_summary_table(result.record, chosen.summary_rows))
    err_console.print(f"run record: {result.record_path}" + (f"\npredictions: {result.predictions_path}" if result.predictions_path else ""))


def _summary_table(record: dict, rows: tuple[tuple[str, str], ...] | None = None):
    """Rich table of a run's headline figures with their bootstrap intervals (and AHA goals when the record has them).

    ``rows`` default to the summary rows its task declares (:attr:`ecgbench.tasks.Task.summary_rows`).
    """
    from ecgbench.cli.summary import summary_table
    from ecgbench.tasks import get_task

    rows = get_task(record["task"]).summary_rows if rows is None else rows
    if "aha_goals" in record:
        return summary_table(record, rows, goals=record["aha_goals"], support=record.get("test_support", {}))
    return summary_table(record, rows)


def _attach_track_commands() -> None:
    """``run stream`` and ``run digitize`` live beside their verbs; their modules import nothing heavy."""
    from ecgbench.cli.alarms import run_app as alarms_run_app
    from ecgbench.cli.digitize import digitize_run_app
    from ecgbench.cli.stream import run_app

    app.add_typer(run_app)
    app.add_typer(alarms_run_app)
    app.add_typer(digitize_run_app)


_attach_track_commands()
