"""Compare two beat-track runs metric by metric with a paired bootstrap over subjects.

Both runs must have predicted the same beats (same records and R-peak positions). Each
bootstrap replicate draws subjects with replacement (records 201 and 202 together; seeded
``numpy.random.Generator``) and pools *both* runs' confusion matrices over the same draw, so the
difference B − A is computed on identical data each time and between-record variation cancels
where the runs agree. A difference is called significant when its percentile interval excludes 0.

References
----------
Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall (1993), ch. 13, 16.
Field CA, Welsh AH. Bootstrapping clustered data. J R Stat Soc B 69(3):369-390 (2007).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.leaderboard.beatscore import GROSS_PREFIX, beat_comparisons, number
from ecgbench.leaderboard.store import RunEntry
from ecgbench.leaderboard.tracks import track_for

DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class MetricDifference:
    """One metric of a paired comparison (percent points).

    Attributes
    ----------
    metric : str
        Run-record key, e.g. ``"gross.veb.f1"``.
    a, b : float or None
        The metric of run A and run B on the shared beats.
    difference : float or None
        ``b - a``.
    ci_low, ci_high : float or None
        Percentile bootstrap interval of the difference.
    p_value : float or None
        Two-sided bootstrap p-value: twice the smaller share of replicates on either side of 0.
    significant : bool
        The interval excludes 0.
    """

    metric: str
    a: float | None
    b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool


@dataclass(frozen=True)
class RunComparison:
    """Result of :func:`compare_runs`."""

    run_a: str
    run_b: str
    n_records: int
    n_subjects: int
    n_beats: int
    n_resamples: int
    confidence: float
    seed: int
    differences: tuple[MetricDifference, ...]

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "run_a": self.run_a, "run_b": self.run_b, "n_records": self.n_records, "n_subjects": self.n_subjects,
            "n_beats": self.n_beats, "n_resamples": self.n_resamples, "confidence": self.confidence, "seed": self.seed,
            "differences": [d.__dict__ for d in self.differences],
        }  # fmt: skip


def _pick(tree: dict, key: str) -> np.ndarray:
    node = tree
    for part in key.removeprefix(GROSS_PREFIX).split("."):
        node = node[part]
    return np.asarray(node, dtype=np.float64)


def _scored(entry: RunEntry):
    from ecgbench.evaluation import score_records

    track = track_for(entry.task)
    if not track.beat_predictions:
        raise ConfigError(f"run {entry.run_id} is a {entry.task!r} run; compare works on beat-track runs only")
    predictions = entry.predictions()
    keys = set(zip(np.asarray(predictions["record"]).astype(str).tolist(), np.asarray(predictions["sample"]).tolist(), strict=True))
    return score_records(beat_comparisons(predictions, track.sampling_rate)).comparisons, keys


def compare_runs(
    entry_a: RunEntry,
    entry_b: RunEntry,
    metrics: Sequence[str] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> RunComparison:
    """Paired bootstrap of the differences B − A of gross EC57 figures.

    Parameters
    ----------
    entry_a, entry_b : RunEntry
        Two beat-track runs on the same test beats.
    metrics : sequence of str, optional
        Run-record keys (``gross.*``); default every ``gross.*`` key both records list.
    n_resamples : int
        Bootstrap replicates.
    confidence : float
        Interval coverage, e.g. 0.95.
    seed : int
        Seed of the generator; equal seeds give equal intervals.

    Raises
    ------
    ConfigError
        Not beat-track runs, different test beats, or bad bootstrap settings.
    """
    from ecgbench.evaluation.bootstrap import counts_by_subject, pooled_replicates, resample_weights
    from ecgbench.evaluation.statistics import all_figures

    if n_resamples < 1 or not 0 < confidence < 1:
        raise ConfigError(f"need n_resamples >= 1 and 0 < confidence < 1 (got {n_resamples}, {confidence})")
    comparisons_a, keys_a = _scored(entry_a)
    comparisons_b, keys_b = _scored(entry_b)
    records_a = [c.record for c in comparisons_a]
    records_b = {c.record: c for c in comparisons_b}
    if set(records_a) != set(records_b):
        only_a, only_b = sorted(set(records_a) - set(records_b)), sorted(set(records_b) - set(records_a))
        raise ConfigError(
            f"runs {entry_a.run_id} and {entry_b.run_id} tested different records (only in A: {', '.join(only_a) or '-'}; "
            f"only in B: {', '.join(only_b) or '-'}); compare runs of the same task and test split"
        )
    if keys_a != keys_b:
        raise ConfigError(
            f"runs {entry_a.run_id} and {entry_b.run_id} predicted different beats ({len(keys_a)} vs {len(keys_b)}, "
            f"{len(keys_a ^ keys_b)} not shared); quick runs with different seeds draw different subsets"
        )
    if metrics is None:
        metrics = [k for k in entry_a.record["metrics"] if k.startswith(GROSS_PREFIX) and k in entry_b.record["metrics"]]
    bad = [m for m in metrics if not m.startswith(GROSS_PREFIX)]
    if bad:
        raise ConfigError(f"compare works on gross.* figures; not {', '.join(bad)}")

    units, counts_a = counts_by_subject(records_a, np.stack([c.confusion for c in comparisons_a]).astype(np.int64))
    _, counts_b = counts_by_subject(records_a, np.stack([records_b[r].confusion for r in records_a]).astype(np.int64))
    weights = resample_weights(len(units), n_resamples, seed)  # one draw for both runs: a paired bootstrap
    point_a, point_b = all_figures(counts_a.sum(axis=0)), all_figures(counts_b.sum(axis=0))
    rep_a, rep_b = all_figures(pooled_replicates(counts_a, weights)), all_figures(pooled_replicates(counts_b, weights))
    alpha = (1.0 - confidence) / 2.0
    out = []
    for metric in metrics:
        try:
            a, b = number(_pick(point_a, metric)), number(_pick(point_b, metric))
            replicates = _pick(rep_b, metric) - _pick(rep_a, metric)
        except KeyError:
            raise ConfigError(f"unknown metric {metric!r}; use a gross.* key of the run records") from None
        defined = replicates[~np.isnan(replicates)]
        if a is None or b is None or not defined.size:
            out.append(MetricDifference(metric, a, b, None, None, None, None, False))
            continue
        low, high = (float(x) for x in np.quantile(defined, [alpha, 1.0 - alpha]))
        p_value = min(1.0, 2.0 * min(float(np.mean(defined <= 0)), float(np.mean(defined >= 0))))
        out.append(MetricDifference(metric, a, b, b - a, low, high, p_value, bool(low > 0 or high < 0)))
    return RunComparison(
        run_a=entry_a.run_id, run_b=entry_b.run_id, n_records=len(records_a), n_subjects=len(units),
        n_beats=len(keys_a), n_resamples=n_resamples, confidence=confidence, seed=seed, differences=tuple(out),
    )  # fmt: skip
