"""Signal-to-noise ratio of a digitised lead, as scored by the PhysioNet Challenge 2024.

SNR = 10 log10(Σ signal² / Σ (signal − digitised)²) per lead, after the digitised lead is shifted
in time and offset vertically to best match the reference. The Challenge's scorer
(``evaluate_model.py``) accepts a shift only when it is at most ``round(0.5 · fs)`` samples in time
and 1 mV vertically, and otherwise scores the unshifted signal; NaN samples in the digitised signal
count as 0; the digitised signal is truncated or zero-padded to the reference's length.

Here the time shift maximises the cross-correlation of the mean-removed leads and the vertical
offset is the mean difference over the samples both cover (the least-squares optimum), which is
the alignment the Challenge describes; our search is exhaustive over integer lags.

References
----------
Reyna MA, Deepanshi, Weigle J, et al. Digitization and Classification of ECG Images: The George B.
Moody PhysioNet Challenge 2024. Computing in Cardiology 51 (2024).
https://github.com/physionetchallenges/evaluation-2024 (``evaluate_model.py``, ``helper_code.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import correlate

MAX_SHIFT_S = 0.5
MAX_OFFSET_MV = 1.0


@dataclass(frozen=True)
class Alignment:
    """Shift applied to a digitised lead: ``lag`` samples (positive: digitised was late) and ``offset`` mV added."""

    lag: int
    offset: float


def align(reference: np.ndarray, digitized: np.ndarray, sampling_rate: float) -> tuple[np.ndarray, Alignment]:
    """Shift ``digitized`` in time and level to best match ``reference`` (both 1-D, mV).

    Returns the aligned lead (the reference's length, NaN as 0) and the alignment used; a shift
    beyond the Challenge's limits (0.5 s, 1 mV) is not applied.
    """
    ref = np.nan_to_num(np.asarray(reference, dtype=np.float64))
    est = _fit_length(np.nan_to_num(np.asarray(digitized, dtype=np.float64)), ref.size)
    max_lag = int(round(MAX_SHIFT_S * sampling_rate))
    corr = correlate(est - est.mean(), ref - ref.mean(), mode="full", method="fft")
    lags = np.arange(-ref.size + 1, est.size)
    window = np.abs(lags) <= max_lag
    lag = int(lags[window][np.argmax(corr[window])])
    shifted = _shift(est, lag)
    covered = _shift(np.ones_like(est), lag) > 0
    offset = float(np.mean((ref - shifted)[covered])) if covered.any() else 0.0
    if abs(offset) > MAX_OFFSET_MV:
        return est, Alignment(0, 0.0)
    return np.where(covered, shifted + offset, 0.0), Alignment(lag, offset)


def snr_db(reference: np.ndarray, digitized: np.ndarray) -> float:
    """SNR in dB of ``digitized`` against ``reference`` (1-D, same length, mV); NaN in ``digitized`` counts as 0."""
    ref = np.asarray(reference, dtype=np.float64)
    est = np.nan_to_num(np.asarray(digitized, dtype=np.float64))
    keep = np.isfinite(ref)
    signal_power = float(np.sum(ref[keep] ** 2))
    noise_power = float(np.sum((est[keep] - ref[keep]) ** 2))
    if signal_power == 0:
        return float("nan")
    return float("inf") if noise_power == 0 else 10.0 * np.log10(signal_power / noise_power)


def aligned_snr(reference: np.ndarray, digitized: np.ndarray, sampling_rate: float) -> tuple[float, Alignment]:
    """Challenge-2024 SNR of one lead after alignment; returns (SNR in dB, alignment)."""
    aligned, alignment = align(reference, digitized, sampling_rate)
    return snr_db(reference, aligned), alignment


def _fit_length(x: np.ndarray, n: int) -> np.ndarray:
    return x[:n] if x.size >= n else np.concatenate([x, np.zeros(n - x.size)])


def _shift(x: np.ndarray, lag: int) -> np.ndarray:
    """Move ``x`` earlier by ``lag`` samples (later when negative), zero-filling."""
    out = np.zeros_like(x)
    if lag >= 0:
        out[: x.size - lag] = x[lag:]
    else:
        out[-lag:] = x[: x.size + lag]
    return out
