"""Score beat-track predictions with the EC57 scorer, with record-level bootstrap intervals.

The beat track classifies the reference beats, so each test record is compared with test
positions equal to the reference positions and the predicted AAMI letters as test symbols
(:func:`ecgbench.evaluation.compare_record`); every beat is matched and only its class can be
wrong. Paced records are excluded by :func:`ecgbench.evaluation.score_records` as EC57 requires.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ecgbench.models import BeatArrays
from ecgbench.records import AAMI_CLASSES

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_CONFIDENCE = 0.95

#: Figures stored in a run record, as flat keys of ``EC57Result.to_dict()``.
RECORDED_METRICS: tuple[str, ...] = (
    "gross.accuracy",
    *(f"gross.{group}.{figure}" for group in ("sveb", "veb") for figure in ("se", "ppv", "f1", "fpr")),
    *(f"gross.classes.{c}.{figure}" for c in AAMI_CLASSES for figure in ("se", "ppv", "f1")),
    "average.accuracy",
    *(f"average.{group}.{figure}" for group in ("sveb", "veb") for figure in ("se", "ppv", "f1")),
)


def flatten(tree: Mapping, prefix: str = "") -> dict[str, object]:
    """Flatten a nested dict into dotted keys (``{"a": {"b": 1}}`` → ``{"a.b": 1}``)."""
    flat: dict[str, object] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def record_comparisons(test: BeatArrays, predicted: np.ndarray, fs: float) -> list:
    """Compare each test record's reference labels with the predicted labels (one comparison per record)."""
    from ecgbench.evaluation import compare_record

    letters = np.asarray(AAMI_CLASSES)
    comparisons = []
    for record in dict.fromkeys(test.record.tolist()):  # first-appearance order
        rows = np.flatnonzero(test.record == record)
        rows = rows[np.argsort(test.sample[rows], kind="stable")]
        comparisons.append(
            compare_record(
                record,
                test.sample[rows],
                letters[test.label[rows]],
                test.sample[rows],
                letters[predicted[rows]],
                fs=fs,
            )
        )
    return comparisons


def _number(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def score_predictions(
    test: BeatArrays,
    probabilities: np.ndarray,
    fs: float,
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    confidence: float = BOOTSTRAP_CONFIDENCE,
    seed: int = 0,
):
    """Score arg-max predictions with EC57 and bootstrap the gross figures.

    Parameters
    ----------
    test : BeatArrays
        Test beats with their reference labels.
    probabilities : numpy.ndarray
        ``[n, 5]`` predicted probabilities (already validated).
    fs : float
        Sampling rate (Hz) of ``test.sample``.
    n_resamples, confidence, seed
        Bootstrap settings; units are subjects (records of one subject, 201 and 202, are drawn
        together), see :func:`ecgbench.evaluation.bootstrap.bootstrap_ci`.

    Returns
    -------
    (EC57Result, dict)
        The scorer's result and ``{metric: {"value", "ci_low", "ci_high"}}`` for
        :data:`RECORDED_METRICS` (percent; ``None`` where undefined; ``average.*`` figures have no
        interval).
    """
    from ecgbench.evaluation import score_records
    from ecgbench.evaluation.bootstrap import bootstrap_ci

    result = score_records(record_comparisons(test, probabilities.argmax(axis=1), fs))
    flat = flatten(result.to_dict())
    gross = [key.removeprefix("gross.") for key in RECORDED_METRICS if key.startswith("gross.")]
    intervals = bootstrap_ci(
        result.comparisons, metrics=gross, n_resamples=n_resamples, confidence=confidence, seed=seed, by_subject=True
    )
    metrics: dict[str, dict[str, float | None]] = {}
    for key in RECORDED_METRICS:
        interval = intervals.get(key.removeprefix("gross.")) if key.startswith("gross.") else None
        metrics[key] = {
            "value": _number(flat.get(key)),
            "ci_low": _number(interval["low"]) if interval else None,
            "ci_high": _number(interval["high"]) if interval else None,
        }
    return result, metrics
