"""Resample a WFDB record and its annotations to another sampling rate (polyphase filter).

Models and windows of ecgbench are defined at MIT-BIH's 360 Hz; SVDB (128 Hz) and VFDB (250 Hz)
are brought to that rate with :func:`scipy.signal.resample_poly` (a zero-phase polyphase FIR
anti-aliasing filter), and every annotation position is converted with the same ratio:
``round(sample · up / down)``, clipped to the resampled record.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.signal import resample_poly

from ecgbench.records.io import Annotations, Record
from ecgbench.signal.resample import resampling_ratio


def resample_record(record: Record, target_fs: float) -> Record:
    """Return ``record`` resampled to ``target_fs`` (Hz); unchanged if it is already at that rate.

    The output has ``ceil(n · up / down)`` samples (float32, same units and leads).
    """
    up, down = resampling_ratio(record.fs, target_fs)
    if up == down:
        return record
    signal = resample_poly(record.signal.astype(np.float64), up, down, axis=0).astype(np.float32)
    return dataclasses.replace(record, signal=signal, fs=float(target_fs))


def resample_annotations(annotations: Annotations, source_fs: float, target_fs: float, n_samples: int) -> Annotations:
    """Convert annotation positions from ``source_fs`` to ``target_fs`` (Hz) with the resampler's ratio.

    Parameters
    ----------
    annotations : Annotations
        Annotations at ``source_fs``.
    source_fs, target_fs : float
        Sampling rates (Hz).
    n_samples : int
        Length of the resampled record (samples); positions are clipped to ``0 … n_samples - 1``.
    """
    up, down = resampling_ratio(source_fs, target_fs)
    sample = np.rint(annotations.sample.astype(np.float64) * up / down).astype(np.int64)
    sample = np.clip(sample, 0, max(int(n_samples) - 1, 0))
    return dataclasses.replace(annotations, sample=sample, fs=float(target_fs))
