"""EC57 figures computed from bxb-shaped confusion matrices (vectorised over leading axes).

The confusion matrix has reference classes as rows and test classes as columns, in the order of
:data:`ROWS` (``N S V F Q O X``) and :data:`COLUMNS` (``n s v f q o x``):

* ``O`` row: a test beat with no reference beat within the window (extra detection);
  ``X`` row: the same, but inside a reference-marked unreadable (shutdown) segment.
* ``o`` column: a reference beat with no test beat (missed); ``x`` column: the same, inside a
  test-marked shutdown segment. The ``O``/``X`` rows never meet the ``o``/``x`` columns.

All figures are percentages (0-100); a figure whose denominator is zero is NaN ("-" in bxb).
The formulas are those of bxb.c ``print_results()``:

====================  ============================================================
QRS                   TP = all N..Q rows x n..q columns; FN = o+x columns;
                      FP = O+X rows
VEB (bxb)             TP = Vv; FN = Vn+Vs+Vf+Vq+Vo+Vx; FP = Nv+Sv+Ov+Xv;
                      TN = rows N S F Q O X x columns n s f q.
                      F or Q beats labelled V (Fv, Qv) are neither FP nor TN.
SVEB (bxb)            TP = Ss; FN = Sn+Sv+Sf+Sq+So+Sx; FP = Ns+Vs+Fs+Os+Xs;
                      Q beats labelled S (Qs) are not FP. bxb prints no SVEB FPR;
                      ours uses TN = rows N V F Q O X x columns n v f q (the VEB rule
                      with S in place of V).
per class c           one-vs-rest over every cell: TP = c,c; FN = rest of row c
                      (incl. missed); FP = rest of column c (incl. extra beats);
                      TN = all other cells.
accuracy              correctly classified matched beats / all cells (missed and
                      extra beats count as errors); ``matched_accuracy`` divides by
                      matched beats only.
====================  ============================================================

Se = TP/(TP+FN), +P (``ppv``) = TP/(TP+FP), FPR = FP/(FP+TN), specificity (``spec``) =
TN/(TN+FP), F1 = 2TP/(2TP+FP+FN).

References
----------
ANSI/AAMI EC57:2012, sections 3.2 and 4.2 (beat-by-beat statistics).
Moody GB. bxb.c, WFDB Software Package 10.7, PhysioNet (print_results()).
"""

from __future__ import annotations

import numpy as np

#: Beat classes in the order of the confusion matrix rows/columns 0-4.
CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")
#: Row labels: reference class, then the pseudo-classes for unmatched test beats.
ROWS: tuple[str, ...] = ("N", "S", "V", "F", "Q", "O", "X")
#: Column labels: test class, then the pseudo-classes for unmatched reference beats.
COLUMNS: tuple[str, ...] = ("n", "s", "v", "f", "q", "o", "x")

N_, S_, V_, F_, Q_, O_, X_ = range(7)
_BEATS = slice(0, 5)
_UNMATCHED = slice(5, 7)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return ``100 * numerator / denominator`` as float, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)


def _cells(m: np.ndarray, rows: list[int], cols: list[int]) -> np.ndarray:
    return m[..., rows, :][..., cols].sum(axis=(-2, -1))


def detection_counts(tp, fn, fp, tn=None) -> dict[str, np.ndarray]:
    """Counts and figures (se, ppv, f1, and fpr/spec when ``tn`` is given) from TP/FN/FP/TN."""
    out = {"tp": tp, "fn": fn, "fp": fp}
    out["se"] = ratio(tp, tp + fn)
    out["ppv"] = ratio(tp, tp + fp)
    out["f1"] = ratio(2 * tp, 2 * tp + fp + fn)
    if tn is not None:
        out["tn"] = tn
        out["fpr"] = ratio(fp, fp + tn)
        out["spec"] = ratio(tn, fp + tn)
    return out


def qrs_figures(m: np.ndarray) -> dict[str, np.ndarray]:
    """QRS detection: Se and +P (plus F1) from a ``(..., 7, 7)`` confusion matrix."""
    m = np.asarray(m)
    tp = m[..., _BEATS, _BEATS].sum(axis=(-2, -1))
    fn = m[..., _BEATS, _UNMATCHED].sum(axis=(-2, -1))
    fp = m[..., _UNMATCHED, _BEATS].sum(axis=(-2, -1))
    return detection_counts(tp, fn, fp)


def veb_figures(m: np.ndarray) -> dict[str, np.ndarray]:
    """EC57 VEB statistics (bxb rules, see the module docstring)."""
    m = np.asarray(m)
    tp = m[..., V_, V_]
    fn = m[..., V_, :].sum(axis=-1) - tp
    fp = _cells(m, [N_, S_, O_, X_], [V_])
    tn = _cells(m, [N_, S_, F_, Q_, O_, X_], [N_, S_, F_, Q_])
    return detection_counts(tp, fn, fp, tn)


def sveb_figures(m: np.ndarray) -> dict[str, np.ndarray]:
    """EC57 SVEB statistics (bxb rules, see the module docstring)."""
    m = np.asarray(m)
    tp = m[..., S_, S_]
    fn = m[..., S_, :].sum(axis=-1) - tp
    fp = _cells(m, [N_, V_, F_, O_, X_], [S_])
    tn = _cells(m, [N_, V_, F_, Q_, O_, X_], [N_, V_, F_, Q_])
    return detection_counts(tp, fn, fp, tn)


def class_figures(m: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """One-vs-rest figures for each class N, S, V, F, Q (plus per-class ``accuracy``)."""
    m = np.asarray(m)
    total = m.sum(axis=(-2, -1))
    out = {}
    for c, name in enumerate(CLASSES):
        tp = m[..., c, c]
        fn = m[..., c, :].sum(axis=-1) - tp
        fp = m[..., :, c].sum(axis=-1) - tp
        tn = total - tp - fn - fp
        figures = detection_counts(tp, fn, fp, tn)
        figures["accuracy"] = ratio(tp + tn, total)
        out[name] = figures
    return out


def all_figures(m: np.ndarray) -> dict:
    """Every beat figure as a nested dict (the ``gross`` block of the result, minus rhythm)."""
    m = np.asarray(m)
    diagonal = np.trace(m[..., _BEATS, _BEATS], axis1=-2, axis2=-1)
    return {
        "qrs": qrs_figures(m),
        "classes": class_figures(m),
        "veb": veb_figures(m),
        "sveb": sveb_figures(m),
        "accuracy": ratio(diagonal, m.sum(axis=(-2, -1))),
        "matched_accuracy": ratio(diagonal, m[..., _BEATS, _BEATS].sum(axis=(-2, -1))),
    }
