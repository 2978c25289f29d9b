"""Bootstrap confidence intervals that resample records (or subjects), never beats.

Beats of one record are strongly correlated, so resampling beats gives intervals that are far
too narrow. Each bootstrap replicate draws records with replacement (seeded
``numpy.random.Generator``), pools their confusion matrices and recomputes the gross figures, so
the intervals reflect between-record variation. With ``by_subject=True`` the units are subjects
(:func:`ecgbench.records.subject_of`; MIT-BIH 201 and 202 are one subject).

The replicates are computed at once: a (replicates x records) matrix of draw counts times the
(records x 49) matrix of confusion counts gives every pooled matrix in one product.

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
        units = sorted({subject_of(c.record) for c in comparisons})
        member = np.array([[subject_of(c.record) == u for c in comparisons] for u in units], dtype=np.int64)
        counts = np.einsum("ur,rij->uij", member, counts)
    n_units = counts.shape[0]
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_units, size=(n_resamples, n_units))
    weights = np.zeros((n_resamples, n_units), dtype=np.int64)
    np.add.at(weights, (np.repeat(np.arange(n_resamples), n_units), draws.ravel()), 1)
    pooled = (weights @ counts.reshape(n_units, -1)).reshape(n_resamples, *counts.shape[1:])
    point = all_figures(counts.sum(axis=0))
    replicates = all_figures(pooled)
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
