"""Batch QRS detection with a choice of method (NeuroKit2-style dispatch).

``method="ecgbench"`` runs :class:`~ecgbench.signal.qrs_online.OnlineQRSDetector` over the whole
signal in one call, so the batch result is by construction the streaming result. ``"xqrs"``
(wfdb's ``xqrs_detect`` with its default configuration) and ``"neurokit"`` (NeuroKit2's default
pipeline: ``ecg_clean`` then ``ecg_peaks`` with its default method ``"neurokit"``) are the reference
detectors the benchmark compares against; they are imported only when asked for, and non-finite
samples are set to 0 for them (they do not accept NaN).

References
----------
Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng 32(3):230-236 (1985).
Hamilton PS, Tompkins WJ. Quantitative investigation of QRS detection rules using the MIT/BIH
arrhythmia database. IEEE Trans Biomed Eng 33(12):1157-1165 (1986).
Makowski D et al. NeuroKit2: A Python toolbox for neurophysiological signal processing. Behav Res
Methods 53:1689-1696 (2021).
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.signal.qrs_online import OnlineQRSDetector, QRSDetectorConfig

#: Valid ``method`` values of :func:`detect_qrs`.
QRS_METHODS = ("ecgbench", "xqrs", "neurokit")


def detect_qrs(
    signal: np.ndarray,
    sampling_rate: float,
    method: str = "ecgbench",
    config: QRSDetectorConfig | None = None,
) -> np.ndarray:
    """Detect QRS complexes in one ECG lead.

    Parameters
    ----------
    signal : numpy.ndarray
        One lead, samples (mV). NaN/inf stretches are tolerated by ``"ecgbench"``.
    sampling_rate : float
        Sampling frequency in Hz.
    method : {"ecgbench", "xqrs", "neurokit"}
        Detector (see the module docstring).
    config : QRSDetectorConfig, optional
        Parameters of the ``"ecgbench"`` detector.

    Returns
    -------
    numpy.ndarray
        int64 sample indices of the R peaks, sorted.
    """
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"signal must be one lead (1-D array of samples), got shape {x.shape}")
    if method == "ecgbench":
        return _detect_ecgbench(x, sampling_rate, config)
    if method == "xqrs":
        return _detect_xqrs(x, sampling_rate)
    if method == "neurokit":
        return _detect_neurokit(x, sampling_rate)
    raise unknown_choice("QRS method", method, QRS_METHODS)


def _detect_ecgbench(x: np.ndarray, fs: float, config: QRSDetectorConfig | None) -> np.ndarray:
    det = OnlineQRSDetector(fs, config)
    return np.concatenate([det.process(x), det.flush()]).astype(np.int64)


def _detect_xqrs(x: np.ndarray, fs: float) -> np.ndarray:
    import wfdb.processing

    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    peaks = wfdb.processing.xqrs_detect(sig=x, fs=fs, verbose=False)
    return np.sort(np.asarray(peaks, dtype=np.int64))


def _detect_neurokit(x: np.ndarray, fs: float) -> np.ndarray:
    import neurokit2 as nk

    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    _, info = nk.ecg_peaks(nk.ecg_clean(x, sampling_rate=int(round(fs))), sampling_rate=int(round(fs)))
    return np.sort(np.asarray(info["ECG_R_Peaks"], dtype=np.int64))
