"""Beat classifiers for the streaming pipeline: the protocol, built-in fallbacks, and the model adapter point.

The pipeline hands a classifier a batch of beat windows (``window_before`` seconds before and
``window_after`` seconds after each R peak, in mV, at ``sampling_rate``) and the beats' RR
intervals, and gets back probabilities over the AAMI classes N, S, V, F, Q. Two built-in
classifiers need no TensorFlow, so the harness and its tests run anywhere:

``"prior"``
    Every beat N (the naive prior baseline).
``"rules"``
    RR prematurity, QRS width (absolute and relative to the subject's normal beats) and
    correlation with a running template of the subject's normal beats, after the classic rule-based arrhythmia monitors (Hamilton 2003, the template-matching
    approach of open-source EP Limited); a fallback, not a competitor.

A trained submission plugs in through :func:`load_classifier` with a name or path that is not a
built-in one (see :class:`ModelClassifier`).

References
----------
Hamilton P. Open source ECG analysis software documentation. E.P. Limited (2003).
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.records.symbols import AAMI_CLASSES

#: RR features (seconds) handed to a classifier, one array of length B each:
#: ``pre`` (R to previous R), ``post`` (to next R; NaN when the classifier does not need it),
#: ``local`` (mean of the last 10 RR), ``average`` (mean RR since the stream started; the offline
#: beat data uses the whole record's mean, which a causal stream cannot know).
RR_KEYS: tuple[str, ...] = ("pre", "post", "local", "average")

_N, _S, _V = (AAMI_CLASSES.index(c) for c in "NSV")


@runtime_checkable
class BeatClassifier(Protocol):
    """What the streaming pipeline needs from a beat classifier.

    Attributes
    ----------
    sampling_rate : float
        Sampling rate in Hz the windows must have (the source resamples to it).
    window_before, window_after : float
        Context in seconds before and after the R peak; the pipeline waits for the post-R context.
    needs_post_rr : bool
        True if ``rr["post"]`` must be known (the pipeline then waits for the next beat).
    filtered : bool
        True to get windows of the streaming-filtered signal, False for the raw signal (mV).

    Optional: ``af_gate`` (bool, default False when absent), True to have the pipeline move p(S) to
    p(N) for beats labelled while the rhythm monitor is in AF (:mod:`ecgbench.streaming.af_gate`).
    Optional: ``takes_provisional`` (bool, default False when absent), True if ``classify`` accepts
    ``provisional=k``: the pipeline then says that the call's last ``k`` windows are provisional
    labels of beats it will classify again, finally, once the next beat is known, so a classifier
    that keeps a history of the beats it has seen (a beat context) leaves them out of it. A
    classifier with ``needs_post_rr`` and without it must keep no such history.
    """

    sampling_rate: float
    window_before: float
    window_after: float
    needs_post_rr: bool
    filtered: bool

    def classify(self, windows: np.ndarray, rr: dict[str, np.ndarray]) -> np.ndarray:
        """Return probabilities ``[B, 5]`` over ``AAMI_CLASSES`` for windows ``[B, n, leads]`` (mV)."""
        ...


def _one_hot(labels: np.ndarray, confidence: np.ndarray) -> np.ndarray:
    """Spread ``1 - confidence`` evenly over the other classes."""
    n = len(AAMI_CLASSES)
    probs = np.repeat(((1.0 - confidence) / (n - 1))[:, None], n, axis=1)
    probs[np.arange(labels.size), labels] = confidence
    return probs.astype(np.float32)


@dataclass
class PriorClassifier:
    """Label every beat N with probability 1 (the naive prior baseline)."""

    sampling_rate: float = 360.0
    window_before: float = 0.3
    window_after: float = 0.5
    needs_post_rr: bool = False
    filtered: bool = True

    def classify(self, windows: np.ndarray, rr: dict[str, np.ndarray]) -> np.ndarray:
        """Return ``[B, 5]`` with all the mass on N."""
        return _one_hot(np.zeros(len(windows), np.int64), np.ones(len(windows)))


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of :class:`RuleClassifier` in physical units (chosen on DS1 records only).

    Attributes
    ----------
    premature_ratio : float
        A beat is premature when its pre-RR is below this fraction of the local mean RR.
    wide_qrs : float
        QRS width in seconds above which a beat is wide, unless the patient's normal beats are
        themselves wide (bundle branch block): then wide means ``wider_than_normal`` seconds wider
        than the running mean width of the normal beats.
    wider_than_normal : float
        Seconds a beat's QRS must exceed the normal beats' mean width to be wide.
    width_fraction : float
        The QRS extent is where the absolute deviation from the PR baseline exceeds this fraction
        of the QRS peak.
    template_match : float
        Correlation with the normal-beat template above which a beat's morphology is normal.
    template_mismatch : float
        Correlation below which a beat is ventricular even if narrow.
    template_beats : int
        Beats in the normal-beat template: the element-wise median of the last this many template
        beats (beats labelled N, and narrow beats that are not premature whatever their label).
    template_min_beats : int
        Template beats needed before morphology counts; until then every narrow beat is normal.
    """

    premature_ratio: float = 0.85
    wide_qrs: float = 0.12
    wider_than_normal: float = 0.03
    width_fraction: float = 0.3
    template_match: float = 0.9
    template_mismatch: float = 0.5
    template_beats: int = 9
    template_min_beats: int = 4


class RuleClassifier:
    """Rule-based fallback: RR prematurity + QRS width + template correlation (stateful, per stream).

    Parameters
    ----------
    sampling_rate : float
        Sampling rate of the windows in Hz.
    config : RuleConfig, optional
        Thresholds.

    Notes
    -----
    The template is the element-wise median of the last ``template_beats`` template beats (lead 0,
    R-0.1 s to R+0.15 s), and the normal width their median width. Template beats are the beats
    labelled N and the narrow beats that are not premature whatever their label, so the template
    is re-learned all the time: a template seeded from start-up transients (or from a run of odd
    beats) is replaced within a few beats instead of freezing, when the following beats, all
    judged against it as ventricular, would never update it. The median keeps a minority of
    ectopic beats out of it. Until ``template_min_beats`` template beats have been seen every
    narrow beat counts as normal. Beats are processed in order inside a batch, so results do not
    depend on how the stream was chunked.
    """

    needs_post_rr = False
    filtered = True

    def __init__(self, sampling_rate: float = 360.0, config: RuleConfig | None = None) -> None:
        self.sampling_rate = float(sampling_rate)
        self.window_before = 0.3
        self.window_after = 0.5
        self.config = config or RuleConfig()
        fs = self.sampling_rate
        self._r = int(round(self.window_before * fs))
        self._qrs = slice(self._r - int(round(0.12 * fs)), self._r + int(round(0.15 * fs)))
        self._baseline = slice(self._r - int(round(0.3 * fs)), self._r - int(round(0.2 * fs)))
        self._tmpl = slice(self._r - int(round(0.1 * fs)), self._r + int(round(0.15 * fs)))
        self._template: np.ndarray | None = None
        self._beats: deque[np.ndarray] = deque(maxlen=self.config.template_beats)
        self._widths: deque[float] = deque(maxlen=self.config.template_beats)
        self._normal_width = float("nan")

    def qrs_width(self, beat: np.ndarray) -> float:
        """Return the QRS width in seconds of one lead-0 window (see ``RuleConfig.width_fraction``)."""
        deviation = np.abs(beat[self._qrs] - np.median(beat[self._baseline]))
        peak = deviation.max()
        if peak <= 0:
            return 0.0
        above = np.flatnonzero(deviation > self.config.width_fraction * peak)
        return float(above[-1] - above[0] + 1) / self.sampling_rate

    def _correlation(self, segment: np.ndarray) -> float:
        if self._template is None or len(self._beats) < self.config.template_min_beats:
            return 1.0
        a = segment - segment.mean()
        b = self._template - self._template.mean()
        denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
        return float((a * b).sum() / denom) if denom > 0 else 0.0

    def classify(self, windows: np.ndarray, rr: dict[str, np.ndarray]) -> np.ndarray:
        """Return ``[B, 5]`` probabilities; updates the normal-beat template as it goes."""
        cfg = self.config
        labels = np.zeros(len(windows), np.int64)
        confidence = np.zeros(len(windows))
        for i, window in enumerate(np.asarray(windows, dtype=np.float64)):
            beat = window[:, 0]
            width = self.qrs_width(beat)
            segment = beat[self._tmpl]
            corr = self._correlation(segment)
            pre, local = float(rr["pre"][i]), float(rr["local"][i])
            premature = np.isfinite(pre) and np.isfinite(local) and pre < cfg.premature_ratio * local
            normal_width = self._normal_width if np.isfinite(self._normal_width) else 0.0
            wide = width > max(cfg.wide_qrs, normal_width + cfg.wider_than_normal)
            if corr < cfg.template_mismatch or (corr < cfg.template_match and (wide or premature)):
                labels[i], confidence[i] = _V, 0.6 + 0.3 * min(1.0, (cfg.template_match - corr) / cfg.template_match)
            elif premature and corr >= cfg.template_match:
                labels[i], confidence[i] = _S, 0.6
            else:
                labels[i], confidence[i] = _N, 0.6 + 0.35 * max(0.0, corr)
            if labels[i] == _N or not (wide or premature or np.isnan(pre)):
                self._update_template(segment, width)
        return _one_hot(labels, np.clip(confidence, 0.2, 0.99))

    def _update_template(self, segment: np.ndarray, width: float) -> None:
        self._beats.append(segment.copy())
        self._widths.append(width)
        self._template = np.median(np.stack(self._beats), axis=0)
        self._normal_width = float(np.median(self._widths))


#: Built-in classifier names → factories taking the sampling rate.
BUILTIN_CLASSIFIERS = {"prior": PriorClassifier, "rules": RuleClassifier}


def load_classifier(spec: str, sampling_rate: float = 360.0, results_dir=None) -> BeatClassifier:
    """Return a classifier by built-in name (``"prior"``, ``"rules"``) or a trained model by name/path.

    Parameters
    ----------
    spec : str
        A built-in name, or a baseline name / run folder / model path understood by
        :mod:`ecgbench.models` (wrapped in :class:`ModelClassifier`).
    sampling_rate : float
        Sampling rate in Hz for the built-in classifiers (trained models carry their own).
    results_dir : path-like, optional
        Results tree searched when ``spec`` is a baseline name (default ``leaderboards/results``).

    Raises
    ------
    ConfigError
        ``spec`` is neither a built-in name nor a loadable model.
    """
    if spec in BUILTIN_CLASSIFIERS:
        return BUILTIN_CLASSIFIERS[spec](sampling_rate)
    from ecgbench.streaming.model_adapter import load_model_classifier

    return load_model_classifier(spec, valid_builtins=tuple(BUILTIN_CLASSIFIERS), results_dir=results_dir)


class ClassifierFactory:
    """Per-stream classifiers for :func:`ecgbench.streaming.track.run_track`: ``factory()`` gives a fresh one.

    Built-in classifiers keep per-stream state (:class:`RuleClassifier`'s template), so each stream
    gets a fresh one. A trained model is found, hash-checked and loaded once per process; each
    stream gets its own :class:`~ecgbench.streaming.model_adapter.ModelClassifier` around it
    (``for_new_stream``), since a model with a beat context remembers the stream's previous beat.
    The factory pickles as its settings alone (a Beam worker loads the model itself, on its first
    stream), so it can be sent to workers.

    Parameters
    ----------
    spec, sampling_rate, results_dir
        As :func:`load_classifier`'s.
    """

    def __init__(self, spec: str, sampling_rate: float = 360.0, results_dir=None) -> None:
        self.spec = spec
        self.sampling_rate = sampling_rate
        self.results_dir = results_dir
        self._loaded: BeatClassifier | None = None

    def __call__(self) -> BeatClassifier:
        if self.spec in BUILTIN_CLASSIFIERS:
            return BUILTIN_CLASSIFIERS[self.spec](self.sampling_rate)
        if self._loaded is None:
            self._loaded = load_classifier(self.spec, self.sampling_rate, self.results_dir)
        fresh = getattr(self._loaded, "for_new_stream", None)
        return fresh() if callable(fresh) else self._loaded

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_loaded": None}


def classifier_factory(spec: str, sampling_rate: float = 360.0, results_dir=None) -> ClassifierFactory:
    """Load ``spec`` once (failing early on a bad one) and return its :class:`ClassifierFactory`.

    Raises
    ------
    ConfigError
        ``spec`` is neither a built-in name nor a loadable model.
    """
    factory = ClassifierFactory(spec, sampling_rate, results_dir)
    factory()
    return factory


def check_classifier(classifier: object) -> BeatClassifier:
    """Raise ``ConfigError`` unless ``classifier`` has every attribute of :class:`BeatClassifier`."""
    missing = [a for a in ("sampling_rate", "window_before", "window_after", "needs_post_rr", "filtered", "classify")
               if not hasattr(classifier, a)]  # fmt: skip
    if missing:
        raise ConfigError(
            f"beat classifier {type(classifier).__name__} lacks {', '.join(missing)}; "
            "implement ecgbench.streaming.classifier.BeatClassifier"
        )
    return classifier  # type: ignore[return-value]
