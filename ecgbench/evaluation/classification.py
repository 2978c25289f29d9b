"""Window / record classification metrics (the rhythm task): per-class Se, Sp, +P, F1, macro-F1.

sklearn computes the confusion matrix; every figure is then read off it one class against the
rest (Se = recall, +P = precision, F1 = 2TP/(2TP+FP+FN), Sp = TN/(TN+FP), which sklearn lacks).
The tests check Se/+P/F1 against ``sklearn.metrics.precision_recall_fscore_support``. All figures are percentages (0-100); a figure with a zero denominator is NaN (JSON
``null``) rather than sklearn's silent 0, so an absent class cannot drag a macro average down
unnoticed. Macro-F1 is the mean over the classes that occur in ``y_true`` (others are listed
with support 0 and left out).

``ClassificationReport.to_dict()`` keys: ``labels``, ``accuracy``, ``macro_f1``,
``balanced_accuracy`` (mean Se), ``classes.<label>.{se, sp, ppv, f1, support}``,
``confusion`` (rows true, columns predicted, in ``labels`` order), ``n``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.evaluation.statistics import ratio


@dataclass(frozen=True)
class ClassificationReport:
    """Metrics of a multi-class window classification.

    Attributes
    ----------
    labels : tuple of str
        Class labels, in the order of the confusion matrix.
    confusion : numpy.ndarray
        Counts, rows true class, columns predicted class.
    se, sp, ppv, f1 : numpy.ndarray
        Per-class sensitivity (recall), specificity, positive predictivity (precision), F1 (%).
    support : numpy.ndarray
        True windows per class.
    accuracy, macro_f1, balanced_accuracy : float
        Overall figures (%).
    """

    labels: tuple[str, ...]
    confusion: np.ndarray
    se: np.ndarray
    sp: np.ndarray
    ppv: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float
    macro_f1: float
    balanced_accuracy: float

    def to_dict(self) -> dict:
        """JSON-able dict (NaN → None)."""

        def clean(x: float):
            x = float(x)
            return None if math.isnan(x) else x

        return {
            "labels": list(self.labels),
            "n": int(self.confusion.sum()),
            "accuracy": clean(self.accuracy),
            "macro_f1": clean(self.macro_f1),
            "balanced_accuracy": clean(self.balanced_accuracy),
            "classes": {
                label: {
                    "se": clean(self.se[k]),
                    "sp": clean(self.sp[k]),
                    "ppv": clean(self.ppv[k]),
                    "f1": clean(self.f1[k]),
                    "support": int(self.support[k]),
                }
                for k, label in enumerate(self.labels)
            },
            "confusion": self.confusion.tolist(),
        }

    def summary(self):
        """Rich table: one row per class, then accuracy and macro-F1."""
        from rich.table import Table

        from ecgbench.evaluation.tables import fmt

        table = Table(title=f"Window classification (%), n = {int(self.confusion.sum())}")
        for col in ("class", "Se", "Sp", "+P", "F1", "support"):
            table.add_column(col, justify="left" if col == "class" else "right")
        for k, label in enumerate(self.labels):
            table.add_row(label, fmt(self.se[k]), fmt(self.sp[k]), fmt(self.ppv[k]), fmt(self.f1[k]), str(int(self.support[k])))
        table.add_row("accuracy", fmt(self.accuracy), "", "", "", "")
        table.add_row("macro-F1", "", "", "", fmt(self.macro_f1), "")
        return table


def classification_report(
    y_true: Sequence, y_pred: Sequence, labels: Sequence[str] | None = None
) -> ClassificationReport:
    """Per-class and overall metrics of a window classification.

    Parameters
    ----------
    y_true, y_pred : sequence
        True and predicted class of each window (strings or ints).
    labels : sequence, optional
        Classes and their order; default the sorted union of both sequences. A prediction
        outside ``labels`` raises an error (it would otherwise vanish from the matrix).

    Raises
    ------
    ConfigError
        Different lengths, no windows, or labels outside ``labels``.
    """
    from sklearn.metrics import confusion_matrix

    y_true = np.asarray(y_true).astype(str)
    y_pred = np.asarray(y_pred).astype(str)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ConfigError(f"y_true and y_pred must be 1-D and equally long, got {y_true.shape} and {y_pred.shape}")
    if y_true.size == 0:
        raise ConfigError("no windows to score (y_true is empty)")
    labels = tuple(str(x) for x in labels) if labels is not None else tuple(sorted(set(y_true) | set(y_pred)))
    stray = sorted((set(y_true) | set(y_pred)) - set(labels))
    if stray:
        raise ConfigError(f"labels {stray} are not in the label list {list(labels)}; add them or map them first")
    cm = confusion_matrix(y_true, y_pred, labels=list(labels)).astype(np.int64)
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    tn = cm.sum() - tp - fp - fn
    support = tp + fn
    present = support > 0
    se = ratio(tp, tp + fn)
    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    return ClassificationReport(
        labels=labels,
        confusion=cm,
        se=se,
        sp=ratio(tn, tn + fp),
        ppv=ratio(tp, tp + fp),
        f1=f1,
        support=support,
        accuracy=float(ratio(tp.sum(), cm.sum())),
        macro_f1=float(np.mean(f1[present])) if present.any() else math.nan,
        balanced_accuracy=float(np.mean(se[present])) if present.any() else math.nan,
    )
