"""Ventricular-fibrillation detection on the signal itself (no QRS detection): TCSC and VF-filter leakage.

VF has no QRS complexes, so a beat classifier cannot see it. Two published, training-free
measures look at the waveform of a fixed analysis window instead:

``tcsc`` — threshold crossing sample count (Arafat et al. 2011)
    Each 3-s block of the window (blocks every 1 s) is multiplied by a cosine taper (0.25 s at
    each end), divided by its largest absolute value, and the percentage of samples whose
    magnitude exceeds ``V0 = 0.2`` is counted; the window's TCSC is the mean over its blocks.
    Organised rhythms spend most of the time near the baseline (low TCSC); VF's irregular,
    large oscillation keeps it away from it (high TCSC). VF if TCSC > threshold.
``leakage`` — VF-filter leakage (Kuo & Dillman 1978, as described by Amann et al. 2005)
    The mean period is estimated as ``T = 2N`` with ``N = ⌊π Σ|x_i| / Σ|x_i − x_{i−1}| + ½⌋``
    samples; a narrow band-stop filter at that frequency (``x_i + x_{i−N}``) leaves little of a
    quasi-sinusoidal VF signal: ``leakage = Σ|x_i + x_{i−N}| / Σ(|x_i| + |x_{i−N}|)``. VF if
    leakage < threshold.

Both run on the same pre-processed signal (Amann et al. 2005, section "Preprocessing"): mean
removal, a 20-ms moving average, a 1-Hz first-order Butterworth high-pass (drift) and a 30-Hz
second-order Butterworth low-pass, all causal (``scipy.signal.lfilter``), so a window's features
depend only on the samples up to its end: :func:`detect_vf` (batch) and
:class:`StreamingVFDetector` (chunks) give the same windows and decisions.

**Thresholds.** The defaults :data:`TCSC_THRESHOLD` and :data:`LEAKAGE_THRESHOLD` were chosen on
MIT-BIH DS1 only, by the rule committed in ``experiments/vf_detector/README.md`` (DS1's
non-shockable windows fix the operating point; DS1's VF comes from a single patient, too little
to set it by sensitivity). Nothing was chosen on VFDB.

References
----------
Arafat MA, Chowdhury AW, Hasan MK. A simple time domain algorithm for the detection of
ventricular fibrillation in electrocardiogram. Signal, Image and Video Processing 5:1-10 (2011).
Kuo S, Dillman R. Computer detection of ventricular fibrillation. Computers in Cardiology
1978:347-349.
Amann A, Tratnig R, Unterkofler K. Reliability of old and new ventricular fibrillation detection
algorithms for automated external defibrillators. BioMedical Engineering OnLine 4:60 (2005).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, lfilter

from ecgbench.errors import ConfigError, unknown_choice

#: Feature names, in the order of :func:`vf_features`' columns.
METHODS: tuple[str, ...] = ("tcsc", "leakage")
#: Analysis window and step (s) of :func:`detect_vf`.
WINDOW_S = 8.0
STEP_S = 8.0
#: TCSC block length, block step and cosine-taper length (s); amplitude threshold (fraction of max).
TCSC_BLOCK_S = 3.0
TCSC_STEP_S = 1.0
TCSC_TAPER_S = 0.25
TCSC_V0 = 0.2
#: Pre-processing (Amann et al. 2005): moving-average width (s), high-pass and low-pass corners (Hz).
MOVING_AVERAGE_S = 0.02
HIGHPASS_HZ = 1.0
LOWPASS_HZ = 30.0
#: Decision thresholds chosen on MIT-BIH DS1 (experiments/vf_detector/README.md): VF if TCSC (%)
#: is above TCSC_THRESHOLD, or if the VF-filter leakage is below LEAKAGE_THRESHOLD.
TCSC_THRESHOLD = 44.22839506172839
LEAKAGE_THRESHOLD = 0.6505138528383841


def _filters(fs: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The three causal filters of the pre-processing, as (b, a): moving average, high-pass, low-pass."""
    if fs <= 2 * LOWPASS_HZ:
        raise ConfigError(f"VF detection needs a sampling rate above {2 * LOWPASS_HZ:g} Hz, got {fs:g} Hz")
    width = max(int(round(MOVING_AVERAGE_S * fs)), 1)
    return [
        (np.full(width, 1.0 / width), np.ones(1)),
        butter(1, HIGHPASS_HZ, btype="highpass", fs=fs),
        butter(2, LOWPASS_HZ, btype="lowpass", fs=fs),
    ]


def _one_lead(signal: np.ndarray) -> np.ndarray:
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"VF detection takes one lead (a 1-D signal), got shape {x.shape}")
    return np.nan_to_num(x, nan=0.0)


def preprocess(signal: np.ndarray, fs: float) -> np.ndarray:
    """Causal pre-processing of one lead (mV): mean removal, 20-ms moving average, 1-30 Hz Butterworth.

    The mean is the running mean up to each sample (causal), so a stream and a batch agree.
    """
    x = _one_lead(signal)
    filters = _filters(fs)
    x = x - np.cumsum(x) / np.arange(1, x.size + 1)
    for b, a in filters:
        x = lfilter(b, a, x)
    return x


def tcsc(window: np.ndarray, fs: float) -> float:
    """Threshold crossing sample count (%) of a pre-processed window (Arafat et al. 2011).

    The mean over 3-s blocks every 1 s; a window shorter than one block is one block. A flat
    window (all zeros) has TCSC 0.
    """
    x = np.asarray(window, dtype=np.float64)
    block = min(int(round(TCSC_BLOCK_S * fs)), x.size)
    step = max(int(round(TCSC_STEP_S * fs)), 1)
    starts = np.arange(0, x.size - block + 1, step)
    taper_n = min(int(round(TCSC_TAPER_S * fs)), block // 2)
    taper = np.ones(block)
    if taper_n > 0:
        rise = 0.5 * (1 - np.cos(np.pi * np.arange(taper_n) / taper_n))
        taper[:taper_n], taper[block - taper_n :] = rise, rise[::-1]
    blocks = x[starts[:, None] + np.arange(block)[None, :]] * taper
    peak = np.abs(blocks).max(axis=1, keepdims=True)
    above = np.abs(blocks) > TCSC_V0 * np.where(peak > 0, peak, np.inf)
    return float(100.0 * above.mean(axis=1).mean())


def leakage(window: np.ndarray) -> float:
    """VF-filter leakage (0-1) of a pre-processed window (Kuo & Dillman 1978; Amann et al. 2005).

    NaN for a flat window (no period can be estimated).
    """
    x = np.asarray(window, dtype=np.float64)
    slope = np.abs(np.diff(x)).sum()
    if slope == 0:
        return float("nan")
    n = int(np.floor(np.pi * np.abs(x[1:]).sum() / slope + 0.5))
    n = min(max(n, 1), x.size - 1)
    head, tail = x[n:], x[:-n]
    denominator = (np.abs(head) + np.abs(tail)).sum()
    return float(np.abs(head + tail).sum() / denominator) if denominator > 0 else float("nan")


@dataclass(frozen=True)
class VFWindows:
    """VF features and decisions of fixed windows of one lead.

    Attributes
    ----------
    end : numpy.ndarray
        One past the last sample of each window (samples); the decision is available there.
    tcsc, leakage : numpy.ndarray
        Feature values per window (TCSC in %, leakage 0-1).
    vf : numpy.ndarray
        Boolean decision per window by the chosen method and threshold.
    """

    end: np.ndarray
    tcsc: np.ndarray
    leakage: np.ndarray
    vf: np.ndarray


def vf_features(signal: np.ndarray, fs: float, window_s: float = WINDOW_S, step_s: float = STEP_S) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pre-process one lead and compute both features on windows ``[end - window, end)`` every ``step_s``.

    Returns
    -------
    (end, tcsc, leakage) : tuple of numpy.ndarray
        Window ends (samples) and the two features per window.
    """
    if window_s < TCSC_BLOCK_S or step_s <= 0:
        raise ConfigError(f"VF windows need window_s >= {TCSC_BLOCK_S:g} s and step_s > 0 (got {window_s}, {step_s})")
    x = preprocess(signal, fs)
    length, step = int(round(window_s * fs)), int(round(step_s * fs))
    ends = np.arange(length, x.size + 1, step, dtype=np.int64)
    t = np.array([tcsc(x[e - length : e], fs) for e in ends])
    v = np.array([leakage(x[e - length : e]) for e in ends])
    return ends, t, v


class StreamingVFDetector:
    """The VF detector on a stream: feed chunks of one lead, get each window's decision when it ends.

    Gives the same windows, features and decisions as :func:`detect_vf` on the whole signal
    (the filters keep their state between chunks; windows end every ``step_s`` from ``window_s``
    on). Memory: one window of samples.

    Examples
    --------
    >>> detector = StreamingVFDetector(fs=250.0)
    >>> for chunk in chunks:  # doctest: +SKIP
    ...     for end, tcsc_value, leakage_value, is_vf in detector.update(chunk):
    ...         ...
    """

    def __init__(self, fs: float, method: str = "tcsc", threshold: float | None = None, window_s: float = WINDOW_S, step_s: float = STEP_S):
        if method not in METHODS:
            raise unknown_choice("VF detection method", method, METHODS)
        if window_s < TCSC_BLOCK_S or step_s <= 0:
            raise ConfigError(f"VF windows need window_s >= {TCSC_BLOCK_S:g} s and step_s > 0 (got {window_s}, {step_s})")
        self.fs, self.method = float(fs), method
        default = TCSC_THRESHOLD if method == "tcsc" else LEAKAGE_THRESHOLD
        self.threshold = default if threshold is None else float(threshold)
        self._filters = _filters(self.fs)
        self._state = [np.zeros(max(len(a), len(b)) - 1) for b, a in self._filters]
        self.length, self.step = int(round(window_s * fs)), int(round(step_s * fs))
        self._buffer = np.zeros(0)
        self._sum, self._n = 0.0, 0  # running mean of the raw signal
        self._next_end = self.length

    @property
    def next_window_start(self) -> int:
        """First sample (absolute) of the next window to be judged."""
        return self._next_end - self.length

    def update(self, chunk: np.ndarray) -> list[tuple[int, float, float, bool]]:
        """Add samples; return ``(end, tcsc, leakage, vf)`` for every window that ended inside the chunk."""
        x = _one_lead(chunk)
        running = self._sum + np.cumsum(x)
        counts = self._n + np.arange(1, x.size + 1)
        self._sum, self._n = (float(running[-1]), int(counts[-1])) if x.size else (self._sum, self._n)
        y = x - running / counts
        for k, (b, a) in enumerate(self._filters):
            y, self._state[k] = lfilter(b, a, y, zi=self._state[k])
        start = self._n - x.size - self._buffer.size  # absolute index of the buffer's first sample
        self._buffer = np.concatenate([self._buffer, y])
        out = []
        while self._next_end <= self._n:
            window = self._buffer[self._next_end - self.length - start : self._next_end - start]
            t, v = tcsc(window, self.fs), leakage(window)
            vf = t > self.threshold if self.method == "tcsc" else (np.isfinite(v) and v < self.threshold)
            out.append((self._next_end, t, v, bool(vf)))
            self._next_end += self.step
        keep_from = self._next_end - self.length  # first sample any future window needs
        drop = max(keep_from - start, 0)
        self._buffer = self._buffer[drop:]
        return out


def detect_vf(
    signal: np.ndarray,
    fs: float,
    method: str = "tcsc",
    threshold: float | None = None,
    window_s: float = WINDOW_S,
    step_s: float = STEP_S,
) -> VFWindows:
    """Detect ventricular fibrillation in fixed windows of one lead.

    Parameters
    ----------
    signal : numpy.ndarray
        One lead (mV).
    fs : float
        Sampling rate (Hz), above 60 Hz.
    method : {"tcsc", "leakage"}
        The decision feature (module docstring).
    threshold : float, optional
        Decision threshold; default the DS1-chosen :data:`TCSC_THRESHOLD` / :data:`LEAKAGE_THRESHOLD`.
    window_s, step_s : float
        Window length and step (s); windows end at ``window_s``, ``window_s + step_s`` … (causal).

    Returns
    -------
    VFWindows
    """
    if method not in METHODS:
        raise unknown_choice("VF detection method", method, METHODS)
    ends, t, v = vf_features(signal, fs, window_s, step_s)
    if method == "tcsc":
        cut = TCSC_THRESHOLD if threshold is None else float(threshold)
        vf = t > cut
    else:
        cut = LEAKAGE_THRESHOLD if threshold is None else float(threshold)
        vf = np.nan_to_num(v, nan=np.inf) < cut
    return VFWindows(end=ends, tcsc=t, leakage=v, vf=vf)
