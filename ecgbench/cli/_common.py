"""Helpers shared by the CLI sub-apps: consoles, common options, JSON output.

Commands stay thin: they parse options, call library functions, and print. Library errors
(:class:`ecgbench.errors.EcgbenchError`) are turned into a message on stderr and exit code 2 by
the root group (:mod:`ecgbench.cli`), so commands need no try/except of their own.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

#: Width of output that is not a terminal (CI logs, pipes): Rich would otherwise wrap at 80
#: columns and fold every leaderboard cell. ``$COLUMNS`` still wins when it is set.
PIPE_WIDTH = 160


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    wide = None if stream.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
    return Console(stderr=stderr, width=wide)


#: Results and tables go to stdout; progress, warnings and errors to stderr.
console = _console()
err_console = _console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Root folder of the raw PhysioNet data (mitdb/, nstdb/, ludb/). "
        "Default: $ECGBENCH_DATA_DIR, else ~/ecgbench_data.",
        show_default=False,
    ),
]
TfdsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--tfds-dir",
        help="Folder of built TFDS datasets. Default: $ECGBENCH_TFDS_DIR, else ~/ecgbench_data/tfds.",
        show_default=False,
    ),
]
ResultsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--results-dir",
        help="Root of the results tree (<dir>/<task>/<run>.json; boards are rendered into its parent). "
        "Default: $ECGBENCH_RESULTS_DIR, else ~/ecgbench_data/leaderboards/results.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON to stdout instead of tables.")]
RunnerOption = Annotated[
    str,
    typer.Option("--runner", help="Where record-level work runs: 'local' (this process) or 'beam' (an Apache Beam pipeline, one record per element; see --beam-options)."),
]
BeamOptionsOption = Annotated[
    str | None,
    typer.Option(
        "--beam-options",
        help="--runner beam: Beam pipeline options as comma-separated key=value pairs (tfds build syntax), e.g. "
        "'runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing'. Default: DirectRunner, one worker.",
        show_default=False,
    ),
]


def runner_execution(runner: str, beam_options: str | None) -> dict[str, str | None]:
    """Check ``--runner`` / ``--beam-options`` before any work starts; return the run record's ``provenance.execution``.

    Raises
    ------
    ConfigError
        An unknown runner, ``--beam-options`` without ``--runner beam``, malformed options, or Beam not installed.
    """
    from ecgbench.beam import RUNNERS, pipeline_options
    from ecgbench.errors import ConfigError, unknown_choice

    if runner not in RUNNERS:
        raise unknown_choice("runner", runner, RUNNERS)
    if runner == "local":
        if beam_options:
            raise ConfigError("--beam-options is only used with --runner beam; add --runner beam or drop --beam-options")
        return {"runner": "local", "beam_options": None}
    pipeline_options(beam_options)
    return {"runner": "beam", "beam_options": beam_options or ""}


def rerender_leaderboards(results_dir: Path, record_path: Path) -> None:
    """Regenerate the leaderboards beside ``results_dir`` after a run wrote ``record_path`` (notes on stderr).

    The run record is already safe on disk; if another record stops the tables from rendering,
    the error says so and names the command that renders them once it is fixed.
    """
    from ecgbench.errors import EcgbenchError
    from ecgbench.leaderboard.render import render_leaderboards

    try:
        written = render_leaderboards(results_dir)
    except EcgbenchError as exc:
        raise EcgbenchError(  # one message for every error type (SubmissionError takes two arguments)
            f"{record_path} was written, but the leaderboards were not re-rendered: {exc}; "
            f"fix that, then run: ecgbench leaderboard render --results-dir {results_dir}"
        ) from exc
    err_console.print(f"leaderboards re-rendered: {len(written)} files in {Path(results_dir).parent}")


def print_json(payload: Any) -> None:
    """Write ``payload`` as indented JSON to stdout (no Rich markup, safe to pipe)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=_json_default) + "\n")
    sys.stdout.flush()


def _json_default(value: Any) -> Any:
    """Serialise NumPy scalars/arrays and paths that ``json`` does not know."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
