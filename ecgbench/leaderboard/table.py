"""Leaderboard tables as plain data: one :class:`Board` per task, rows built from run records.

Rows are the task's non-quick runs (``quick`` smoke-test runs are never ranked), sorted by the
track's first column (higher is better; undefined values last), ties broken by run id so the
order is deterministic. :func:`seed_spreads` summarises submissions run with several seeds.
Formatting for Markdown, CSV, HTML and Rich lives in the renderers.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.leaderboard.store import RunEntry
from ecgbench.leaderboard.tracks import Column, Track, ordered_tasks, track_for

#: Columns shown for a task whose track defines none: at most this many of its metrics.
GENERIC_COLUMN_LIMIT = 10


@dataclass(frozen=True)
class Row:
    """One ranked run.

    Attributes
    ----------
    rank : int
        1 for the best.
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
    """

    rank: int
    run_id: str
    submission: str
    kind: str
    seed: int
    date: str
    code: str
    link: str
    metrics: dict[str, dict[str, float | None]]
    setup: str = ""


@dataclass(frozen=True)
class Board:
    """The table of one task."""

    track: Track
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    n_quick: int


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


def build_board(task: str, entries: Iterable[RunEntry], link_base: str | Path) -> Board:
    """Build the table of ``task`` from its run records (other tasks' entries are ignored).

    ``link_base`` is the folder the rendered files go to; links to run records are relative to it.
    """
    track = track_for(task)
    entries = [e for e in entries if e.task == task]
    ranked = [e for e in entries if not e.record.get("quick")]
    columns = _columns(track, ranked)
    first = columns[0] if columns else None
    ranked.sort(key=lambda e: _sort_key(e, first))
    rows = []
    for rank, entry in enumerate(ranked, start=1):
        record = entry.record
        provenance = record.get("provenance", {})
        relative = Path(os.path.relpath(entry.path.resolve(), Path(link_base).resolve())).as_posix()
        rows.append(
            Row(
                rank=rank,
                run_id=entry.run_id,
                submission=str(record.get("submission", {}).get("name", "?")),
                kind=str(record.get("submission", {}).get("kind", "?")),
                seed=record.get("seed"),
                date=str(provenance.get("started_at", ""))[:10],
                code=_code(provenance),
                link=relative,
                metrics={c.key: c.entry(record) for c in columns},
                setup=json.dumps({k: v for k, v in (record.get("recipe") or {}).items() if k != "seed"}, sort_keys=True),
            )
        )
    return Board(track=track, columns=columns, rows=tuple(rows), n_quick=len(entries) - len(ranked))


def build_boards(entries: list[RunEntry], link_base: str | Path) -> list[Board]:
    """One board per task that has run records, in display order."""
    by_task: dict[str, list[RunEntry]] = defaultdict(list)
    for entry in entries:
        by_task[entry.task].append(entry)
    return [build_board(task, by_task[task], link_base) for task in ordered_tasks(by_task)]


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


@dataclass(frozen=True)
class SeedSpread:
    """One submission's figures over the seeds it was run with (mean and sample standard deviation).

    Attributes
    ----------
    submission : str
    seeds : tuple of int
        The distinct seeds, ascending; for a seed run more than once the newest run counts.
    mean, sd : dict
        Column key → mean and sample standard deviation (``ddof=1``) of the run values, ``None``
        when any run lacks the value.
    """

    submission: str
    seeds: tuple[int, ...]
    mean: dict[str, float | None]
    sd: dict[str, float | None]


def seed_spreads(board: Board) -> list[SeedSpread]:
    """Return the spread over seeds of every submission ranked with at least two distinct seeds.

    One run's figure can be a lucky seed; the spread says how far a re-run with another seed may
    land (the per-run bootstrap intervals measure the test records' sampling, not this). Only runs
    whose recipe, seed aside, is the one of the submission's newest run count: a seed run made
    under an older recipe is not averaged with the current one.
    """
    ordered = sorted(board.rows, key=lambda r: r.run_id)  # run ids start with the UTC start time
    current = {row.submission: row.setup for row in ordered}  # the newest run's recipe, per submission
    newest: dict[str, dict[int, Row]] = defaultdict(dict)
    for row in ordered:
        if row.seed is not None and row.setup == current[row.submission]:
            newest[row.submission][int(row.seed)] = row
    spreads = []
    for submission, by_seed in newest.items():
        if len(by_seed) < 2:
            continue
        rows = [by_seed[seed] for seed in sorted(by_seed)]
        mean, sd = {}, {}
        for column in board.columns:
            values = [row.metrics[column.key].get("value") for row in rows]
            ok = all(isinstance(v, int | float) for v in values)
            mean[column.key] = float(np.mean(values)) if ok else None
            sd[column.key] = float(np.std(values, ddof=1)) if ok else None
        spreads.append(SeedSpread(submission, tuple(sorted(by_seed)), mean, sd))
    return spreads


def format_spread(spread: SeedSpread, column: Column) -> str:
    """``mean ± sd`` of one column, e.g. ``92.44 ± 1.40``; ``–`` when undefined."""
    mean, sd = spread.mean.get(column.key), spread.sd.get(column.key)
    if mean is None or sd is None:
        return "–"
    return f"{mean:.{column.decimals}f} ± {sd:.{column.decimals}f}"
