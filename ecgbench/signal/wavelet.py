"""Undecimated (à trous) dyadic wavelet transform with the quadratic-spline wavelet of Martínez et al.

The wavelet is the derivative of a cubic-spline smoothing function, so the transform at scale
:math:`2^k` is proportional to the derivative of the ECG smoothed at that scale: a wave's peak is a
zero crossing and its onset/offset lie where the slope's modulus fades (Mallat & Zhong 1992). The
filters are those of Martínez et al. (2004, eq. 1): low-pass ``h = [1, 3, 3, 1] / 8`` and high-pass
``g = [2, -2]``, dilated by inserting :math:`2^{k-1} - 1` zeros at level :math:`k` ("à trous").
The scales are meant for a signal sampled at :data:`ANALYSIS_RATE_HZ` (250 Hz); resample first.

Why our own code: scipy has no undecimated dyadic transform, and PyWavelets (not a dependency)
has no quadratic-spline wavelet and needs lengths divisible by :math:`2^K`. Both filters have two or
four taps, so each level is a few shifted additions, vectorised over any leading axes (a stack
of beat windows is transformed in one call).

References
----------
Mallat S, Zhong S. Characterization of signals from multiscale edges. IEEE Trans Pattern Anal Mach
Intell 14(7):710-732 (1992).
Martínez JP, Almeida R, Olmos S, Rocha AP, Laguna P. A wavelet-based ECG delineator: evaluation on
standard databases. IEEE Trans Biomed Eng 51(4):570-581 (2004).
"""

from __future__ import annotations

import numpy as np

#: Sampling rate (Hz) for which the dyadic scales 2^1..2^5 have the band-passes Martínez et al. used.
ANALYSIS_RATE_HZ = 250.0
#: Index ``n`` of every scale of :func:`quadratic_spline_wt` describes the signal at time ``n + 0.5``
#: samples: the two-tap high-pass filter is a forward difference, centred between two samples.
HALF_SAMPLE_OFFSET = 0.5

_LOWPASS = (1 / 8, 3 / 8, 3 / 8, 1 / 8)  # taps at offsets -2, -1, 0, +1 (times the dilation)
_LOWPASS_OFFSETS = (-2, -1, 0, 1)


def _shifted(a: np.ndarray, k: int) -> np.ndarray:
    """Return ``b`` with ``b[..., n] = a[..., n + k]``, zero where ``n + k`` falls outside."""
    if k == 0:
        return a
    out = np.zeros_like(a)
    if k > 0:
        out[..., :-k] = a[..., k:]
    else:
        out[..., -k:] = a[..., :k]
    return out


def quadratic_spline_wt(x: np.ndarray, n_scales: int = 5) -> np.ndarray:
    """Dyadic wavelet transform of ``x`` at scales ``2^1 .. 2^n_scales`` (à trous, undecimated).

    Parameters
    ----------
    x : numpy.ndarray
        Signal(s) along the last axis, float, no NaN (any leading shape: one lead or a stack of
        beat windows). Sampled at :data:`ANALYSIS_RATE_HZ` for Martínez's scales.
    n_scales : int
        Number of dyadic scales ``K`` (1-8).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_scales,) + x.shape``; ``w[k - 1]`` is the transform at scale ``2^k`` in the
        units of ``x`` per sample. All scales are time-aligned: index ``n`` describes time
        ``n + HALF_SAMPLE_OFFSET``. The signal is extended symmetrically at both ends, so values
        within about ``1.5 * 2^K`` samples of an edge are less reliable.
    """
    if not 1 <= n_scales <= 8:
        raise ValueError(f"n_scales must be 1-8, got {n_scales}")
    x = np.asarray(x, dtype=np.float64)
    pad = 2 ** (n_scales + 1)
    widths = [(0, 0)] * (x.ndim - 1) + [(pad, pad)]
    approx = np.pad(x, widths, mode="symmetric" if x.shape[-1] > 1 else "edge")
    out = np.empty((n_scales,) + x.shape, dtype=np.float64)
    for level in range(1, n_scales + 1):
        dilation = 2 ** (level - 1)
        # High-pass g = [2, -2] at offsets (-1, 0): W[n] = 2 (a[n + d] - a[n]), the slope at n + d/2.
        detail = 2.0 * (_shifted(approx, dilation) - approx)
        # Re-centre so index n is time n + 0.5 at every scale (the level-k response is centred at
        # n + 2^(k-1) - 0.5, see module docstring); the shift is exact because it is an integer.
        detail = _shifted(detail, 1 - dilation)
        out[level - 1] = detail[..., pad:-pad]
        if level < n_scales:
            approx = sum(c * _shifted(approx, -o * dilation) for c, o in zip(_LOWPASS, _LOWPASS_OFFSETS))
    return out
