"""P/QRS/T delineation: onsets, peaks and offsets of each beat's waves.

``delineate(signal, sampling_rate, r_peaks=None, method="wavelet")`` returns a :class:`Delineation`
(one row per beat, positions in samples, -1 where a wave or boundary was not found).
:class:`~ecgbench.signal.delineation_stream.StreamingDelineator` gives the same result chunk by
chunk.

Method ``"wavelet"`` follows Martínez et al. (2004): the ECG is resampled to 250 Hz, transformed
with the quadratic-spline dyadic wavelet (:mod:`ecgbench.signal.wavelet`), QRS boundaries are found
at scale 2^2 and P/T waves at scale 2^4 (2^5 as fallback for T): a wave is a pair of
opposite-sign modulus maxima, its peak the zero crossing between them, its onset/offset the point
where the modulus falls below a fraction ξ of the outer maximum (or reaches a local minimum).
The ξ ratios are the published ones. Every beat is analysed in its own window of fixed context
around R (:attr:`WaveletConfig.context_before_s`, ``context_after_s``), using only the previous
R peak and a next R peak inside that window, which is what lets the streaming delineator reproduce
the batch result exactly.

References
----------
Martínez JP, Almeida R, Olmos S, Rocha AP, Laguna P. A wavelet-based ECG delineator: evaluation on
standard databases. IEEE Trans Biomed Eng 51(4):570-581 (2004).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy.signal import find_peaks, resample_poly

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.signal.resample import resampling_ratio
from ecgbench.signal.wavelet import ANALYSIS_RATE_HZ, HALF_SAMPLE_OFFSET, quadratic_spline_wt

#: Fiducial points of each beat, in the order of :class:`Delineation`'s arrays.
FIDUCIALS = ("p_on", "p_peak", "p_off", "qrs_on", "r_peak", "qrs_off", "t_on", "t_peak", "t_off")
METHODS = ("wavelet",)
MIN_SAMPLING_RATE_HZ = 50.0
MAX_SAMPLING_RATE_HZ = 10_000.0


@dataclass(frozen=True)
class WaveletConfig:
    """Parameters of the wavelet delineator, in physical units (s, mV/s) or as ratios.

    Defaults come from physiology (PR, QRS and QT durations of adult ECGs) and from Martínez et
    al. (2004) for the ξ ratios; none were fitted to a test set.
    """

    context_before_s: float = 0.70  # signal used before R (P search + wavelet edge margin)
    context_after_s: float = 1.00  # signal used after R (T offset search + margin); = streaming latency
    qrs_search_s: float = 0.12  # QRS slopes searched within R ± this
    qrs_significance_before: float = 0.12  # slopes before the largest count if > this × largest (Martínez γ_QRSpre
    # = 0.06; doubled after tuning on LUDB 1-50, where 0.06 took P-wave slopes of short PR intervals)
    qrs_significance_after: float = 0.09  # ... after the largest (Martínez γ_QRSpost)
    qrs_max_slope_gap_s: tuple[float, float] = (0.04, 0.05)  # QRS slopes before / after the largest follow
    # each other within this; a slope further away belongs to the P or T wave
    qrs_onset_ratio: tuple[float, float] = (0.05, 0.07)  # ξ_QRSon for a positive / negative first slope
    qrs_offset_ratio: tuple[float, float] = (0.125, 0.71)  # ξ_QRSend for a positive / negative last slope
    qrs_boundary_search_s: float = 0.08  # how far onset/offset may lie from the outer slope
    min_qrs_slope_mv_per_s: float = 2.0  # a QRS slope below this is noise (detection and delineation)
    p_window_s: float = 0.30  # P searched in [QRS onset - this, QRS onset]
    p_window_rr_fraction: float = 0.55  # ... but not before previous R + this × RR
    p_onset_ratio: float = 0.50  # ξ_Pon
    p_offset_ratio: float = 0.90  # ξ_Pend
    p_boundary_search_s: float = 0.10
    min_p_slope_mv_per_s: float = 0.50  # weakest P slope taken as a wave (≈ 0.05 mV P wave; chosen on LUDB 1-50)
    t_window_start_s: float = 0.10  # T searched from R + this (or QRS offset, whichever is later) ...
    t_window_end_s: float = 0.60  # ... to R + min(this, fraction × RR)
    t_window_rr_fraction: float = 0.70
    t_onset_ratio: float = 0.25  # ξ_Ton
    t_offset_ratio: float = 0.40  # ξ_Tend
    t_boundary_search_s: float = 0.20
    min_t_slope_mv_per_s: float = 0.25
    wave_significance_rms: float = 0.25  # P/T slopes must exceed this × RMS of the scale in their window
    default_rr_s: float = 1.0  # RR assumed for a beat without neighbours
    detection_threshold: float = 0.30  # R detection: × median of 2-s maxima of |W(2^3)|
    detection_refractory_s: float = 0.25
    min_valid_fraction: float = 0.5  # a beat window with fewer finite samples is not delineated

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):  # e.g. from JSON
                value = tuple(value)
                object.__setattr__(self, f.name, value)
            values = value if isinstance(value, tuple) else (value,)
            if any(not np.isfinite(v) or v < 0 for v in values):
                raise ConfigError(f"WaveletConfig.{f.name} must be finite and >= 0, got {value!r}")


@dataclass(frozen=True)
class Delineation:
    """Fiducial points of each beat, in samples of the input signal (int64, -1 where absent).

    Attributes
    ----------
    p_on, p_peak, p_off : numpy.ndarray
        P wave onset, peak and offset.
    qrs_on, r_peak, qrs_off : numpy.ndarray
        QRS onset, main peak (zero crossing of the wavelet slope between the QRS's two largest
        opposite slopes; the given R position when the QRS is not found) and offset.
    t_on, t_peak, t_off : numpy.ndarray
        T wave onset, peak and offset.
    sampling_rate : float
        Hz of the signal the positions refer to.
    """

    p_on: np.ndarray
    p_peak: np.ndarray
    p_off: np.ndarray
    qrs_on: np.ndarray
    r_peak: np.ndarray
    qrs_off: np.ndarray
    t_on: np.ndarray
    t_peak: np.ndarray
    t_off: np.ndarray
    sampling_rate: float

    def __len__(self) -> int:
        return int(self.r_peak.size)

    def to_dict(self) -> dict[str, list[int]]:
        """Return ``{fiducial: [samples]}`` (plain ints, -1 where absent), e.g. for JSON."""
        return {name: getattr(self, name).tolist() for name in FIDUCIALS}

    def as_array(self) -> np.ndarray:
        """Return a ``(n_beats, 9)`` int64 array, columns in :data:`FIDUCIALS` order."""
        return np.stack([getattr(self, name) for name in FIDUCIALS], axis=1) if len(self) else np.zeros((0, 9), np.int64)

    @classmethod
    def from_array(cls, rows: np.ndarray, sampling_rate: float) -> Delineation:
        """Build from a ``(n_beats, 9)`` array whose columns follow :data:`FIDUCIALS`."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1, len(FIDUCIALS))
        return cls(**{name: rows[:, i].copy() for i, name in enumerate(FIDUCIALS)}, sampling_rate=float(sampling_rate))


# --------------------------------------------------------------------------------------------
# Public entry point


def delineate(
    signal: np.ndarray,
    sampling_rate: float,
    r_peaks: np.ndarray | None = None,
    method: str = "wavelet",
    config: WaveletConfig | None = None,
) -> Delineation:
    """Delineate the P, QRS and T waves of every beat of a single-lead ECG.

    Parameters
    ----------
    signal : numpy.ndarray
        One lead, 1-D, in mV (any constant gain works; the minimum-slope floors assume mV).
        NaN samples are bridged by linear interpolation inside each beat window, and fiducials
        that fall on a NaN sample are reported as -1.
    sampling_rate : float
        Hz (50-10000; internally resampled to 250 Hz, the rate of Martínez's scales).
    r_peaks : numpy.ndarray, optional
        R-peak (beat) positions in samples, strictly increasing. Default: found by a wavelet QRS
        detector (modulus of scale 2^3 above a fraction of its median 2-s maximum).
    method : str
        ``"wavelet"`` (Martínez et al. 2004).
    config : WaveletConfig, optional
        Parameters; default :class:`WaveletConfig()`.

    Returns
    -------
    Delineation
        One row per beat (per given R peak), positions in samples of ``signal``.

    Raises
    ------
    ConfigError
        Unknown method, a signal that is not 1-D, a bad sampling rate, or R peaks that are not
        strictly increasing sample indices inside the signal.
    """
    if method not in METHODS:
        raise unknown_choice("delineation method", method, METHODS)
    cfg = config or WaveletConfig()
    x = check_signal(signal, sampling_rate)
    if r_peaks is None:
        r_peaks = detect_r_peaks(x, sampling_rate, cfg)
    r_peaks = check_r_peaks(r_peaks, x.size)
    rows = [
        delineate_beat(x, int(r), _neighbour(r_peaks, k - 1), _neighbour(r_peaks, k + 1), sampling_rate, cfg)
        for k, r in enumerate(r_peaks)
    ]
    return Delineation.from_array(np.asarray(rows, dtype=np.int64), sampling_rate)


def _neighbour(r_peaks: np.ndarray, k: int) -> int | None:
    return int(r_peaks[k]) if 0 <= k < r_peaks.size else None


def check_signal(signal: np.ndarray, sampling_rate: float) -> np.ndarray:
    """Validate a single-lead signal and its rate; return it as float64."""
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"signal must be one lead (1-D), got shape {x.shape}; pass record.lead('ii') or signal[:, k]")
    if not (MIN_SAMPLING_RATE_HZ <= float(sampling_rate) <= MAX_SAMPLING_RATE_HZ):
        raise ConfigError(
            f"sampling_rate must be {MIN_SAMPLING_RATE_HZ:g}-{MAX_SAMPLING_RATE_HZ:g} Hz, got {sampling_rate!r}"
        )
    return x


def check_r_peaks(r_peaks: np.ndarray, n_samples: int | None) -> np.ndarray:
    """Validate R-peak positions (integers, strictly increasing, inside the signal); return int64."""
    r = np.asarray(r_peaks)
    if r.ndim != 1 or (r.size and not np.all(np.equal(np.mod(r, 1), 0))):
        raise ConfigError(f"r_peaks must be a 1-D array of sample indices, got shape {r.shape} dtype {r.dtype}")
    r = r.astype(np.int64)
    if r.size and np.any(np.diff(r) <= 0):
        raise ConfigError("r_peaks must be strictly increasing (sort them and drop duplicates)")
    if r.size and (r[0] < 0 or (n_samples is not None and r[-1] >= n_samples)):
        raise ConfigError(f"r_peaks must lie in 0..{n_samples}-1 (samples of the signal), got {r[0]}..{r[-1]}")
    return r


# --------------------------------------------------------------------------------------------
# One beat


def beat_window(r: int, sampling_rate: float, cfg: WaveletConfig, n_samples: int) -> tuple[int, int]:
    """Return the ``[start, stop)`` samples a beat at ``r`` is analysed in (clipped to the signal)."""
    before = int(round(cfg.context_before_s * sampling_rate))
    after = int(round(cfg.context_after_s * sampling_rate))
    return max(0, r - before), min(n_samples, r + after + 1)


def delineate_beat(
    signal: np.ndarray,
    r: int,
    prev_r: int | None,
    next_r: int | None,
    sampling_rate: float,
    cfg: WaveletConfig,
    offset: int = 0,
) -> np.ndarray:
    """Delineate one beat; return its 9 fiducials (absolute samples, -1 where absent).

    ``signal[i]`` is sample ``offset + i`` of the recording; it must cover :func:`beat_window`
    (``n_samples`` is taken as ``offset + len(signal)``). ``next_r`` is used only if it lies inside
    the window, so the result depends on nothing a streaming delineator cannot know once the
    window has arrived.
    """
    start, stop = beat_window(r, sampling_rate, cfg, offset + signal.size)
    raw = signal[start - offset : stop - offset]
    if next_r is not None and next_r >= stop:
        next_r = None
    result = np.full(len(FIDUCIALS), -1, dtype=np.int64)
    result[FIDUCIALS.index("r_peak")] = r
    finite = np.isfinite(raw)
    if finite.sum() < max(2, cfg.min_valid_fraction * raw.size):
        return result
    x = raw if finite.all() else np.interp(np.arange(raw.size), np.flatnonzero(finite), raw[finite])
    up, down = resampling_ratio(sampling_rate, ANALYSIS_RATE_HZ)
    xa = resample_poly(x, up, down, padtype="line") if up != down else x
    fa = sampling_rate * up / down
    w = quadratic_spline_wt(xa, n_scales=5)

    def to_analysis(sample: float) -> float:
        return (sample - start) * up / down

    positions = _delineate_scales(
        w,
        fa,
        to_analysis(r),
        None if prev_r is None else to_analysis(prev_r),
        None if next_r is None else to_analysis(next_r),
        cfg,
    )
    for name, pos in positions.items():
        if np.isfinite(pos):
            sample = int(round(start + (pos + HALF_SAMPLE_OFFSET) * down / up))
            if start <= sample < stop and finite[sample - start]:
                result[FIDUCIALS.index(name)] = sample
    return result


def _delineate_scales(
    w: np.ndarray, fa: float, r: float, prev_r: float | None, next_r: float | None, cfg: WaveletConfig
) -> dict[str, float]:
    """Find fiducials (fractional indices of ``w``) in a beat window's wavelet transform at ``fa`` Hz."""
    out: dict[str, float] = {}
    rr = (r - prev_r) if prev_r is not None else (next_r - r) if next_r is not None else cfg.default_rr_s * fa
    qrs = _qrs(w[1], fa, r, prev_r, next_r, cfg)
    if qrs is None:
        return out
    out.update(qrs_on=qrs[0], r_peak=qrs[1], qrs_off=qrs[2])
    qrs_on = qrs[0] if np.isfinite(qrs[0]) else r - 0.05 * fa
    qrs_off = qrs[2] if np.isfinite(qrs[2]) else r + 0.05 * fa

    t_lo = max(r + cfg.t_window_start_s * fa, qrs_off)
    t_hi = r + min(cfg.t_window_end_s * fa, cfg.t_window_rr_fraction * rr)
    if next_r is not None:
        t_hi = min(t_hi, next_r - cfg.qrs_search_s * fa)
    for scale in (3, 4):  # 2^4, then 2^5 (Martínez: T missed at 2^4 is looked for at 2^5)
        t = _wave(w[scale], fa, t_lo, t_hi, cfg.min_t_slope_mv_per_s, 2 ** (scale + 1), cfg.t_onset_ratio,
                  cfg.t_offset_ratio, cfg.t_boundary_search_s, cfg)  # fmt: skip
        if t is not None:
            out.update(t_on=t[0], t_peak=t[1], t_off=t[2])
            break

    p_hi = qrs_on
    p_lo = qrs_on - cfg.p_window_s * fa
    if prev_r is not None:
        p_lo = max(p_lo, prev_r + cfg.p_window_rr_fraction * rr)
    p = _wave(w[3], fa, p_lo, p_hi, cfg.min_p_slope_mv_per_s, 2**4, cfg.p_onset_ratio, cfg.p_offset_ratio,
              cfg.p_boundary_search_s, cfg)  # fmt: skip
    if p is not None:
        out.update(p_on=p[0], p_peak=p[1], p_off=p[2])
    return out


def _slope_floor(mv_per_s: float, scale: int, fa: float) -> float:
    """Wavelet modulus at scale ``scale`` (2^k) of a ramp of ``mv_per_s``: W ≈ scale × slope per sample."""
    return mv_per_s * scale / fa


def _qrs(w2: np.ndarray, fa: float, r: float, prev_r: float | None, next_r: float | None, cfg: WaveletConfig):
    """QRS onset, main peak and offset at scale 2^2; None when no QRS slope is found."""
    lo, hi = r - cfg.qrs_search_s * fa, r + cfg.qrs_search_s * fa
    if prev_r is not None:
        lo = max(lo, (prev_r + r) / 2)
    if next_r is not None:
        hi = min(hi, (r + next_r) / 2)
    maxima = _modulus_maxima(w2, lo, hi)
    if maxima.size == 0:
        return None
    mag = np.abs(w2[maxima])
    largest = int(np.argmax(mag))
    if mag[largest] < _slope_floor(cfg.min_qrs_slope_mv_per_s, 4, fa):
        return None
    ratio = np.where(np.arange(maxima.size) < largest, cfg.qrs_significance_before, cfg.qrs_significance_after)
    significant = _contiguous(
        maxima[mag >= ratio * mag[largest]], int(maxima[largest]), cfg.qrs_max_slope_gap_s[0] * fa, cfg.qrs_max_slope_gap_s[1] * fa
    )
    first, last = int(significant[0]), int(significant[-1])
    peak = _main_zero_crossing(w2, significant)
    on_ratio = cfg.qrs_onset_ratio[0] if w2[first] > 0 else cfg.qrs_onset_ratio[1]
    off_ratio = cfg.qrs_offset_ratio[0] if w2[last] > 0 else cfg.qrs_offset_ratio[1]
    reach = cfg.qrs_boundary_search_s * fa
    onset = _boundary(w2, first, -1, on_ratio, reach)
    offset = _boundary(w2, last, +1, off_ratio, reach)
    return onset, peak, offset


def _wave(w: np.ndarray, fa: float, lo: float, hi: float, min_slope: float, scale: int, on_ratio: float,
          off_ratio: float, boundary_s: float, cfg: WaveletConfig):  # fmt: skip
    """A P or T wave in ``[lo, hi]``: (onset, peak, offset) or None when no pair of slopes is significant."""
    if hi - lo < 2:
        return None
    maxima = _collapse_same_sign(w, _modulus_maxima(w, lo, hi))
    if maxima.size < 2:
        return None
    window = w[int(np.ceil(max(lo, 0))) : int(np.floor(hi)) + 1]
    floor = max(_slope_floor(min_slope, scale, fa), cfg.wave_significance_rms * float(np.sqrt(np.mean(window**2))))
    mag = np.abs(w[maxima])
    score = np.where((mag[:-1] >= floor) & (mag[1:] >= floor), mag[:-1] + mag[1:], -1.0)
    best = int(np.argmax(score))
    if score[best] < 0:
        return None
    first, last = int(maxima[best]), int(maxima[best + 1])
    peak = _zero_crossing(w, first, last)
    reach = boundary_s * fa
    return _boundary(w, first, -1, on_ratio, reach), peak, _boundary(w, last, +1, off_ratio, reach)


# --------------------------------------------------------------------------------------------
# Modulus-maxima helpers (indices into one scale of the transform)


def _modulus_maxima(w: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Indices in ``[lo, hi]`` where ``|w|`` has a strict local maximum (plateaus count once)."""
    i = np.arange(max(int(np.ceil(lo)), 1), min(int(np.floor(hi)), w.size - 2) + 1)
    if i.size == 0:
        return i
    a = np.abs(w)
    return i[(a[i] >= a[i - 1]) & (a[i] > a[i + 1]) & (a[i] > 0)]


def _contiguous(maxima: np.ndarray, centre: int, gap_before: float, gap_after: float) -> np.ndarray:
    """The run of ``maxima`` around ``centre`` whose neighbours are at most ``gap_before``/``gap_after`` samples apart."""
    k = int(np.searchsorted(maxima, centre))
    lo, hi = k, k
    while lo > 0 and maxima[lo] - maxima[lo - 1] <= gap_before:
        lo -= 1
    while hi < maxima.size - 1 and maxima[hi + 1] - maxima[hi] <= gap_after:
        hi += 1
    return maxima[lo : hi + 1]


def _collapse_same_sign(w: np.ndarray, maxima: np.ndarray) -> np.ndarray:
    """Keep only the largest of consecutive maxima of the same sign (one slope, one maximum)."""
    if maxima.size < 2:
        return maxima
    sign = np.sign(w[maxima])
    run = np.concatenate([[0], np.cumsum(sign[1:] != sign[:-1])])
    keep = [maxima[run == k][np.argmax(np.abs(w[maxima[run == k]]))] for k in range(run[-1] + 1)]
    return np.asarray(keep, dtype=np.int64)


def _main_zero_crossing(w: np.ndarray, maxima: np.ndarray) -> float:
    """Zero crossing between the adjacent opposite-sign maxima pair with the largest summed modulus."""
    pairs = _collapse_same_sign(w, maxima)
    if pairs.size < 2:
        return float(pairs[0])
    mag = np.abs(w[pairs])
    best = int(np.argmax(mag[:-1] + mag[1:]))
    return _zero_crossing(w, int(pairs[best]), int(pairs[best + 1]))


def _zero_crossing(w: np.ndarray, a: int, b: int) -> float:
    """Fractional index of the first sign change of ``w`` between indices ``a < b`` (linear interpolation)."""
    seg = w[a : b + 1]
    change = np.flatnonzero(np.sign(seg[:-1]) != np.sign(seg[1:]))
    if change.size == 0:
        return float(a + np.argmin(np.abs(seg)))
    i = int(change[0])
    return a + i + float(seg[i] / (seg[i] - seg[i + 1])) if seg[i] != seg[i + 1] else float(a + i)


def _boundary(w: np.ndarray, start: int, direction: int, ratio: float, reach: float) -> float:
    """Walk from maximum ``start`` in ``direction`` until ``|w|`` drops below ``ratio × |w[start]|``.

    Stops earlier at a local minimum of ``|w|`` (the next wave's slope begins). Returns the
    fractional index (threshold crossing interpolated linearly), or NaN if neither happens within
    ``reach`` samples or before the edge.
    """
    a = np.abs(w)
    threshold = ratio * a[start]
    steps = int(np.floor(reach))
    for k in range(1, steps + 1):
        i = start + direction * k
        if i < 0 or i >= a.size:
            return float("nan")
        if a[i] < threshold:
            prev = i - direction
            frac = (a[prev] - threshold) / (a[prev] - a[i]) if a[prev] != a[i] else 0.0
            return prev + direction * frac
        nxt = i + direction
        if 0 <= nxt < a.size and a[nxt] > a[i]:
            return float(i)
    return float("nan")


# --------------------------------------------------------------------------------------------
# R detection (batch only; the streaming delineator takes beat positions from its caller)


def detect_r_peaks(signal: np.ndarray, sampling_rate: float, config: WaveletConfig | None = None) -> np.ndarray:
    """Locate QRS complexes with the wavelet modulus at scale 2^3 (batch, whole signal).

    A simple detector for when no beat positions are given: local maxima of ``|W(2^3)|`` above
    ``detection_threshold`` × the median of its 2-s maxima and above the minimum QRS slope, at
    least ``detection_refractory_s`` apart. The delineator then refines each position to the QRS
    main peak.

    Parameters
    ----------
    signal : numpy.ndarray
        One lead in mV, NaN allowed (ignored).
    sampling_rate : float
        Hz.

    Returns
    -------
    numpy.ndarray
        Positions (samples, int64, increasing) of the strongest QRS slope of each complex.
    """
    cfg = config or WaveletConfig()
    x = check_signal(signal, sampling_rate)
    finite = np.isfinite(x)
    if finite.sum() < 2:
        return np.zeros(0, np.int64)
    x = np.interp(np.arange(x.size), np.flatnonzero(finite), x[finite])
    up, down = resampling_ratio(sampling_rate, ANALYSIS_RATE_HZ)
    xa = resample_poly(x, up, down, padtype="line") if up != down else x
    fa = sampling_rate * up / down
    env = np.abs(quadratic_spline_wt(xa, n_scales=3)[2])
    block = max(1, int(2.0 * fa))
    n_blocks = max(1, env.size // block)
    block_max = [env[k * block : (k + 1) * block].max() for k in range(n_blocks)] if env.size >= block else [env.max()]
    height = max(cfg.detection_threshold * float(np.median(block_max)), _slope_floor(cfg.min_qrs_slope_mv_per_s, 8, fa))
    peaks, _ = find_peaks(env, height=height, distance=max(1, int(cfg.detection_refractory_s * fa)))
    samples = np.round((peaks + HALF_SAMPLE_OFFSET) * down / up).astype(np.int64)
    samples = samples[(samples >= 0) & (samples < x.size)]
    samples = samples[finite[samples]]
    return np.unique(samples)
