"""Score class labels given to the reference beats: the beat track's EC57 figures and their intervals.

A beat classifier labels the reference beats, so each test record is compared with test positions
equal to the reference positions and the predicted AAMI letters as test symbols
(:func:`ecgbench.evaluation.compare_record`): every beat is matched and only its class can be
wrong. Paced records are excluded by :func:`ecgbench.evaluation.score_records` as EC57 requires.

The runner scores its predictions here and the leaderboard checker recomputes a run record's
figures here from the saved prediction file, so both always apply the same rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ecgbench.records import AAMI_CLASSES

#: Prefix of the gross (all records pooled) figures in flat metric keys; only these get intervals.
GROSS_PREFIX = "gross."


def flatten(tree: Mapping, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts into dotted keys (``{"a": {"b": 1}}`` → ``{"a.b": 1}``)."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def number(value: Any) -> float | None:
    """Return ``value`` as a float, ``None`` for None or NaN (undefined figures)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def compare_labelled_beats(
    record: np.ndarray, sample: np.ndarray, reference: np.ndarray, predicted: np.ndarray, fs: float
) -> list:
    """One :class:`~ecgbench.evaluation.RecordComparison` per record, in first-appearance order.

    Parameters
    ----------
    record : numpy.ndarray
        Record name of every beat.
    sample : numpy.ndarray
        R-peak position of every beat, samples.
    reference, predicted : numpy.ndarray
        Reference and predicted class index (0..4, :data:`ecgbench.records.AAMI_CLASSES`).
    fs : float
        Sampling rate of ``sample``, Hz.
    """
    from ecgbench.evaluation import compare_record

    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    letters = np.asarray(AAMI_CLASSES)
    reference, predicted = letters[np.asarray(reference)], letters[np.asarray(predicted)]
    comparisons = []
    for name in dict.fromkeys(record.tolist()):
        rows = np.flatnonzero(record == name)
        rows = rows[np.argsort(sample[rows], kind="stable")]
        comparisons.append(compare_record(name, sample[rows], reference[rows], sample[rows], predicted[rows], fs=fs))
    return comparisons


def figures_with_intervals(
    result,
    keys: Sequence[str],
    *,
    with_ci: Sequence[str] = (),
    n_resamples: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
    by_subject: bool = True,
) -> dict[str, dict[str, float | None]]:
    """Return ``{key: {"value", "ci_low", "ci_high"}}`` (percent) of a scored set of records.

    Parameters
    ----------
    result : EC57Result
        ``score_records(compare_labelled_beats(...))``; its comparisons are resampled.
    keys : sequence of str
        Flat keys of ``EC57Result.to_dict()`` to report, e.g. ``"gross.veb.f1"``.
    with_ci : sequence of str
        The ``gross.*`` keys that get a record-resampled percentile bootstrap interval
        (:func:`ecgbench.evaluation.bootstrap.bootstrap_ci`); the others get ``None`` bounds.
    n_resamples, confidence, seed, by_subject
        Bootstrap settings; ``by_subject`` draws the records of one subject (201 and 202) together.

    Raises
    ------
    KeyError
        A key the scorer does not produce (callers turn it into their own error).
    """
    from ecgbench.evaluation.bootstrap import bootstrap_ci

    flat = flatten(result.to_dict())
    unknown = [key for key in keys if key not in flat]
    if unknown:
        raise KeyError(", ".join(unknown))
    with_ci = [key for key in with_ci if key.startswith(GROSS_PREFIX)]
    intervals: dict[str, dict[str, float]] = {}
    if with_ci and n_resamples:
        intervals = bootstrap_ci(
            result.comparisons, metrics=[key.removeprefix(GROSS_PREFIX) for key in with_ci], n_resamples=n_resamples,
            confidence=confidence, seed=seed, by_subject=by_subject,
        )  # fmt: skip
    out: dict[str, dict[str, float | None]] = {}
    for key in keys:
        interval = intervals.get(key.removeprefix(GROSS_PREFIX)) if key in with_ci else None
        out[key] = {
            "value": number(flat[key]),
            "ci_low": number(interval["low"]) if interval else None,
            "ci_high": number(interval["high"]) if interval else None,
        }
    return out
