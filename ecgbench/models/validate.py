"""Checks on what a submission returns, so a broken model fails loudly before anything is written."""

from __future__ import annotations

import numpy as np

from ecgbench.models.errors import SubmissionError

#: How far a row of probabilities may sum from 1 (float32 softmax rounding is ~1e-6).
ROW_SUM_TOLERANCE = 1e-3


def check_probabilities(predictions: object, n_beats: int, n_classes: int, submission: str) -> np.ndarray:
    """Return ``predictions`` as float32 ``[n_beats, n_classes]`` or raise ``SubmissionError``.

    Parameters
    ----------
    predictions : array-like
        What the submission's ``predict`` (or Keras model) returned.
    n_beats : int
        Number of beats it was asked to classify.
    n_classes : int
        Number of classes (5).
    submission : str
        Submission name, used in the error message.

    Raises
    ------
    SubmissionError
        Wrong shape, non-numeric, NaN or infinite values, negative values, or rows that do not sum
        to 1 within :data:`ROW_SUM_TOLERANCE` (return softmax probabilities, not logits).
    """
    try:
        array = np.asarray(predictions, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SubmissionError(submission, f"predict returned non-numeric output ({exc})") from None
    expected = (n_beats, n_classes)
    if array.shape != expected:
        raise SubmissionError(
            submission, f"predict returned shape {array.shape}, expected {expected} (one probability per AAMI class)"
        )
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise SubmissionError(
            submission, f"predict returned NaN or infinite values in {rows.size} of {n_beats} rows (first row {rows[0]})"
        )
    if (array < 0).any():
        raise SubmissionError(submission, "predict returned negative values; return probabilities (softmax), not logits")
    sums = array.sum(axis=1)
    off = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise SubmissionError(
            submission,
            f"predict rows must sum to 1 (row {row} sums to {sums[row]:.4f}); return softmax probabilities, not logits",
        )
    return array.astype(np.float32)
