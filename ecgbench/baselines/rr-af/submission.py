"""rr-af baseline: two-stage rhythm classifier on detected beats — an AF detector, then the rest.

Each window's beats are found on the raw signal (lead 0) by :func:`ecgbench.signal.detect_qrs`
(no reference annotations: the baseline works on any raw ECG). Each window is described by

- :func:`ecgbench.signal.rr_irregularity.rr_irregularity_features`: heart rate, RR spread
  (CV, RMSSD, pNN50, ΔRR MAD and range), turning-point ratio, sample entropy and COSEn
  (Lake & Moorman 2011);
- :func:`ecgbench.signal.af_irregularity.af_irregularity_features`: ectopic-filtered
  irregularity (after Petrėnas et al. 2015), share of ectopic-corrected intervals, Shannon
  entropy of the RR histogram (Dash et al. 2009);
- :func:`ecgbench.signal.atrial_activity.atrial_activity_features`: P-wave consistency,
  morphology-gated RR irregularity (PVC intervals left out), share of dominant beats, QRS spread.

With ``options["periodicity"]`` (default false) each window also gets
:func:`ecgbench.signal.rr_periodicity.rr_periodicity_features` (RR autocorrelation at lags 1-3
and the best of lags 2-3: bigeminy and trigeminy are periodic, AF is not), appended after
:data:`WINDOW_FEATURE_NAMES` (:data:`PERIODIC_WINDOW_FEATURE_NAMES`).

Stage 1, **AF vs rest**, gives ``p_AF``. ``options["af_model"]`` picks its model:
``"logistic"`` (default) is an L2-regularised, class-balanced logistic regression (median
imputation of undefined features, standardisation), one candidate per ``options["af_C"]``;
``"gbm"`` is a class-balanced, NaN-aware ``HistGradientBoostingClassifier`` (shallow trees can
read "irregular *and* periodic", i.e. bigeminy, where a linear score cannot), one candidate per
parameter dict of ``options["af_gbm"]``. Stage 2, **the other
rhythms**: scikit-learn's ``HistGradientBoostingClassifier`` (class-balanced, NaN-aware) trained
on the non-AF windows gives ``p(c | not AF)``. Output: ``p_AF`` for AFIB and
``(1 − p_AF) · p(c | not AF)`` for every other class, so the runner gets one ten-way distribution.

``options["af_features"]`` (default ``"all"``) names the stage-1 feature set of
:data:`AF_FEATURE_SETS`; stage 2 always sees every feature.

Selection: every pair (stage-1 candidate × ``options.grid``) is fitted on ``train`` and the pair
with the best ``val`` macro-F1 (classes present in ``val``) is kept. :meth:`Submission.refit`
refits that pair on ``train ∪ val`` when the runner's ``refit_on_train_val`` option asks for it.

References
----------
Lake DE, Moorman JR. Am J Physiol Heart Circ Physiol 300(1):H319-H325 (2011).
Petrėnas A, Marozas V, Sörnmo L. Comput Biol Med 65:184-191 (2015).
Dash S, Chon KH, Lu S, Raeder EA. Ann Biomed Eng 37(9):1701-1709 (2009).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ecgbench.errors import ConfigError
from ecgbench.signal import detect_qrs
from ecgbench.signal.af_irregularity import AF_FEATURE_NAMES, af_irregularity_features
from ecgbench.signal.atrial_activity import ATRIAL_FEATURE_NAMES, atrial_activity_features
from ecgbench.signal.rr_irregularity import FEATURE_NAMES, rr_intervals, rr_irregularity_features
from ecgbench.signal.rr_periodicity import PERIODICITY_FEATURE_NAMES, rr_periodicity_features

WINDOW_FEATURE_NAMES = (*FEATURE_NAMES, *AF_FEATURE_NAMES, *ATRIAL_FEATURE_NAMES)
#: Features with ``options["periodicity"]``: the default ones, then the RR-periodicity ones.
PERIODIC_WINDOW_FEATURE_NAMES = (*WINDOW_FEATURE_NAMES, *PERIODICITY_FEATURE_NAMES)
#: Stage-1 (AF vs rest) feature sets, ``options["af_features"]``; None = every window feature.
#: ``ectopy_robust``: features frequent ectopic beats cannot make irregular by themselves (rate,
#: ectopic-filtered and morphology-gated irregularity, atrial/morphology features, RR periodicity);
#: ``benchmarks/rr_af_loso.py`` compares the sets on train ∪ val, leaving one subject out.
AF_FEATURE_SETS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "ectopy_robust": (
        "hr_mean_bpm", "rr_median_s", "filtered_irregularity", "filtered_rmssd_norm",
        "dominant_fraction", "gated_rmssd_norm", "gated_mad_norm", "p_wave_consistency", "qrs_spread",
        *PERIODICITY_FEATURE_NAMES,
    ),
}  # fmt: skip
DEFAULT_AF_C = (0.1,)
#: Stage-1 gradient boosting settings when ``options["af_model"] == "gbm"`` and ``af_gbm`` is unset
#: (the best setting of ``benchmarks/rr_af_loso.py`` on train ∪ val; the recipe does not use it, see README).
DEFAULT_AF_GBM = ({"max_depth": 2, "min_samples_leaf": 100, "learning_rate": 0.05, "max_iter": 100},)
#: Valid ``options["af_model"]`` values (stage-1 model).
AF_MODELS = ("logistic", "gbm")
DEFAULT_GRID = ({"max_leaf_nodes": 15},)


def window_features(window: np.ndarray, fs: float, qrs_method: str, lead: int) -> np.ndarray:
    """:data:`PERIODIC_WINDOW_FEATURE_NAMES` of one ``[samples, leads]`` window (mV), from its detected beats.

    The first ``len(WINDOW_FEATURE_NAMES)`` columns are the default feature set.
    """
    beats = detect_qrs(window[:, lead], fs, method=qrs_method)
    rr = rr_intervals(beats, fs)
    return np.concatenate([
        rr_irregularity_features(rr), af_irregularity_features(rr), atrial_activity_features(window[:, lead], beats, fs),
        rr_periodicity_features(rr),
    ])  # fmt: skip


class Submission:
    """AF-vs-rest logistic regression + gradient boosting for the other rhythms, selected on ``val``."""

    def __init__(self, input_spec) -> None:
        self.fs = float(input_spec.sampling_rate)
        self.n_classes = input_spec.n_classes
        self.af_class = list(input_spec.class_names).index("AFIB")
        self.qrs_method, self.lead, self.seed = "ecgbench", 0, 0
        self.periodicity = False
        self.af_columns: list[int] | None = None  # stage-1 columns of the feature matrix (None: all)
        self.chosen: tuple[dict, dict] | None = None  # (stage-1 setting, stage-2 parameters)
        self.models = None
        self.selection: list[dict] = []
        self._cache: dict[tuple[str, int], np.ndarray] = {}

    def _features(self, arrays) -> np.ndarray:
        """Window features, cached by (record, first sample) so a refit does not detect beats again.

        The cache holds every column of :func:`window_features`; without ``periodicity`` only the
        default :data:`WINDOW_FEATURE_NAMES` columns are used.
        """
        rows = []
        for window, record, sample in zip(arrays.signal, arrays.record.tolist(), arrays.sample.tolist(), strict=True):
            key = (str(record), int(sample))
            if key not in self._cache:
                self._cache[key] = window_features(window, self.fs, self.qrs_method, self.lead)
            rows.append(self._cache[key])
        names = PERIODIC_WINDOW_FEATURE_NAMES if self.periodicity else WINDOW_FEATURE_NAMES
        return np.vstack([row[: len(names)] for row in rows]) if rows else np.zeros((0, len(names)))

    def _af_columns(self, options: dict) -> list[int] | None:
        """Columns of ``options["af_features"]`` (a name of :data:`AF_FEATURE_SETS`) in the feature matrix."""
        name = options.get("af_features", "all")
        if name not in AF_FEATURE_SETS:
            raise ConfigError(f"rr-af recipe options.af_features={name!r} is not one of {', '.join(AF_FEATURE_SETS)}")
        features = AF_FEATURE_SETS[name]
        if features is None:
            return None
        names = PERIODIC_WINDOW_FEATURE_NAMES if self.periodicity else WINDOW_FEATURE_NAMES
        missing = [f for f in features if f not in names]
        if missing:
            raise ConfigError(f"rr-af options.af_features={name!r} needs {missing}: set options.periodicity to true")
        return [names.index(f) for f in features]

    def _af_inputs(self, x: np.ndarray) -> np.ndarray:
        return x if self.af_columns is None else x[:, self.af_columns]

    def af_settings(self, options: dict) -> list[dict]:
        """Stage-1 candidates of ``options``: ``{"af_C": C}`` per ``af_C`` (logistic) or ``{"af_gbm": params}`` per ``af_gbm``."""
        model = options.get("af_model", "logistic")
        if model == "logistic":
            return [{"af_C": float(c)} for c in options.get("af_C", DEFAULT_AF_C)]
        if model == "gbm":
            return [{"af_gbm": dict(params)} for params in options.get("af_gbm", DEFAULT_AF_GBM)]
        raise ConfigError(f"rr-af recipe options.af_model={model!r} is not one of {', '.join(AF_MODELS)}")

    def _fit_af(self, x: np.ndarray, label: np.ndarray, setting: dict):
        """Stage 1 (one setting of :meth:`af_settings`) on ``x`` (already restricted to the AF feature set)."""
        if "af_gbm" in setting:
            model = HistGradientBoostingClassifier(early_stopping=False, random_state=self.seed, class_weight="balanced", **setting["af_gbm"])
        else:
            model = make_pipeline(
                SimpleImputer(strategy="median"), StandardScaler(),
                LogisticRegression(C=setting["af_C"], class_weight="balanced", max_iter=5000),
            )  # fmt: skip
        return model.fit(x, label == self.af_class)

    def _fit_rest(self, x: np.ndarray, label: np.ndarray, params: dict, options: dict):
        settings = {"learning_rate": float(options.get("learning_rate", 0.1)), "max_iter": int(options.get("max_iter", 200))}
        model = HistGradientBoostingClassifier(early_stopping=False, random_state=self.seed, class_weight="balanced", **{**settings, **params})
        rest = label != self.af_class
        return model.fit(x[rest], label[rest])

    def _combine(self, models, x: np.ndarray) -> np.ndarray:
        af_model, rest_model = models
        p_af = af_model.predict_proba(self._af_inputs(x))[:, 1]
        out = np.zeros((len(x), self.n_classes), np.float64)
        out[:, rest_model.classes_] = rest_model.predict_proba(x) * (1.0 - p_af)[:, None]
        out[:, self.af_class] = p_af
        return out / out.sum(axis=1, keepdims=True)

    def fit(self, train, val, recipe) -> None:
        """Fit every (stage-1 setting, ``grid``) pair on ``train``; keep the best macro-F1 on ``val``."""
        options = recipe.options
        self.qrs_method, self.lead, self.seed = options.get("qrs_method", "ecgbench"), int(options.get("lead", 0)), recipe.seed
        self.periodicity = bool(options.get("periodicity", False))
        self.af_columns = self._af_columns(options)
        x_train, x_val = self._features(train), self._features(val)
        present = sorted(set(np.unique(val.label).tolist()))
        settings = self.af_settings(options)
        af_models = [self._fit_af(self._af_inputs(x_train), train.label, setting) for setting in settings]
        best = None
        for params in options.get("grid", DEFAULT_GRID):
            rest_model = self._fit_rest(x_train, train.label, params, options)
            for setting, af_model in zip(settings, af_models, strict=True):
                predicted = self._combine((af_model, rest_model), x_val).argmax(axis=1)
                score = f1_score(val.label, predicted, labels=present, average="macro", zero_division=0)
                self.selection.append({**setting, **params, "val_macro_f1": round(float(score), 4)})
                if best is None or score > best[0]:
                    best = (score, (setting, dict(params)), (af_model, rest_model))
        _, self.chosen, self.models = best

    def refit(self, train_val, recipe) -> None:
        """Refit the configuration chosen by :meth:`fit` on ``train ∪ val`` (no new selection)."""
        if self.chosen is None:
            raise RuntimeError("refit called before fit")
        setting, params = self.chosen
        x = self._features(train_val)
        self.models = (self._fit_af(self._af_inputs(x), train_val.label, setting), self._fit_rest(x, train_val.label, params, recipe.options))

    def predict(self, arrays) -> np.ndarray:
        """``[n, n_classes]`` probabilities; classes absent from training get 0."""
        if self.models is None:
            raise RuntimeError("predict called before fit")
        return self._combine(self.models, self._features(arrays))
