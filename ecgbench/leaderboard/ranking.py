"""Rank submissions the way benchmark suites do: one row each, by the mean over seeds.

Following the Open Graph Benchmark's rule (Hu et al. 2020, "Open Graph Benchmark: Datasets for
Machine Learning on Graphs", NeurIPS; leaderboards report mean ± standard deviation over at least
ten seeds), a board ranks *submissions*, not runs: a submission's figure is the mean of its runs'
figures over its seeds, shown with the sample standard deviation (``ddof=1``) and the seed count,
so no method is ranked by its luckiest seed.

Which runs count
    Only non-quick runs (the caller drops quick ones) of the submission's *current setup*: the
    recipe, seed aside, of its newest run. A seed run more than once counts once, with its newest
    run. A run made under an older recipe stays in the per-run table but is not averaged.
Who is ranked
    A submission whose training is seeded needs :data:`MIN_SEEDS` distinct seeds; with fewer it
    is listed as unranked, with its figures. A deterministic one (:func:`declared_deterministic`)
    gives the same output for every seed, so one run ranks it; its figure is then the run's, with
    the run's bootstrap interval.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgbench.leaderboard.checks.track_rules import MODEL_FILE_KINDS
from ecgbench.leaderboard.tracks import Column

#: Distinct seeds a seeded submission needs to be ranked.
MIN_SEEDS = 3
#: ``submission.kind`` values whose output the run does not train: a fixed model file, a file of
#: predictions, or a built-in algorithm (the streaming ``rules`` classifier, the digitiser).
FIXED_OUTPUT_KINDS: tuple[str, ...] = (*MODEL_FILE_KINDS, "predictions", "builtin")
#: Baselines whose fit draws no random numbers (``prior``: class frequencies; ``rr-lda``: a
#: closed-form linear discriminant chosen by validation macro-F1). Their run records predate the
#: ``submission.deterministic`` field, so the board declares them here, by the baseline's name
#: (``submission.source`` equal to ``submission.name``: the packaged baseline, not a user folder).
DETERMINISTIC_BASELINES: tuple[str, ...] = ("prior", "rr-lda")


def declared_deterministic(record: Mapping[str, Any]) -> bool:
    """Whether a run's submission gives the same output for every seed (so one run ranks it).

    In order: the record's own ``submission.deterministic`` (a boolean) decides when present;
    else a fixed-output kind (:data:`FIXED_OUTPUT_KINDS`) is deterministic; else a packaged
    baseline listed in :data:`DETERMINISTIC_BASELINES`; anything else is seeded.
    """
    submission = record.get("submission") or {}
    declared = submission.get("deterministic")
    if isinstance(declared, bool):
        return declared
    if submission.get("kind") in FIXED_OUTPUT_KINDS:
        return True
    name = submission.get("name")
    return name in DETERMINISTIC_BASELINES and submission.get("source", name) == name


@dataclass(frozen=True)
class Standing:
    """One submission's row: its counted runs and their mean and spread.

    Attributes
    ----------
    submission, kind : str
        The submission's name and the ``submission.kind`` of its newest counted run.
    rank : int or None
        1 for the best; None when unranked (see ``reason``).
    deterministic : bool
        Declared deterministic (ranks with one run).
    runs : tuple
        The counted runs (newest per seed of the current setup), by ascending seed.
    mean, sd : dict
        Column key → mean and sample standard deviation over ``runs``; ``sd`` is None with one
        run, both are None when a run lacks the value or the value is text.
    reason : str
        Why the submission is unranked; empty when ranked.
    """

    submission: str
    kind: str
    rank: int | None
    deterministic: bool
    runs: tuple[Any, ...]
    mean: dict[str, float | None]
    sd: dict[str, float | None]
    reason: str = ""

    @property
    def seeds(self) -> tuple[int, ...]:
        """The distinct seeds counted, ascending."""
        return tuple(int(run.seed) for run in self.runs)

    @property
    def ranked(self) -> bool:
        return self.rank is not None


def counted_runs(rows: Iterable[Any]) -> dict[str, list[Any]]:
    """Group runs by submission: the newest run per seed of each submission's current setup.

    ``rows`` carry ``run_id`` (starting with the UTC start time, so it orders runs in time),
    ``submission``, ``seed`` and ``setup`` (the recipe without its seed). Returns submission →
    runs by ascending seed.
    """
    ordered = sorted(rows, key=lambda r: r.run_id)
    current = {row.submission: row.setup for row in ordered}  # the newest run's setup, per submission
    newest: dict[str, dict[int, Any]] = defaultdict(dict)
    for row in ordered:
        if row.seed is not None and row.setup == current[row.submission]:
            newest[row.submission][int(row.seed)] = row
    return {name: [by_seed[s] for s in sorted(by_seed)] for name, by_seed in newest.items()}


def _summary(runs: Sequence[Any], columns: Sequence[Column]) -> tuple[dict, dict]:
    mean: dict[str, float | None] = {}
    sd: dict[str, float | None] = {}
    for column in columns:
        values = [run.metrics[column.key].get("value") for run in runs]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        mean[column.key] = float(np.mean(values)) if numeric else None
        sd[column.key] = float(np.std(values, ddof=1)) if numeric and len(values) > 1 else None
    return mean, sd


def rank_submissions(rows: Iterable[Any], columns: Sequence[Column], min_seeds: int = MIN_SEEDS) -> list[Standing]:
    """Return one :class:`Standing` per submission: the ranked ones by rank, then the unranked.

    Parameters
    ----------
    rows : iterable
        Non-quick runs (:class:`ecgbench.leaderboard.table.Row`) eligible for the board.
    columns : sequence of Column
        The board's columns; the first is the ranking metric (higher is better). Submissions
        whose mean of it is undefined rank last; ties go by submission name.
    min_seeds : int
        Distinct seeds a seeded submission needs to be ranked.
    """
    standings = []
    for submission, runs in counted_runs(rows).items():
        deterministic = all(run.deterministic for run in runs)
        mean, sd = _summary(runs, columns)
        reason = ""
        if not deterministic and len(runs) < min_seeds:
            reason = f"seeded training: {len(runs)} of the {min_seeds} seeds needed"
        standings.append(Standing(submission, runs[-1].kind, None, deterministic, tuple(runs), mean, sd, reason))
    key = columns[0].key if columns else None

    def order(standing: Standing):
        value = standing.mean.get(key) if key else None
        return (value is None, -(value or 0.0), standing.submission)

    standings.sort(key=order)
    ranked = [s for s in standings if not s.reason]
    result = [Standing(s.submission, s.kind, i, s.deterministic, s.runs, s.mean, s.sd) for i, s in enumerate(ranked, start=1)]
    return result + [s for s in standings if s.reason]
