"""Score submitted predictions of a task's test split: the reference keys and labels, alignment, the scorer.

Shared by :class:`ecgbench.Evaluator` and prediction-file submissions
(:mod:`ecgbench.runner.prediction_submit`): predictions are matched to the test split by key
(:func:`ecgbench.models.prediction_file.align_predictions`) and scored by the runners' own scorers,
:func:`ecgbench.runner.evaluate.score_labelled` (beats, EC57) or
:func:`ecgbench.runner.rhythm_evaluate.score_rhythm` (rhythm windows), so the digits equal a run
record's for the same predictions and bootstrap seed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecgbench.models import BeatArrays
from ecgbench.models.prediction_file import SubmittedPredictions, align_predictions
from ecgbench.runner.evaluate import BOOTSTRAP_CONFIDENCE, BOOTSTRAP_RESAMPLES
from ecgbench.runner.task_facts import SCORER_EC57, TaskFacts


@dataclass(frozen=True)
class Scored:
    """One scoring: probabilities in test-split order, the official metrics and the scorer's report."""

    probabilities: np.ndarray
    metrics: dict[str, dict[str, float | None]]
    report: Any


def reference_arrays(facts: TaskFacts, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``record`` (str), the position key (int64) and ``label`` (int64) of ``arrays``."""
    key = facts.position_key
    return {
        "record": np.asarray(arrays["record"]).astype(str),
        key: np.asarray(arrays[key], np.int64),
        "label": np.asarray(arrays["label"], np.int64),
    }


def load_reference(facts: TaskFacts, tfds_dir: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """Read the test split's keys and labels (no signals) from the built dataset.

    Raises
    ------
    DataNotFoundError
        The dataset is not built (the message names the build command).
    """
    from ecgbench.data import to_numpy
    from ecgbench.data.loading import load_built_split

    fields = ("record", facts.position_key, "label")
    ds = load_built_split(facts.dataset, facts.config, facts.split("test"), tfds_dir)
    return reference_arrays(facts, to_numpy(ds.map(lambda example: {name: example[name] for name in fields})))


def reference_beats(facts: TaskFacts, reference: Mapping[str, np.ndarray]) -> BeatArrays:
    """The reference keys and labels as :class:`BeatArrays` without signals (what the scorers and run writer take)."""
    n = len(reference["label"])
    return BeatArrays(signal=np.zeros((n, 0), np.float32), rr=np.zeros((n, 0), np.float32), label=reference["label"],
                      record=reference["record"], sample=reference[facts.position_key])  # fmt: skip


def score_against(
    facts: TaskFacts,
    reference: Mapping[str, np.ndarray],
    predictions: SubmittedPredictions,
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    source: str = "predictions",
) -> Scored:
    """Align checked predictions to the reference and score them with the task's scorer.

    Raises
    ------
    SubmissionError
        Keys missing from, extra to or repeated in the test split, or a ``label`` array that
        differs from the reference.
    """
    key = facts.position_key
    probabilities = align_predictions(predictions, reference["record"], reference[key], reference["label"],
                                      position_key=key, split=str(facts.splits["test"]), source=source)  # fmt: skip
    if facts.scorer == SCORER_EC57:
        from ecgbench.runner.evaluate import score_labelled

        report, metrics = score_labelled(reference["record"], reference[key], reference["label"], probabilities,
                                         facts.sampling_rate, n_resamples=n_resamples, seed=seed)  # fmt: skip
    else:
        from ecgbench.runner.rhythm_evaluate import score_rhythm

        report, metrics = score_rhythm(reference_beats(facts, reference), probabilities, facts.class_names,
                                       n_resamples=n_resamples, confidence=BOOTSTRAP_CONFIDENCE, seed=seed)  # fmt: skip
    return Scored(probabilities, metrics, report)
