"""Leaderboard tracks: how each task's board is titled, ranked and shown.

:class:`Column` and :class:`Track` are the board spec a task declares (:mod:`ecgbench.tasks`);
``TRACKS``, ``TRACK_ORDER``, :func:`track_for` and :func:`ordered_tasks` are views of the task
registry. A run record's ``task`` (its folder under ``leaderboards/results/``) selects a
:class:`Track`; tasks without a registered definition still render, with a generic table of their
metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One table column: run-record key, the header shown, and the record section the key is in.

    ``section`` is ``"metrics"`` (entries ``{"value", "ci_low", "ci_high"}``) or another section
    holding plain values, e.g. ``"recipe"`` for a setting that changes what the figures mean (the
    streaming chunk length); a dotted section is nested (``"recipe.alarms"``). ``decimals`` is how many digits are shown after the
    point (0 for counts). ``default`` is the value of a setting in records written before the
    setting existed (what those runs used); a setting's value may be text.
    """

    key: str
    label: str
    section: str = "metrics"
    decimals: int = 2
    default: float | str | None = None

    def entry(self, record: dict) -> dict:
        """Return this column's ``{"value", ...}`` entry of a run record (``{}`` when absent)."""
        if self.section == "metrics":
            return record.get("metrics", {}).get(self.key) or {}
        block = record
        for part in self.section.split("."):  # a nested section, e.g. "recipe.alarms"
            block = (block or {}).get(part) if isinstance(block, dict) else None
        value = (block or {}).get(self.key, self.default)
        return {} if value is None else {"value": value}


@dataclass(frozen=True)
class Track:
    """How one task is shown.

    Attributes
    ----------
    task : str
        Folder name under the results tree, e.g. ``"beats-interpatient"``.
    title : str
        Heading of its table.
    note : str
        One paragraph under the heading (what the split is, caveats).
    columns : tuple of Column
        Metric columns, in order; the first is the ranking key (higher is better).
    leaky : bool
        True when the test split shares patients with training (scores are optimistic).
    beat_predictions : bool
        True when prediction files hold ``record``, ``sample``, ``label``, ``probabilities`` and
        metrics can be recomputed with the EC57 beat scorer.
    sampling_rate : float
        Hz of the ``sample`` positions in the prediction files.
    headline : tuple of str
        Metric keys shown by the terminal table (``leaderboard show``); empty: the first columns.
    units : str
        Sentence on the units of the columns, replacing "Values in percent" under the table.
    recompute_note : str
        Why the metrics and labels checks cannot recompute this task's figures from its prediction
        file (shown when they skip); empty for tasks without such an explanation.
    default_config : mapping
        The registered default configuration: setting column key → value (None: unset). Only runs
        made at it are ranked; the others go to an ablation table. Empty: every run is ranked.
    compare_task : str
        Another task whose seed-mean figures of the same submissions are shown beside this board's
        (a generalisation gap, e.g. DS2 next to SVDB); empty: none.
    """

    task: str
    title: str
    note: str
    columns: tuple[Column, ...]
    leaky: bool = False
    beat_predictions: bool = False
    sampling_rate: float = 360.0
    headline: tuple[str, ...] = ()
    units: str = ""
    recompute_note: str = ""
    default_config: Mapping[str, float | str | None] = field(default_factory=dict)
    compare_task: str = ""


def _registry():
    from ecgbench.tasks import registry

    return registry


def __getattr__(name: str):
    """``TRACKS`` (task → :class:`Track`) and ``TRACK_ORDER``: views of the task registry, read when asked."""
    if name == "TRACKS":
        return {task.name: task.board for task in _registry().all_tasks()}
    if name == "TRACK_ORDER":
        return _registry().task_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def track_for(task: str) -> Track:
    """Return the :class:`Track` of a task (its board in :mod:`ecgbench.tasks`); unknown tasks get a generic definition."""
    registered = _registry().find_task(task)
    if registered is not None:
        return registered.board
    return Track(task=task, title=task, note="", columns=())


def ordered_tasks(tasks) -> list[str]:
    """Return ``tasks`` in display order: registered tasks first, then the rest alphabetically."""
    tasks = set(tasks)
    known = [t for t in _registry().task_names() if t in tasks]
    return known + sorted(tasks - set(known))
