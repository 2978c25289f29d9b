"""Score beat-track predictions with the EC57 scorer, with record-level bootstrap intervals.

The rules (each reference beat compared with its predicted class, paced records excluded) live in
:mod:`ecgbench.evaluation.labelled`, shared with the leaderboard checker.
"""

from __future__ import annotations

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
    return score_labelled(test.record, test.sample, test.label, probabilities, fs, n_resamples=n_resamples, confidence=confidence, seed=seed)


def score_labelled(
    record: np.ndarray,
    sample: np.ndarray,
    label: np.ndarray,
    probabilities: np.ndarray,
    fs: float,
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    confidence: float = BOOTSTRAP_CONFIDENCE,
    seed: int = 0,
):
    """:func:`score_predictions` on bare arrays: ``record`` (str), ``sample`` (samples), reference ``label`` (0..4).

    The one beat scorer of runs, prediction-file submissions and :class:`ecgbench.Evaluator`.
    """
    from ecgbench.evaluation import score_records
    from ecgbench.evaluation.labelled import compare_labelled_beats, figures_with_intervals

    result = score_records(compare_labelled_beats(record, sample, label, np.asarray(probabilities).argmax(axis=1), fs))
    metrics = figures_with_intervals(
        result, RECORDED_METRICS, with_ci=RECORDED_METRICS, n_resamples=n_resamples, confidence=confidence, seed=seed,
    )  # fmt: skip
    return result, metrics
