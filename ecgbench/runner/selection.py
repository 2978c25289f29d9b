"""Validation scores used for early stopping and model selection (on ``ds1_val`` only)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

#: Classes whose F1 is averaged by ``macro_f1``: N, S and V (F and Q are too rare in the
#: validation records to steer selection).
SELECTION_CLASSES: tuple[int, ...] = (0, 1, 2)
_EPS = 1e-7


def validation_score(
    monitor: str, label: np.ndarray, probabilities: np.ndarray, classes: tuple[int, ...] = SELECTION_CLASSES
) -> float:
    """Return the selection score where higher is better.

    Parameters
    ----------
    monitor : {"macro_f1", "loss"}
        ``macro_f1``: mean F1 (0..1) of ``classes`` (default N, S and V) from the arg-max class. ``loss``: minus the mean
        cross-entropy (nats), so that higher is still better.
    label : numpy.ndarray
        True labels (0..4).
    probabilities : numpy.ndarray
        ``[n, n_classes]`` predicted probabilities.
    classes : tuple of int
        Classes averaged by ``macro_f1`` (the rhythm track passes the classes present in ``val``).
    """
    if monitor == "macro_f1":
        predicted = probabilities.argmax(axis=1)
        return float(f1_score(label, predicted, labels=list(classes), average="macro", zero_division=0))
    picked = probabilities[np.arange(label.size), label]
    return float(np.mean(np.log(np.clip(picked, _EPS, 1.0))))


def class_weights(label: np.ndarray, balance: str, n_classes: int) -> dict[int, float] | None:
    """Return Keras ``class_weight`` for a balance mode, normalised to a mean weight of 1 per beat.

    ``class_weight`` weights each class by ``n / count``; ``sqrt_class_weight`` by its square root
    (a milder correction); other modes return None. Classes absent from ``label`` get weight 0.
    """
    if balance not in ("class_weight", "sqrt_class_weight"):
        return None
    counts = np.bincount(label, minlength=n_classes).astype(np.float64)
    raw = np.where(counts > 0, counts.sum() / np.maximum(counts, 1), 0.0)
    if balance == "sqrt_class_weight":
        raw = np.sqrt(raw)
    raw *= counts.sum() / max((raw * counts).sum(), _EPS)
    return {i: float(w) for i, w in enumerate(raw)}
