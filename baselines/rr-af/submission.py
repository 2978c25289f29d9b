"""rr-af baseline: RR-irregularity features of *detected* beats → gradient-boosted trees.

Each window's beats are found on the raw signal (lead 0) by :func:`ecgbench.signal.detect_qrs`
(no reference annotations: the baseline works on any raw ECG), and described by
:func:`ecgbench.signal.rr_irregularity.rr_irregularity_features`: heart rate (mean and maximum;
VT is fast), RR spread (CV, RMSSD, pNN50, ΔRR MAD and range), the turning-point ratio, sample
entropy and the coefficient of sample entropy (Lake & Moorman 2011). scikit-learn's
``HistGradientBoostingClassifier`` (NaN-aware: windows with too few beats keep NaN features)
classifies the ten rhythm classes. A small grid (``recipe.options["grid"]``) is tried and the
member with the best macro-F1 on ``val`` is kept; it is trained on ``train`` only.

References
----------
Lake DE, Moorman JR. Accurate estimation of entropy in very short physiological time series.
Am J Physiol Heart Circ Physiol 300(1):H319-H325 (2011).
Dash S, Chon KH, Lu S, Raeder EA. Automatic real time detection of atrial fibrillation.
Ann Biomed Eng 37(9):1701-1709 (2009).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score

from ecgbench.signal import detect_qrs
from ecgbench.signal.rr_irregularity import rr_intervals, rr_irregularity_features

DEFAULT_GRID = ({"max_leaf_nodes": 15, "class_weight": "balanced"},)


def window_features(signal: np.ndarray, fs: float, qrs_method: str, lead: int) -> np.ndarray:
    """``[n, n_features]`` RR-irregularity features of each window's detected beats."""
    rows = []
    for window in signal:
        beats = detect_qrs(window[:, lead], fs, method=qrs_method)
        rows.append(rr_irregularity_features(rr_intervals(beats, fs)))
    return np.vstack(rows) if rows else np.zeros((0, 13))


class Submission:
    """Detected-beat RR features + histogram gradient boosting, selected on ``val``."""

    def __init__(self, input_spec) -> None:
        self.fs = float(input_spec.sampling_rate)
        self.n_classes = input_spec.n_classes
        self.model: HistGradientBoostingClassifier | None = None
        self.qrs_method = "ecgbench"
        self.lead = 0
        self.selection: list[dict] = []

    def _features(self, arrays) -> np.ndarray:
        return window_features(arrays.signal, self.fs, self.qrs_method, self.lead)

    def fit(self, train, val, recipe) -> None:
        """Fit each grid member on ``train``; keep the best macro-F1 on ``val`` (classes present there)."""
        options = recipe.options
        self.qrs_method = options.get("qrs_method", "ecgbench")
        self.lead = int(options.get("lead", 0))
        x_train, x_val = self._features(train), self._features(val)
        present = sorted(set(np.unique(val.label).tolist()))
        best = None
        for params in options.get("grid", DEFAULT_GRID):
            settings = {"learning_rate": float(options.get("learning_rate", 0.1)), "max_iter": int(options.get("max_iter", 200))}
            model = HistGradientBoostingClassifier(early_stopping=False, random_state=recipe.seed, **{**settings, **params})
            model.fit(x_train, train.label)
            score = f1_score(val.label, model.predict(x_val), labels=present, average="macro", zero_division=0)
            self.selection.append({**params, "val_macro_f1": round(float(score), 4)})
            if best is None or score > best[0]:
                best = (score, model)
        self.model = best[1]

    def predict(self, arrays) -> np.ndarray:
        """``[n, n_classes]`` probabilities; classes absent from training get 0."""
        if self.model is None:
            raise RuntimeError("predict called before fit")
        proba = self.model.predict_proba(self._features(arrays))
        out = np.zeros((len(proba), self.n_classes), np.float64)
        out[:, self.model.classes_] = proba
        return out / out.sum(axis=1, keepdims=True)
