"""Score rhythm-window predictions: per-class and detection figures with subject-level bootstrap CIs.

Figures (percent; ``None`` where a denominator is zero):

- ``accuracy``, ``macro_f1`` (over the classes present in the test windows) and per class
  ``classes.<C>.{se, sp, ppv, f1}`` (:func:`ecgbench.evaluation.classification.classification_report`);
- detection groups, each one group against the rest from the arg-max class:
  ``af.{se, sp, ppv}`` (AFIB) and ``ventricular.{se, sp, ppv}`` (VT + VFL), plus ``vt.se`` and
  ``vf.se`` (VFL: the MIT-BIH name of ventricular flutter/fibrillation) beside the AHA goals
  (:data:`AHA_GOALS`).

Intervals: percentile bootstrap resampling subjects (records; 201 and 202 together), never
windows: each replicate pools the drawn subjects' confusion matrices (one matrix product for all
replicates) and recomputes every figure.

References
----------
AHA: Kerber RE et al. Automatic external defibrillators for public access defibrillation:
recommendations for specifying and reporting arrhythmia analysis algorithm performance.
Circulation 95(6):1677-1682 (1997) (VF Se > 90 %, VT Se > 75 %, non-shockable Sp > 95 %).
Field CA, Welsh AH. Bootstrapping clustered data. J R Stat Soc B 69(3):369-390 (2007).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.models import BeatArrays
from ecgbench.records.lists import subject_of

#: Detection groups scored one-against-the-rest: name → rhythm classes counted as positive.
DETECTION_GROUPS: dict[str, tuple[str, ...]] = {
    "af": ("AFIB",),
    "ventricular": ("VT", "VFL"),
    "vt": ("VT",),
    "vf": ("VFL",),
}
#: AHA performance goals (percent) shown beside the ventricular figures (Kerber et al. 1997).
AHA_GOALS: dict[str, float] = {"vf.se": 90.0, "vt.se": 75.0, "ventricular.sp": 95.0}
#: Per-class figures recorded.
CLASS_FIGURES: tuple[str, ...] = ("se", "sp", "ppv", "f1")
#: Group figures recorded (``vt``/``vf``: sensitivity only, the AHA figures).
GROUP_FIGURES: dict[str, tuple[str, ...]] = {"af": ("se", "sp", "ppv"), "ventricular": ("se", "sp", "ppv"), "vt": ("se",), "vf": ("se",)}


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, np.float64), np.asarray(den, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)


def confusion_figures(confusion: np.ndarray, class_names: Sequence[str]) -> dict[str, np.ndarray]:
    """Every recorded figure of one or many confusion matrices.

    Parameters
    ----------
    confusion : numpy.ndarray
        ``[..., K, K]`` counts (rows true, columns predicted).
    class_names : sequence of str
        The K classes.

    Returns
    -------
    dict
        Flat metric key → array of shape ``confusion.shape[:-2]`` (percent, NaN where undefined).
    """
    cm = np.asarray(confusion, np.float64)
    total = cm.sum(axis=(-2, -1))
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    true_count, pred_count = cm.sum(axis=-1), cm.sum(axis=-2)
    fp, fn = pred_count - tp, true_count - tp
    tn = total[..., None] - tp - fp - fn
    f1 = _div(2 * tp, 2 * tp + fp + fn)
    present = true_count > 0
    with np.errstate(invalid="ignore"):
        macro = np.where(present.any(axis=-1), np.nansum(np.where(present, f1, 0.0), axis=-1) / np.maximum(present.sum(axis=-1), 1), np.nan)
    out: dict[str, np.ndarray] = {"accuracy": _div(tp.sum(axis=-1), total), "macro_f1": macro}
    per_class = {"se": _div(tp, tp + fn), "sp": _div(tn, tn + fp), "ppv": _div(tp, tp + fp), "f1": f1}
    for k, name in enumerate(class_names):
        for figure in CLASS_FIGURES:
            out[f"classes.{name}.{figure}"] = per_class[figure][..., k]
    for group, members in DETECTION_GROUPS.items():
        pos = np.isin(np.asarray(class_names), members)
        g_tp = cm[..., pos, :][..., :, pos].sum(axis=(-2, -1))
        g_true, g_pred = cm[..., pos, :].sum(axis=(-2, -1)), cm[..., :, pos].sum(axis=(-2, -1))
        g_tn = total - g_true - g_pred + g_tp
        values = {"se": _div(g_tp, g_true), "sp": _div(g_tn, total - g_true), "ppv": _div(g_tp, g_pred)}
        for figure in GROUP_FIGURES[group]:
            out[f"{group}.{figure}"] = values[figure]
    return out


def subject_confusions(test: BeatArrays, predicted: np.ndarray, n_classes: int) -> tuple[list[str], np.ndarray]:
    """Return the subjects of the test windows and one ``[K, K]`` confusion matrix per subject."""
    subjects = np.array([subject_of(r) for r in test.record.tolist()])
    names = list(dict.fromkeys(subjects.tolist()))
    matrices = np.zeros((len(names), n_classes, n_classes), np.int64)
    for i, name in enumerate(names):
        rows = subjects == name
        np.add.at(matrices[i], (test.label[rows], predicted[rows]), 1)
    return names, matrices


def test_support(label: np.ndarray, class_names: Sequence[str]) -> dict[str, int]:
    """Positive test windows behind each group sensitivity (``{"af.se": n, "ventricular.se": n, …}``)."""
    names = np.asarray(class_names)[np.asarray(label, np.int64)]
    return {f"{group}.se": int(np.isin(names, members).sum()) for group, members in DETECTION_GROUPS.items()}


def _number(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def score_rhythm(
    test: BeatArrays,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
):
    """Score arg-max rhythm predictions and bootstrap every figure over subjects.

    Parameters
    ----------
    test : BeatArrays
        Test windows with their reference labels (indices into ``class_names``).
    probabilities : numpy.ndarray
        ``[n, K]`` predicted probabilities (already validated).
    class_names : sequence of str
        The K rhythm classes.
    n_resamples, confidence, seed
        Bootstrap settings (seeded ``numpy.random.Generator``; units are subjects).

    Returns
    -------
    (ClassificationReport, dict)
        The window report (``summary()`` prints the per-class table) and
        ``{metric: {"value", "ci_low", "ci_high"}}`` (percent, ``None`` where undefined).
    """
    from ecgbench.evaluation.bootstrap import pooled_replicates, resample_weights
    from ecgbench.evaluation.classification import classification_report

    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be in (0, 1) (got {confidence})")
    names = np.asarray(class_names)
    predicted = np.asarray(probabilities).argmax(axis=1)
    report = classification_report(names[test.label], names[predicted], labels=list(class_names))
    _, matrices = subject_confusions(test, predicted, len(names))
    point = confusion_figures(matrices.sum(axis=0), class_names)
    replicates = confusion_figures(pooled_replicates(matrices, resample_weights(len(matrices), n_resamples, seed)), class_names)
    # Subjects stay in first-appearance order (bootstrap_ci sorts them): the same seed then draws
    # other subjects, so sorting here would move the committed rhythm intervals.
    tail = 100.0 * (1.0 - confidence) / 2.0
    metrics: dict[str, dict[str, float | None]] = {}
    for key, value in point.items():
        reps = replicates[key]
        finite = reps[np.isfinite(reps)]
        low, high = (np.percentile(finite, [tail, 100.0 - tail]) if finite.size else (math.nan, math.nan))
        metrics[key] = {"value": _number(value), "ci_low": _number(low), "ci_high": _number(high)}
    return report, metrics
