"""Amplitude normalisation of ECG signals and beat windows.

* :class:`ZScore` learns mean and standard deviation from training data only (:meth:`ZScore.fit`)
  and applies them to anything else (:meth:`ZScore.transform`), so test statistics never leak.
* :func:`zscore_per_beat` standardises each beat window by its own statistics.
* :func:`robust_normalize` centres on the median and scales by the MAD (robust to QRS spikes and
  artefacts).

Non-finite samples are ignored by every statistic and stay non-finite in the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError

#: Scale factor making the MAD a consistent estimator of the standard deviation of Gaussian data.
MAD_TO_STD = 1.4826
#: Scales (mV) at or below this are treated as zero and replaced by 1 (a flat lead stays flat, not inf).
MIN_SCALE = 1e-8


def _safe_scale(scale: np.ndarray) -> np.ndarray:
    scale = np.asarray(scale, dtype=np.float64)
    return np.where(np.isfinite(scale) & (scale > MIN_SCALE), scale, 1.0)


@dataclass
class ZScore:
    """Z-score with statistics fitted on training data only.

    Attributes
    ----------
    axis : int or tuple of int or None
        Axes reduced when fitting (``None``: one mean/std for everything; ``0`` on a
        ``samples × leads`` array: one per lead).
    mean_, std_ : numpy.ndarray or None
        Fitted statistics (input units, e.g. mV); ``None`` until :meth:`fit` is called.
    """

    axis: int | tuple[int, ...] | None = None
    mean_: np.ndarray | None = None
    std_: np.ndarray | None = None

    def fit(self, train: np.ndarray) -> ZScore:
        """Learn mean and standard deviation from ``train`` (non-finite values ignored)."""
        x = np.asarray(train, dtype=np.float64)
        if not np.isfinite(x).any():
            raise ConfigError("ZScore.fit: the training data has no finite value; pass real training samples")
        self.mean_ = np.nanmean(np.where(np.isfinite(x), x, np.nan), axis=self.axis, keepdims=True)
        self.std_ = _safe_scale(np.nanstd(np.where(np.isfinite(x), x, np.nan), axis=self.axis, keepdims=True))
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Standardise ``x`` with the fitted statistics."""
        if self.mean_ is None or self.std_ is None:
            raise ConfigError("ZScore.transform called before fit(); fit on the training split first")
        return (np.asarray(x, dtype=np.float64) - self.mean_) / self.std_

    def fit_transform(self, train: np.ndarray) -> np.ndarray:
        """Fit on ``train`` and return it standardised."""
        return self.fit(train).transform(train)


def zscore_per_beat(beats: np.ndarray, axis: int = -1) -> np.ndarray:
    """Standardise every beat window by its own mean and standard deviation along ``axis`` (samples)."""
    x = np.asarray(beats, dtype=np.float64)
    masked = np.where(np.isfinite(x), x, np.nan)
    mean = np.nanmean(masked, axis=axis, keepdims=True) if x.size else masked
    std = _safe_scale(np.nanstd(masked, axis=axis, keepdims=True)) if x.size else masked
    return (x - mean) / std


def robust_normalize(x: np.ndarray, axis: int | None = -1) -> np.ndarray:
    """Centre on the median and divide by ``1.4826 × MAD`` along ``axis`` (robust z-score)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.size == 0:
        return arr.copy()
    masked = np.where(np.isfinite(arr), arr, np.nan)
    median = np.nanmedian(masked, axis=axis, keepdims=True)
    mad = np.nanmedian(np.abs(masked - median), axis=axis, keepdims=True)
    return (arr - median) / _safe_scale(MAD_TO_STD * mad)
