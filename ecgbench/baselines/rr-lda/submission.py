"""rr-lda baseline: de Chazal et al. (2004) features → class-balanced linear discriminants.

Features (:func:`ecgbench.signal.beat_morphology.de_chazal_features`): pre-, post-, average
(±5 min) and local (ten surrounding intervals) RR, from intervals clipped to ``rr_range_s``
(0.2-3 s: the 14-100-s "intervals" around unannotated flutter in record 207 otherwise dominate the
class covariances); QRS duration, T-wave duration and a P-wave flag
from a slope-envelope fiducial finder; per lead 10 QRS samples (-50 … +100 ms) and 9 T-wave
samples (+150 … +500 ms) of the baseline-removed (200/600-ms median filters), 35-Hz low-passed ECG.

Classifier, as in the paper: linear discriminants whose class means are per class and whose
covariance is the *average* of the class covariances with equal class priors, i.e. every training
beat weighted by the inverse of its class frequency; decision by maximum posterior. scikit-learn's
``LinearDiscriminantAnalysis(solver="lsqr", priors=uniform)`` computes exactly this (its
``_class_cov`` weights each class covariance by the prior; the default ``svd`` solver would pool
by beat count instead). Features are standardised on the training beats.

Configurations (``recipe.options["configs"]``), chosen by macro-F1 (N, S, V) on the validation
split only: ``"all"`` — one discriminant on every feature of both leads; ``"per_lead"`` — the
paper's combined classifier: one discriminant per lead (RR + interval features + that lead's
morphology), posteriors averaged. With the runner's ``refit_on_train_val`` the chosen configuration is refitted on
train ∪ val (all of DS1 on the inter-patient track, the paper's training set). Classes with fewer
than ``min_class_beats`` training beats (Q: 8 in DS1) are left out of training and get probability
0: with an equal prior, a class mean from 8 beats took ~2000 of 46 000 N beats in DS1
leave-one-record-out cross-validation (``benchmarks/rr_lda_cv.py``).

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ecgbench.signal.beat_morphology import RR_RANGE_S, FiducialConfig, de_chazal_features

CONFIGS = ("all", "per_lead")
#: Classes whose F1 is averaged for the validation choice (N, S, V).
SELECTION_CLASSES = (0, 1, 2)


def config_columns(config: str, groups: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Return the feature columns of each discriminant of a configuration (see the module docstring)."""
    shared = np.concatenate([groups["rr"], groups["intervals"]])
    leads = [groups[name] for name in sorted(groups) if name.startswith("lead")]
    if config == "all":
        return [np.concatenate([shared, *leads])]
    if config == "per_lead":
        return [np.concatenate([shared, lead]) for lead in leads]
    from ecgbench.errors import unknown_choice

    raise unknown_choice("rr-lda config", config, CONFIGS)


def _trainable(labels: np.ndarray, min_class_beats: int) -> np.ndarray:
    """Mask of beats whose class has at least ``min_class_beats`` training beats.

    With equal priors a class of a handful of beats (Q: 8 in DS1) gets a fifth of the prior mass
    from a mean estimated on 8 points in ~45 dimensions and swallows many beats; such classes are
    left out of training (they get probability 0).
    """
    classes, counts = np.unique(labels, return_counts=True)
    return np.isin(labels, classes[counts >= min_class_beats])


class BalancedLDA:
    """One or more class-balanced LDAs on column subsets; posteriors averaged over the subsets."""

    def __init__(self, column_sets: list[np.ndarray]) -> None:
        self.column_sets = column_sets
        self.models: list = []
        self.classes: np.ndarray | None = None

    def fit(self, features: np.ndarray, labels: np.ndarray) -> BalancedLDA:
        self.classes = np.unique(labels)
        priors = np.full(self.classes.size, 1.0 / self.classes.size)
        self.models = [
            make_pipeline(StandardScaler(), LinearDiscriminantAnalysis(solver="lsqr", priors=priors)).fit(
                features[:, columns], labels
            )
            for columns in self.column_sets
        ]
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        return np.mean([m.predict_proba(features[:, c]) for m, c in zip(self.models, self.column_sets)], axis=0)


def beat_features(
    arrays,
    sampling_rate: float,
    before_s: float,
    rr_range_s: tuple[float, float] | None = RR_RANGE_S,
    fiducials: str = "slope",
    fiducial_config: FiducialConfig | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return the de Chazal feature matrix of :class:`~ecgbench.models.BeatArrays` and its column groups.

    ``fiducials`` is the fiducial finder of the interval features, ``"slope"``, ``"wavelet"`` or
    ``"hybrid"`` (:func:`ecgbench.signal.beat_morphology.find_fiducials`); ``fiducial_config`` the
    slope finder's parameters (default :class:`~ecgbench.signal.beat_morphology.FiducialConfig`).
    """
    return de_chazal_features(
        arrays.signal, arrays.rr, arrays.record, arrays.sample, sampling_rate, before_s, config=fiducial_config,
        rr_range_s=rr_range_s, method=fiducials,
    )  # fmt: skip


def fit_model(
    features: np.ndarray, labels: np.ndarray, column_sets: list[np.ndarray], min_class_beats: int
) -> BalancedLDA:
    """Fit a :class:`BalancedLDA` on the beats whose class has at least ``min_class_beats`` beats."""
    keep = _trainable(labels, min_class_beats)
    return BalancedLDA(column_sets).fit(features[keep], labels[keep])


class Submission:
    """de Chazal (2004) features → class-balanced LDA.

    Options (``recipe.options``): ``configs``, ``min_class_beats``,
    ``rr_range_s`` (``[low, high]`` seconds or null), ``fiducials`` (``"slope"``, the default,
    ``"wavelet"`` or ``"hybrid"``: the fiducial finder of the QRS/T durations and P flag).
    """

    def __init__(self, input_spec) -> None:
        self.spec = input_spec
        self.rr_range_s: tuple[float, float] | None = RR_RANGE_S
        self.fiducials = "slope"
        self.model: BalancedLDA | None = None
        self.chosen: str | None = None
        self.validation: dict[str, float] = {}

    def _features(self, arrays) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return beat_features(arrays, self.spec.sampling_rate, self.spec.before_s, self.rr_range_s, self.fiducials)

    def fit(self, train, val, recipe) -> None:
        """Choose the configuration on ``val`` (macro-F1 of N, S, V) and fit it on ``train``."""
        options = dict(recipe.options)
        configs = tuple(options.get("configs", CONFIGS))
        min_class_beats = int(options.get("min_class_beats", 0))
        rr_range = options.get("rr_range_s", RR_RANGE_S)
        self.rr_range_s = None if rr_range is None else (float(rr_range[0]), float(rr_range[1]))
        self.fiducials = str(options.get("fiducials", "slope"))
        x_train, groups = self._features(train)
        x_val, _ = self._features(val)
        for config in configs:
            model = fit_model(x_train, train.label, config_columns(config, groups), min_class_beats)
            predicted = model.classes[np.argmax(model.predict_proba(x_val), axis=1)]
            self.validation[config] = float(
                f1_score(val.label, predicted, labels=list(SELECTION_CLASSES), average="macro", zero_division=0)
            )
        self.chosen = max(configs, key=lambda c: self.validation[c])
        self._groups, self._min_class_beats = groups, min_class_beats
        self.model = fit_model(x_train, train.label, config_columns(self.chosen, groups), min_class_beats)

    def refit(self, train_val, recipe) -> None:
        """Fit the configuration ``fit`` chose on train ∪ val (the runner's ``refit_on_train_val``)."""
        x, _ = self._features(train_val)
        self.model = fit_model(x, train_val.label, config_columns(self.chosen, self._groups), self._min_class_beats)

    def predict(self, arrays) -> np.ndarray:
        """Return ``[n, 5]`` posteriors; classes absent from training get probability 0."""
        probabilities = np.zeros((len(arrays), self.spec.n_classes), dtype=np.float64)
        probabilities[:, self.model.classes] = self.model.predict_proba(self._features(arrays)[0])
        return probabilities
