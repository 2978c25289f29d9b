"""Published ECG signal-quality indices (SQIs) of one lead over a window.

Each function takes one lead's samples (mV) over one analysis window, or a stack of windows
(``[..., n]``, the last axis is time) and returns one value per window; none needs a QRS template
or training, so they work from the first window of a stream.

``psqi`` — spectral distribution (Li et al. 2008)
    The power in 5-15 Hz over the power in 5-40 Hz. The QRS complex concentrates its power in
    5-15 Hz; broadband noise (muscle artefact, random bytes) spreads it up to 40 Hz and beyond,
    which lowers the ratio.
``bas_sqi`` — relative power in the baseline (Clifford et al. 2012; Behar et al. 2013)
    One minus the power in 0-1 Hz over the power in 0-40 Hz, after removing the window's mean.
    Baseline wander (respiration, electrode motion) puts its power below 1 Hz and lowers it;
    a clean ECG has little power there.
``ksqi`` — kurtosis (Li et al. 2008)
    The (Pearson, non-excess) kurtosis of the samples: a clean ECG, near the baseline most of
    the time with sharp QRS peaks, is strongly super-Gaussian (above 5), Gaussian noise is 3.
    A quasi-sinusoidal rhythm (VT, VF) is sub-Gaussian too, so a low kurtosis is no evidence of
    noise during a ventricular run.
``bsqi`` — beat agreement (Li et al. 2008)
    The share of beats two different QRS detectors agree on in the window: matched beats over
    the beats either found (``N_matched / (N_a + N_b - N_matched)``), matched one to one within
    ``tolerance`` s (150 ms, the EC57 window). Detectors with different principles agree on a
    clean ECG and disagree on noise.

The spectra are Hann-windowed periodograms of the mean-removed window
(:func:`scipy.signal.periodogram`); band edges are inclusive below and exclusive above.

References
----------
Li Q, Mark RG, Clifford GD. Robust heart rate estimation from multiple asynchronous noisy sources
using signal quality indices and a Kalman filter. Physiol Meas 29(1):15-32 (2008) (bSQI, pSQI,
kSQI).
Clifford GD, Behar J, Li Q, Rezek I. Signal quality indices and data fusion for determining
clinical acceptability of electrocardiograms. Physiol Meas 33(9):1419-1433 (2012) (basSQI).
Behar J, Oster J, Li Q, Clifford GD. ECG signal quality during arrhythmia and its application to
false alarm reduction. IEEE Trans Biomed Eng 60(6):1660-1666 (2013) (the same indices during
arrhythmias, VT and VF included).
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError

#: pSQI bands (Hz): QRS band over the ECG band (Li et al. 2008).
PSQI_BANDS: tuple[tuple[float, float], tuple[float, float]] = ((5.0, 15.0), (5.0, 40.0))
#: basSQI bands (Hz): baseline band over the ECG band (Clifford et al. 2012).
BAS_SQI_BANDS: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 1.0), (0.0, 40.0))
#: bSQI match window (s): the EC57 beat-matching window.
BSQI_TOLERANCE_S = 0.15


def band_power_ratio(x: np.ndarray, fs: float, band: tuple[float, float], total: tuple[float, float]) -> np.ndarray:
    """Power in ``band`` over power in ``total`` (Hz) of each window (last axis) of ``x`` (mV).

    Hann-windowed periodogram of the mean-removed window. NaN where the ``total`` band holds no
    power (a flat window) or the window has non-finite samples.

    Parameters
    ----------
    x : numpy.ndarray
        Samples (mV), ``[..., n]``.
    fs : float
        Sampling rate (Hz).
    band, total : tuple of float
        ``(low, high)`` Hz; ``band`` should lie inside ``total``.

    Returns
    -------
    numpy.ndarray or float
        Unitless ratio in [0, 1], one per window.
    """
    from scipy import signal as sps

    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1] < 2:
        raise ConfigError(f"a spectral SQI needs a window of at least 2 samples, got {x.shape[-1]}")
    freqs, power = sps.periodogram(np.nan_to_num(x), fs=fs, window="hann", detrend="constant", axis=-1)
    in_band = (freqs >= band[0]) & (freqs < band[1])
    in_total = (freqs >= total[0]) & (freqs < total[1])
    top = power[..., in_band].sum(axis=-1)
    bottom = power[..., in_total].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)
    ratio = np.where(np.isfinite(x).all(axis=-1), ratio, np.nan)
    return ratio if ratio.ndim else float(ratio)


def psqi(x: np.ndarray, fs: float) -> np.ndarray:
    """pSQI of each window: power in 5-15 Hz over power in 5-40 Hz (unitless; Li et al. 2008)."""
    return band_power_ratio(x, fs, *PSQI_BANDS)


def bas_sqi(x: np.ndarray, fs: float) -> np.ndarray:
    """basSQI of each window: 1 - power in 0-1 Hz over power in 0-40 Hz (unitless; Clifford et al. 2012)."""
    return 1.0 - band_power_ratio(x, fs, *BAS_SQI_BANDS)


def ksqi(x: np.ndarray) -> np.ndarray:
    """kSQI of each window: the Pearson kurtosis of the samples (3 for Gaussian noise; Li et al. 2008)."""
    from scipy import stats

    return stats.kurtosis(np.asarray(x, dtype=np.float64), axis=-1, fisher=True, bias=True) + 3.0


def bsqi(beats_a: np.ndarray, beats_b: np.ndarray, fs: float, tolerance: float = BSQI_TOLERANCE_S) -> float:
    """bSQI: share of beats two QRS detectors agree on (Li et al. 2008).

    Parameters
    ----------
    beats_a, beats_b : numpy.ndarray
        Beat positions (samples) of two detectors over the same window.
    fs : float
        Sampling rate (Hz).
    tolerance : float
        Match window (s); each beat matches at most one beat of the other detector.

    Returns
    -------
    float
        ``N_matched / (N_a + N_b - N_matched)`` in [0, 1]; 1 when neither found a beat.
    """
    a = np.sort(np.asarray(beats_a, dtype=np.int64))
    b = np.sort(np.asarray(beats_b, dtype=np.int64))
    if a.size + b.size == 0:
        return 1.0
    window = tolerance * fs
    i = j = matched = 0
    while i < a.size and j < b.size:  # one-to-one greedy match of two sorted lists
        if abs(a[i] - b[j]) <= window:
            matched += 1
            i += 1
            j += 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return matched / float(a.size + b.size - matched)
