"""Bootstrap confidence intervals that resample records (or subjects), never beats.

Beats of one record are strongly correlated, so resampling beats gives intervals that are far
too narrow. Each bootstrap replicate draws records with replacement (seeded
``numpy.random.Generator``), pools their confusion matrices and recomputes the gross figures, so
the intervals reflect between-record variation. With ``by_subject=True`` the units are subjects
(:func:`ecgbench.records.subject_of`; MIT-BIH 201 and 202 are one subject).

The replicates are computed at once: a (replicates x records) matrix of draw counts times the
(records x 49) matrix of confusion counts gives every pooled matrix in one product. The draw
(:func:`resample_weights`), the pooling (:func:`pooled_replicates`) and the grouping by subject
(:func:`counts_by_subject`) are shared with the paired comparison of two runs
(:mod:`ecgbench.leaderboard.compare`); the rhythm track's scorer
(:mod:`ecgbench.runner.rhythm_evaluate`) shares the draw and the pooling but orders its subjects
by first appearance, so its subject-to-draw assignment differs from the beat track's.

References
----------
Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall (1993), ch. 13
(percentile intervals).
Field CA, Welsh AH. Bootstrapping clustered data. J R Stat Soc B 69(3):369-390 (2007).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.evaluation.ec57 import RecordComparison
from ecgbench.evaluation.statistics import all_figures
from ecgbench.records.lists import subject_of

#: Figures reported when none are asked for (dotted paths into ``EC57Result.gross``).
DEFAULT_METRICS: tuple[str, ...] = (
    "qrs.se", "qrs.ppv", "veb.se", "veb.ppv", "sveb.se", "sveb.ppv", "accuracy",
)  # fmt: skip


def _pick(tree: dict, path: str) -> np.ndarray:
    node = tree
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            raise ConfigError(
                f"unknown metric {path!r}; use a dotted path into the gross beat figures such as "
                "'qrs.se', 'veb.ppv', 'sveb.fpr', 'classes.V.f1' or 'accuracy'"
            )
        node = node[key]
    return np.asarray(node, dtype=np.float64)


def resample_weights(n_units: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each unit is drawn in each bootstrap replicate.

    Every replicate draws ``n_units`` units with replacement from one seeded
    ``numpy.random.Generator`` (one ``integers`` call for all replicates), so equal seeds give
    equal draws and two runs compared on the same draw share this matrix.

    Parameters
    ----------
    n_units : int
        Records or subjects resampled.
    n_resamples : int
        Bootstrap replicates.
    seed : int
        Seed of the generator.

    Returns
    -------
    numpy.ndarray
        ``[n_resamples, n_units]`` int64 draw counts (each row sums to ``n_units``).
    """
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_units, size=(n_resamples, n_units))
    weights = np.zeros((n_resamples, n_units), dtype=np.int64)
    np.add.at(weights, (np.repeat(np.arange(n_resamples), n_units), draws.ravel()), 1)
    return weights


def pooled_replicates(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pool per-unit count matrices over each replicate's draw (one matrix product for all replicates).

    Parameters
    ----------
    counts : numpy.ndarray
        ``[n_units, ...]`` counts of each unit (e.g. confusion matrices).
    weights : numpy.ndarray
        ``[n_resamples, n_units]`` draw counts (:func:`resample_weights`).

    Returns
    -------
    numpy.ndarray
        ``[n_resamples, ...]``: the drawn units' counts summed, replicate by replicate.
    """
    n_units = counts.shape[0]
    return (weights @ counts.reshape(n_units, -1)).reshape(weights.shape[0], *counts.shape[1:])


def counts_by_subject(records: Sequence[str], counts: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Sum per-record count matrices by subject (:func:`ecgbench.records.subject_of`).

    Returns
    -------
    (list of str, numpy.ndarray)
        The subjects, sorted, and their ``[n_subjects, ...]`` summed counts.
    """
    units = sorted({subject_of(r) for r in records})
    member = np.array([[subject_of(r) == u for r in records] for u in units], dtype=np.int64)
    return units, np.einsum("ur,rij->uij", member, counts)


def bootstrap_ci(
    comparisons: Sequence[RecordComparison],
    metrics: Sequence[str] = DEFAULT_METRICS,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    by_subject: bool = False,
) -> dict[str, dict[str, float]]:
    """Percentile bootstrap intervals of gross EC57 figures, resampling records.

    Parameters
    ----------
    comparisons : sequence of RecordComparison
        The records of the result (paced records already left out).
    metrics : sequence of str
        Dotted paths into the gross beat figures, e.g. ``"qrs.se"``, ``"classes.V.f1"``.
    n_resamples : int
        Bootstrap replicates.
    confidence : float
        Interval coverage, e.g. 0.95.
    seed : int
        Seed of the ``numpy.random.Generator``; equal seeds give equal intervals.
    by_subject : bool
        Resample subjects (records of one subject together) instead of records.

    Returns
    -------
    dict
        ``{metric: {"estimate", "low", "high", "n_defined"}}`` in percent; ``n_defined`` is how
        many replicates had the figure defined (NaN ones are left out of the percentiles).

    Raises
    ------
    ConfigError
        No records, bad ``n_resamples``/``confidence`` or an unknown metric.
    """
    comparisons = list(comparisons)
    if not comparisons:
        raise ConfigError("bootstrap needs at least one record comparison")
    if n_resamples < 1:
        raise ConfigError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be between 0 and 1, got {confidence}")
    counts = np.stack([c.confusion for c in comparisons]).astype(np.int64)
    if by_subject:
        _, counts = counts_by_subject([c.record for c in comparisons], counts)
    point = all_figures(counts.sum(axis=0))
    replicates = all_figures(pooled_replicates(counts, resample_weights(counts.shape[0], n_resamples, seed)))
    alpha = (1.0 - confidence) / 2.0
    out = {}
    for metric in metrics:
        values = _pick(replicates, metric)
        defined = values[~np.isnan(values)]
        low, high = (np.quantile(defined, [alpha, 1.0 - alpha]) if defined.size else (np.nan, np.nan))
        out[metric] = {
            "estimate": float(_pick(point, metric)),
            "low": float(low),
            "high": float(high),
            "n_defined": int(defined.size),
        }
    return out
