"""RR-irregularity features of a short beat sequence, for atrial fibrillation and tachycardia detection.

Everything is computed from the RR intervals (seconds) of a short window (a few seconds to a
minute): heart rate, RR variability (RMSSD, pNN50, ΔRR spread), the turning-point ratio and the
coefficient of sample entropy (COSEn) of Lake & Moorman, which was designed for 12-16-beat AF
detection. Undefined figures (too few beats) are NaN, never 0, so a classifier can tell
"regular" from "unknown" (scikit-learn's histogram gradient boosting takes NaN natively).

References
----------
Lake DE, Moorman JR. Accurate estimation of entropy in very short physiological time series: the
problem of atrial fibrillation detection in implanted ventricular devices. Am J Physiol Heart Circ
Physiol 300(1):H319-H325 (2011) (COSEn, r = 30 ms, m = 1).
Richman JS, Moorman JR. Physiological time-series analysis using approximate entropy and sample
entropy. Am J Physiol Heart Circ Physiol 278(6):H2039-H2049 (2000) (sample entropy).
Dash S, Chon KH, Lu S, Raeder EA. Automatic real time detection of atrial fibrillation. Ann Biomed
Eng 37(9):1701-1709 (2009) (turning-point ratio, RMSSD for AF).
Task Force of the ESC and NASPE. Heart rate variability: standards of measurement. Circulation
93(5):1043-1065 (1996) (RMSSD, pNN50).
"""

from __future__ import annotations

import math

import numpy as np

from ecgbench.errors import ConfigError

#: Tolerance of the COSEn template match (seconds), Lake & Moorman (2011).
COSEN_TOLERANCE_S = 0.030
#: Template length of the COSEn sample entropy (beats), Lake & Moorman (2011).
COSEN_TEMPLATE = 1
#: Successive-difference threshold of pNN50 (seconds).
PNN_THRESHOLD_S = 0.050
#: Physiological RR range kept (seconds): 300 bpm .. 20 bpm; others are detection errors.
RR_RANGE_S = (0.2, 3.0)

#: Feature names, in the order of :func:`rr_irregularity_features`.
FEATURE_NAMES: tuple[str, ...] = (
    "n_beats",        # number of beats in the window
    "hr_mean_bpm",    # 60 / mean RR
    "hr_max_bpm",     # 60 / shortest RR
    "rr_median_s",
    "rr_cv",          # std(RR) / mean(RR)
    "rmssd_s",        # root mean square of successive differences
    "rmssd_norm",     # RMSSD / mean RR
    "pnn50",          # share of |ΔRR| > 50 ms (0..1)
    "drr_mad_norm",   # median |ΔRR - median ΔRR| / median RR
    "drr_range_norm", # (max - min ΔRR) / median RR
    "tpr",            # turning-point ratio (≈ 2/3 for a random series)
    "cosen",          # coefficient of sample entropy
    "sampen",         # sample entropy of the RR series (m = 1, r = 30 ms)
)  # fmt: skip


def rr_intervals(beat_samples: np.ndarray, sampling_rate: float) -> np.ndarray:
    """Return the RR intervals (seconds) between successive beats, dropping non-physiological ones.

    Parameters
    ----------
    beat_samples : numpy.ndarray
        Beat positions (samples), any order.
    sampling_rate : float
        Hz.
    """
    if sampling_rate <= 0:
        raise ConfigError(f"sampling_rate must be > 0 Hz (got {sampling_rate})")
    beats = np.sort(np.asarray(beat_samples, dtype=np.float64))
    rr = np.diff(beats) / float(sampling_rate)
    return rr[(rr >= RR_RANGE_S[0]) & (rr <= RR_RANGE_S[1])]


def sample_entropy(rr: np.ndarray, tolerance: float = COSEN_TOLERANCE_S, template: int = COSEN_TEMPLATE) -> float:
    """Sample entropy SampEn(m, r) of a short series (Richman & Moorman 2000).

    Counts template pairs of length ``m`` (B) and ``m + 1`` (A) within ``tolerance`` (Chebyshev
    distance, self-matches excluded) and returns ``-ln(A / B)``. With no ``m + 1`` match the value
    is bounded by ``ln(B)`` (i.e. ``A`` taken as 1), the convention of Lake & Moorman for very short
    series; with no ``m`` match (or fewer than ``m + 2`` values) it is NaN.

    Parameters
    ----------
    rr : numpy.ndarray
        Series (seconds for RR intervals).
    tolerance : float
        Match tolerance r, in the unit of ``rr``.
    template : int
        Template length m (beats).
    """
    x = np.asarray(rr, dtype=np.float64)
    n = x.size - template  # number of templates compared, same for both lengths
    if n < 2:
        return math.nan
    # our own: pairwise over at most ~100 beats is cheaper than any library call here
    short = np.lib.stride_tricks.sliding_window_view(x, template)[:n]
    long = np.lib.stride_tricks.sliding_window_view(x, template + 1)[:n]
    upper = np.triu_indices(n, k=1)
    matches_b = int(np.sum(np.max(np.abs(short[:, None, :] - short[None, :, :]), axis=2)[upper] <= tolerance))
    matches_a = int(np.sum(np.max(np.abs(long[:, None, :] - long[None, :, :]), axis=2)[upper] <= tolerance))
    if matches_b == 0:
        return math.nan
    return -math.log(max(matches_a, 1) / matches_b)


def coefficient_of_sample_entropy(rr: np.ndarray, tolerance: float = COSEN_TOLERANCE_S) -> float:
    """COSEn = SampEn + ln(2r) − ln(mean RR), RR and r in seconds (Lake & Moorman 2011).

    Higher for irregular (AF) rhythms; the ``− ln(mean RR)`` term also separates fast from slow
    rhythms. NaN when the sample entropy is undefined.
    """
    x = np.asarray(rr, dtype=np.float64)
    entropy = sample_entropy(x, tolerance)
    if math.isnan(entropy) or x.size == 0:
        return math.nan
    return entropy + math.log(2.0 * tolerance) - math.log(float(np.mean(x)))


def turning_point_ratio(rr: np.ndarray) -> float:
    """Share of inner points that are local extrema (strict); NaN with fewer than 3 intervals."""
    x = np.asarray(rr, dtype=np.float64)
    if x.size < 3:
        return math.nan
    left, mid, right = x[:-2], x[1:-1], x[2:]
    turning = ((mid > left) & (mid > right)) | ((mid < left) & (mid < right))
    return float(np.mean(turning))


def rr_irregularity_features(rr: np.ndarray) -> np.ndarray:
    """Return the :data:`FEATURE_NAMES` features of one window's RR intervals.

    Parameters
    ----------
    rr : numpy.ndarray
        RR intervals of the window (seconds), in time order (see :func:`rr_intervals`).

    Returns
    -------
    numpy.ndarray
        float64 ``[len(FEATURE_NAMES)]``; NaN where a figure needs more intervals than there are.
    """
    x = np.asarray(rr, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"rr must be a 1-D array of intervals in seconds, got shape {x.shape}")
    x = x[np.isfinite(x)]
    nan = math.nan
    features = dict.fromkeys(FEATURE_NAMES, nan)
    features["n_beats"] = float(x.size + 1) if x.size else 0.0
    if x.size >= 1:
        mean, median = float(np.mean(x)), float(np.median(x))
        features.update(hr_mean_bpm=60.0 / mean, hr_max_bpm=60.0 / float(np.min(x)), rr_median_s=median)
    if x.size >= 2:
        diff = np.diff(x)
        rmssd = float(np.sqrt(np.mean(diff**2)))
        features.update(
            rr_cv=float(np.std(x)) / mean,
            rmssd_s=rmssd,
            rmssd_norm=rmssd / mean,
            pnn50=float(np.mean(np.abs(diff) > PNN_THRESHOLD_S)),
            drr_mad_norm=float(np.median(np.abs(diff - np.median(diff)))) / median,
            drr_range_norm=float(np.ptp(diff)) / median,
        )
    features["tpr"] = turning_point_ratio(x)
    features["sampen"] = sample_entropy(x)
    features["cosen"] = coefficient_of_sample_entropy(x)
    return np.array([features[name] for name in FEATURE_NAMES], dtype=np.float64)
