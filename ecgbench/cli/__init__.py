"""The ``ecgbench`` command line: a Typer root app that wires the sub-apps together.

Each module in this package owns one noun or verb and registers a small Typer app here. Heavy
imports (TensorFlow, TFDS) happen inside commands, so ``ecgbench --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer
import typer.core

from ecgbench import __version__
from ecgbench.cli._common import console, err_console
from ecgbench.errors import EcgbenchError


class _ErrorReportingGroup(typer.core.TyperGroup):
    """Root group: prints an :class:`EcgbenchError` as one message on stderr and exits with code 2."""

    def invoke(self, ctx: typer.Context):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except EcgbenchError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None


app = typer.Typer(
    name="ecgbench",
    cls=_ErrorReportingGroup,
    help="Reproducible ECG benchmarks: MIT-BIH datasets, EC57 scoring, baselines, streaming, leaderboards.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", help="Keep TensorFlow's C++ log lines (also kept when $TF_CPP_MIN_LOG_LEVEL is set).")] = False,
) -> None:
    """Set TensorFlow's environment before any command imports it: portable numerics, quiet logs.

    ``ONEDNN_MAX_CPU_ISA=AVX2`` makes a seeded training run give the same digits on every x86-64
    CPU with AVX2 (:mod:`ecgbench.runner.tf_environment`); ``ECGBENCH_NUMERICS=native`` keeps
    TensorFlow's default. Every run record stores the setting in effect.
    """
    from ecgbench.runner.tf_environment import prepare_tensorflow_process

    prepare_tensorflow_process(verbose)


@app.command()
def version() -> None:
    """Print the ecgbench version."""
    console.print(__version__)


def _register() -> None:
    """Attach every sub-app. Kept in one place so the command tree is easy to read."""
    # Each sub-app module adds its own line here, e.g. `app.add_typer(dataset.app)` for verbs or
    # `app.add_typer(leaderboard.app, name="leaderboard")` for nouns.
    # Listed in `ecgbench --help` in this order: the main job (build, run, leaderboard) first.
    from ecgbench.cli import dataset; app.add_typer(dataset.app)  # noqa: E702
    from ecgbench.cli import tasks; app.add_typer(tasks.app)  # noqa: E702
    from ecgbench.cli import run; app.add_typer(run.app, name="run")  # noqa: E702
    from ecgbench.cli import leaderboard; app.add_typer(leaderboard.app, name="leaderboard")  # noqa: E702
    from ecgbench.cli import submit; app.add_typer(submit.app)  # noqa: E702
    from ecgbench.cli import score; app.add_typer(score.app)  # noqa: E702
    from ecgbench.cli import stream; app.add_typer(stream.app)  # noqa: E702
    from ecgbench.cli import detect; app.add_typer(detect.app)  # noqa: E702
    from ecgbench.cli import delineate; app.add_typer(delineate.app)  # noqa: E702
    from ecgbench.cli import plot; app.add_typer(plot.app, name="plot")  # noqa: E702
    from ecgbench.cli import digitize; app.add_typer(digitize.app)  # noqa: E702


_register()


def main() -> None:
    """Console-script entry point (``ecgbench``)."""
    app()
