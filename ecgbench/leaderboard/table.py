"""Leaderboard tables as plain data: one :class:`Board` per task, built from run records.

A board ranks submissions (:mod:`ecgbench.leaderboard.ranking`: one row each, the mean over
seeds) and keeps every run: ``rows`` are the task's non-quick runs (``quick`` smoke-test runs are
never ranked), sorted by the track's first column (higher is better; undefined values last), ties
broken by run id so the order is deterministic. A track with a default configuration
(:attr:`~ecgbench.leaderboard.tracks.Track.default_config`) ranks only the runs made at it; the
others are its ablation runs. Formatting for Markdown, CSV, HTML and Rich lives in the renderers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ecgbench.leaderboard.ranking import Standing, declared_deterministic, rank_submissions
from ecgbench.leaderboard.store import RunEntry
from ecgbench.leaderboard.tracks import Column, Track, ordered_tasks, track_for

#: Columns shown for a task whose track defines none: at most this many of its metrics.
GENERIC_COLUMN_LIMIT = 10


@dataclass(frozen=True)
class Row:
    """One run.

    Attributes
    ----------
    run_id, submission, kind : str
        Identity of the run.
    seed : int
        The run's seed.
    date : str
        UTC date the run started (``YYYY-mm-dd``).
    code : str
        Short git SHA, with ``+dirty`` when the checkout had uncommitted changes.
    link : str
        Path of the run record relative to the leaderboard folder (``results/<task>/<id>.json``).
    metrics : dict
        Metric key → ``{"value", "ci_low", "ci_high"}`` (None where undefined).
    setup : str
        The run's recipe without its seed (canonical JSON): runs that differ only in seed share it.
    deterministic : bool
        The submission is declared deterministic (:func:`~ecgbench.leaderboard.ranking.declared_deterministic`).
    default_config : bool
        The run used the track's default configuration (always True for tracks without one).
    """

    run_id: str
    submission: str
    kind: str
    seed: int
    date: str
    code: str
    link: str
    metrics: dict[str, dict[str, float | None]]
    setup: str = ""
    deterministic: bool = False
    default_config: bool = True


@dataclass(frozen=True)
class Board:
    """The tables of one task.

    Attributes
    ----------
    track : Track
    columns : tuple of Column
        Every column; the first is the ranking metric.
    rows : tuple of Row
        Every non-quick run, best first.
    n_quick : int
        Quick (smoke-test) runs left out.
    standings : tuple of Standing
        One per submission with runs at the default configuration: ranked ones by rank, then
        the unranked.
    compare : tuple of Standing
        The standings of the track's ``compare_task`` (shown beside this board's); empty without one.
    """

    track: Track
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    n_quick: int
    standings: tuple[Standing, ...] = ()
    compare: tuple[Standing, ...] = ()

    @property
    def metric_columns(self) -> tuple[Column, ...]:
        """The columns of figures (not settings): what a submission's row averages."""
        return tuple(c for c in self.columns if c.section == "metrics")

    @property
    def default_rows(self) -> tuple[Row, ...]:
        """Runs at the track's default configuration (all runs for tracks without one)."""
        return tuple(r for r in self.rows if r.default_config)

    @property
    def ablation_rows(self) -> tuple[Row, ...]:
        """Runs at another configuration than the track's default."""
        return tuple(r for r in self.rows if not r.default_config)

    def counted(self, row: Row) -> bool:
        """Whether ``row`` is one of the runs averaged into its submission's row."""
        return any(row.run_id == run.run_id for standing in self.standings for run in standing.runs)


def _code(provenance: dict[str, Any]) -> str:
    sha = provenance.get("git_sha") or provenance.get("sha")
    if not sha:
        return "unknown"
    dirty = provenance.get("git_dirty", provenance.get("dirty"))
    return f"{str(sha)[:8]}{'+dirty' if dirty else ''}"


def _columns(track: Track, entries: list[RunEntry]) -> tuple[Column, ...]:
    if track.columns:
        return track.columns
    keys = sorted({key for entry in entries for key in entry.record.get("metrics", {})})
    return tuple(Column(key, key) for key in keys[:GENERIC_COLUMN_LIMIT])


def _sort_key(entry: RunEntry, column: Column | None):
    value = None
    if column is not None:
        value = column.entry(entry.record).get("value")
    number = value if isinstance(value, int | float) else None
    return (number is None, -(number or 0.0), entry.run_id)


def at_default_config(track: Track, record: dict) -> bool:
    """Whether a run record used the track's default configuration (True when the track has none).

    Each setting is read as its column reads it (so a setting absent from older records takes the
    column's ``default``); a setting without a column is read from the recipe.
    """
    columns = {c.key: c for c in track.columns}
    for key, expected in track.default_config.items():
        column = columns.get(key, Column(key, key, section="recipe"))
        if column.entry(record).get("value") != expected:
            return False
    return True


def _setup(record: dict) -> str:
    """The run's recipe without its seed, in today's spelling (canonical JSON): runs that differ only in seed share it.

    Recipes recorded before wrappers spell them as options (:func:`ecgbench.models.wrappers.canonical_recipe`);
    the same setup recorded either way is the same setup.
    """
    from ecgbench.errors import ConfigError
    from ecgbench.models.wrappers import canonical_recipe

    recipe = record.get("recipe") or {}
    try:
        recipe = canonical_recipe(recipe, "run record recipe")
    except ConfigError:  # a malformed recipe block: compared as written (leaderboard check reports records it cannot read)
        pass
    return json.dumps({k: v for k, v in recipe.items() if k != "seed"}, sort_keys=True)


def build_board(task: str, entries: Iterable[RunEntry], link_base: str | Path) -> Board:
    """Build the tables of ``task`` from its run records (other tasks' entries are ignored).

    ``link_base`` is the folder the rendered files go to; links to run records are relative to it.
    """
    track = track_for(task)
    entries = [e for e in entries if e.task == task]
    runs = [e for e in entries if not e.record.get("quick")]
    columns = _columns(track, runs)
    first = columns[0] if columns else None
    runs.sort(key=lambda e: _sort_key(e, first))
    rows = []
    for entry in runs:
        record = entry.record
        provenance = record.get("provenance", {})
        relative = Path(os.path.relpath(entry.path.resolve(), Path(link_base).resolve())).as_posix()
        rows.append(
            Row(
                run_id=entry.run_id,
                submission=str(record.get("submission", {}).get("name", "?")),
                kind=str(record.get("submission", {}).get("kind", "?")),
                seed=record.get("seed"),
                date=str(provenance.get("started_at", ""))[:10],
                code=_code(provenance),
                link=relative,
                metrics={c.key: c.entry(record) for c in columns},
                setup=_setup(record),
                deterministic=declared_deterministic(record),
                default_config=at_default_config(track, record),
            )
        )
    metric_columns = tuple(c for c in columns if c.section == "metrics")
    standings = rank_submissions([r for r in rows if r.default_config], metric_columns)
    return Board(track=track, columns=columns, rows=tuple(rows), n_quick=len(entries) - len(runs), standings=tuple(standings))


#: Figures of the side-by-side table of a board with a ``compare_task``: (metric key, label).
COMPARE_FIGURES: tuple[tuple[str, str], ...] = (("gross.accuracy", "Acc"), ("gross.sveb.f1", "SVEB F1"), ("gross.veb.f1", "VEB F1"))


def compare_rows(board: Board) -> list[tuple[str, list[tuple[float | None, float | None, float | None]]]]:
    """Each submission of ``board`` with, per :data:`COMPARE_FIGURES`, its seed mean on the ``compare_task``, here, and here − there.

    ``None`` where a side has no counted run or the figure is undefined.
    """
    other = {s.submission: s for s in board.compare}
    rows = []
    for standing in board.standings:
        ref = other.get(standing.submission)
        cells = []
        for key, _ in COMPARE_FIGURES:
            there, here = (ref.mean.get(key) if ref else None), standing.mean.get(key)
            cells.append((there, here, None if there is None or here is None else here - there))
        rows.append((standing.submission, cells))
    return rows


def build_boards(entries: list[RunEntry], link_base: str | Path, tasks: Iterable[str] = ()) -> list[Board]:
    """One board per task that has run records (and per task in ``tasks``, possibly empty), in display order."""
    by_task: dict[str, list[RunEntry]] = {task: [] for task in tasks}
    for entry in entries:
        by_task.setdefault(entry.task, []).append(entry)
    boards = {task: build_board(task, by_task[task], link_base) for task in ordered_tasks(by_task)}
    for task, board in boards.items():
        other = board.track.compare_task
        if other:  # e.g. the SVDB board shows each submission's DS2 figures beside its own
            reference = boards[other] if other in boards else build_board(other, [], link_base)
            boards[task] = replace(board, compare=reference.standings)
    return list(boards.values())


def format_value(value: float | str | None, decimals: int = 2) -> str:
    """``decimals`` digits after the point (two by default), ``–`` when undefined; text as it is."""
    if isinstance(value, str):
        return value
    return "–" if value is None else f"{value:.{decimals}f}"


def format_interval(entry: dict[str, float | None], decimals: int = 2) -> str:
    """``[low–high]`` of an interval, empty when there is none."""
    low, high = entry.get("ci_low"), entry.get("ci_high")
    if low is None or high is None:
        return ""
    return f"[{low:.{decimals}f}–{high:.{decimals}f}]"


def format_cell(entry: dict[str, float | None], decimals: int = 2) -> str:
    """Value and interval, e.g. ``95.10 [93.20–96.80]``."""
    interval = format_interval(entry, decimals)
    return format_value(entry.get("value"), decimals) + (f" {interval}" if interval else "")


def format_standing(standing: Standing, column: Column) -> str:
    """A submission's figure: ``mean ± sd`` over its seeds, or the single run's value and interval."""
    if len(standing.runs) == 1:
        return format_cell(standing.runs[0].metrics[column.key], column.decimals)
    mean, sd = standing.mean.get(column.key), standing.sd.get(column.key)
    if mean is None or sd is None:
        return "–"
    return f"{mean:.{column.decimals}f} ± {sd:.{column.decimals}f}"


def format_seeds(standing: Standing) -> str:
    """The seed count, e.g. ``3``, marked ``(deterministic)`` for a submission declared so."""
    return f"{len(standing.runs)}" + (" (deterministic)" if standing.deterministic else "")
