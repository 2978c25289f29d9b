"""Per-beat features as named arrays with units: RR intervals, intervals from delineation, amplitudes.

RR features are computed here from R-peak positions. QRS width, PR, QT and QTc need wave boundaries:
pass them as ``fiducials`` (a mapping of names to sample arrays, one value per beat, NaN or a
negative value where a wave was not found), so any delineator (``ecgbench.signal.delineation`` or
a reference annotation) can be wired in. Missing inputs give NaN features, never an error.

The local and average RR are causal (only beats up to the current one), as a streaming classifier
needs: ``rr_local`` is the mean of the last ``local_beats`` RR intervals and ``rr_average`` the mean
of the RR intervals ending in the last ``average_s`` seconds (de Chazal et al. 2004 use 10 beats
and 5 minutes). ``rr_next`` is by nature known only one beat later.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
Bazett HC. An analysis of the time-relations of electrocardiograms. Heart 7:353-370 (1920).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError

#: Fiducial names understood by :func:`beat_features` (samples, one per beat).
FIDUCIAL_NAMES = ("p_onset", "p_peak", "qrs_onset", "qrs_offset", "t_peak", "t_offset")
RR_UNITS = {
    "rr_prev": "s", "rr_next": "s", "rr_local": "s", "rr_average": "s",
    "rr_prev_to_local": "1", "rr_prev_to_average": "1", "rr_next_to_prev": "1",
}  # fmt: skip
WAVE_UNITS = {
    "qrs_width": "s", "pr_interval": "s", "qt_interval": "s", "qtc_bazett": "s",
    "r_amplitude": "mV", "qrs_peak_to_peak": "mV", "p_amplitude": "mV", "t_amplitude": "mV",
}  # fmt: skip
QRS_HALF_WINDOW_S = 0.06  # half width (s) of the window for the peak-to-peak amplitude without delineation


@dataclass(frozen=True)
class BeatFeatures:
    """Named per-beat feature arrays (float64, one value per beat, NaN where undefined) and their units."""

    values: dict[str, np.ndarray]
    units: dict[str, str]

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.values:
            raise KeyError(f"no feature {name!r}; features: {', '.join(self.values)}")
        return self.values[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Feature names in a stable order."""
        return tuple(self.values)

    def matrix(self, names: tuple[str, ...] | list[str] | None = None) -> np.ndarray:
        """Stack features into a ``beats × features`` array (columns in ``names`` order)."""
        names = tuple(names) if names is not None else self.names
        return np.stack([self[n] for n in names], axis=1) if names else np.zeros((0, 0))


def _peaks(peaks: np.ndarray) -> np.ndarray:
    p = np.asarray(peaks)
    if p.ndim != 1:
        raise ConfigError(f"peaks must be a 1-D array of sample indices, got shape {p.shape}")
    if p.size > 1 and np.any(np.diff(p) <= 0):
        raise ConfigError("peaks must be strictly increasing sample indices; sort them and drop duplicates")
    return p.astype(np.float64)


def _rate(sampling_rate: float) -> float:
    fs = float(sampling_rate)
    if not np.isfinite(fs) or fs <= 0:
        raise ConfigError(f"sampling_rate must be a positive number of Hz, got {sampling_rate!r}")
    return fs


def rr_features(
    peaks: np.ndarray,
    sampling_rate: float,
    local_beats: int = 10,
    average_s: float = 300.0,
) -> BeatFeatures:
    """RR-interval features of every beat.

    Parameters
    ----------
    peaks : numpy.ndarray
        R-peak positions in samples, strictly increasing.
    sampling_rate : float
        Hz.
    local_beats : int
        Number of RR intervals averaged for ``rr_local`` (causal).
    average_s : float
        Window in seconds for ``rr_average`` (causal).

    Returns
    -------
    BeatFeatures
        ``rr_prev``, ``rr_next``, ``rr_local``, ``rr_average`` (s) and the ratios
        ``rr_prev_to_local``, ``rr_prev_to_average``, ``rr_next_to_prev`` (unitless).
    """
    fs = _rate(sampling_rate)
    p = _peaks(peaks)
    if local_beats < 1 or average_s <= 0:
        raise ConfigError("local_beats must be >= 1 and average_s > 0 s")
    if p.size == 0:
        return BeatFeatures(values={k: np.zeros(0) for k in RR_UNITS}, units=dict(RR_UNITS))
    rr = np.diff(p) / fs
    rr_prev = np.concatenate([[np.nan], rr])
    rr_next = np.concatenate([rr, [np.nan]])
    # Causal running means over the finite rr_prev values (cumulative sums; O(n)).
    valid = np.isfinite(rr_prev)
    csum = np.concatenate([[0.0], np.cumsum(np.where(valid, rr_prev, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(valid)])
    idx = np.arange(p.size)
    start_local = np.maximum(idx + 1 - local_beats, 0)
    start_avg = np.searchsorted(p, p - average_s * fs, side="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        rr_local = (csum[idx + 1] - csum[start_local]) / (ccount[idx + 1] - ccount[start_local])
        rr_average = (csum[idx + 1] - csum[start_avg]) / (ccount[idx + 1] - ccount[start_avg])
        values = {
            "rr_prev": rr_prev,
            "rr_next": rr_next,
            "rr_local": rr_local,
            "rr_average": rr_average,
            "rr_prev_to_local": rr_prev / rr_local,
            "rr_prev_to_average": rr_prev / rr_average,
            "rr_next_to_prev": rr_next / rr_prev,
        }
    return BeatFeatures(values={k: np.asarray(v, np.float64) for k, v in values.items()}, units=dict(RR_UNITS))


def _fiducial(fiducials: Mapping[str, np.ndarray], name: str, n_beats: int) -> np.ndarray:
    if name not in fiducials:
        return np.full(n_beats, np.nan)
    arr = np.asarray(fiducials[name], dtype=np.float64)
    if arr.shape != (n_beats,):
        raise ConfigError(f"fiducials[{name!r}] has shape {arr.shape}; expected one value per beat ({n_beats},)")
    return np.where(arr >= 0, arr, np.nan)


def _sample_at(signal: np.ndarray, positions: np.ndarray) -> np.ndarray:
    out = np.full(positions.shape, np.nan)
    ok = np.isfinite(positions) & (positions >= 0) & (positions < signal.size)
    out[ok] = signal[positions[ok].astype(np.int64)]
    return out


def beat_features(
    signal: np.ndarray,
    peaks: np.ndarray,
    sampling_rate: float,
    fiducials: Mapping[str, np.ndarray] | None = None,
) -> BeatFeatures:
    """RR, interval and amplitude features of every beat.

    Parameters
    ----------
    signal : numpy.ndarray
        One lead (mV), baseline removed (e.g. :func:`ecgbench.signal.clean`).
    peaks : numpy.ndarray
        R-peak positions (samples), strictly increasing.
    sampling_rate : float
        Hz.
    fiducials : mapping of str to numpy.ndarray, optional
        Wave boundaries in samples, one per beat (names in :data:`FIDUCIAL_NAMES`); NaN or negative
        for "not found". Missing names give NaN features.

    Returns
    -------
    BeatFeatures
        The :func:`rr_features` plus ``qrs_width``, ``pr_interval`` (P onset to QRS onset),
        ``qt_interval`` (QRS onset to T offset), ``qtc_bazett`` (QT / sqrt(RR_prev in s)) in seconds,
        and ``r_amplitude``, ``qrs_peak_to_peak``, ``p_amplitude``, ``t_amplitude`` in mV.
    """
    fs = _rate(sampling_rate)
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"signal must be one lead (1-D array of samples), got shape {x.shape}")
    p = _peaks(peaks)
    rr = rr_features(peaks, fs)
    fid = {name: _fiducial(fiducials or {}, name, p.size) for name in FIDUCIAL_NAMES}
    half = int(round(QRS_HALF_WINDOW_S * fs))
    lo = np.where(np.isfinite(fid["qrs_onset"]), fid["qrs_onset"], p - half)
    hi = np.where(np.isfinite(fid["qrs_offset"]), fid["qrs_offset"], p + half)
    peak_to_peak = np.full(p.size, np.nan)
    for k in range(p.size):  # one slice per beat (~1 per second of signal)
        a, b = int(max(lo[k], 0)), int(min(hi[k], x.size - 1)) + 1
        if b > a:
            peak_to_peak[k] = np.nanmax(x[a:b]) - np.nanmin(x[a:b]) if np.isfinite(x[a:b]).any() else np.nan
    with np.errstate(invalid="ignore"):
        qt = (fid["t_offset"] - fid["qrs_onset"]) / fs
        values = {
            "qrs_width": (fid["qrs_offset"] - fid["qrs_onset"]) / fs,
            "pr_interval": (fid["qrs_onset"] - fid["p_onset"]) / fs,
            "qt_interval": qt,
            "qtc_bazett": qt / np.sqrt(rr["rr_prev"]),
            "r_amplitude": _sample_at(x, p),
            "qrs_peak_to_peak": peak_to_peak,
            "p_amplitude": _sample_at(x, fid["p_peak"]),
            "t_amplitude": _sample_at(x, fid["t_peak"]),
        }
    return BeatFeatures(values={**rr.values, **values}, units={**rr.units, **WAVE_UNITS})
