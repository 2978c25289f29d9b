"""Beat windows around annotated R peaks and causal RR-interval features (pure NumPy).

The beat track's examples are fixed-length windows centred on each annotated beat, with the RR
features of de Chazal et al. (2004) computed from the annotation positions of *all* beats of the
record (every beat symbol, including Q-class beats and beats a task may later leave out).

RR features, all in seconds, for beat ``i`` at time ``t[i]``:

- ``rr_pre``     ``t[i] - t[i-1]``
- ``rr_post``    ``t[i+1] - t[i]`` (looks one beat ahead, as in de Chazal et al.)
- ``rr_local``   mean of up to the 10 RR intervals ending at beat ``i`` (``t[i-10] … t[i]``)
- ``rr_average`` running mean of every RR interval of the record up to beat ``i`` (causal; de
  Chazal used the whole-record mean, which peeks into the future)

Edge rules: the first beat has no preceding interval, so its ``rr_pre`` (and hence ``rr_local``
and ``rr_average``) is the first interval of the record, ``t[1] - t[0]``; the last beat's
``rr_post`` is its ``rr_pre``. A record with a single beat has no interval at all: every RR
feature is NaN.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.records.io import Annotations, Record
from ecgbench.records.symbols import aami_class, is_beat

#: Default window around the R peak, seconds before and after (108 + 180 samples at 360 Hz).
DEFAULT_BEFORE_S = 0.3
DEFAULT_AFTER_S = 0.5
#: Number of preceding RR intervals averaged by ``rr_local``.
LOCAL_RR_BEATS = 10
PAD_MODES = ("edge", "zero")


@dataclass(frozen=True)
class RRFeatures:
    """RR-interval features of every beat of a record, float32 seconds (see module docstring)."""

    rr_pre: np.ndarray
    rr_post: np.ndarray
    rr_local: np.ndarray
    rr_average: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """Return the four features keyed by name."""
        return {"rr_pre": self.rr_pre, "rr_post": self.rr_post, "rr_local": self.rr_local, "rr_average": self.rr_average}


def window_samples(fs: float, before_s: float = DEFAULT_BEFORE_S, after_s: float = DEFAULT_AFTER_S) -> tuple[int, int]:
    """Convert a window (seconds before and after the R peak) to samples at ``fs`` Hz.

    Returns
    -------
    (before, after) : tuple of int
        Samples before the peak and samples from the peak on (the peak sample included), so a
        window spans ``before + after`` samples: 108 + 180 = 288 at 360 Hz with the defaults.
    """
    if fs <= 0 or before_s < 0 or after_s <= 0:
        raise ConfigError(f"beat window needs fs > 0, before_s >= 0 and after_s > 0 (got {fs}, {before_s}, {after_s})")
    return int(round(before_s * fs)), int(round(after_s * fs))


def beat_windows(
    signal: np.ndarray,
    r_peaks: np.ndarray,
    fs: float,
    before_s: float = DEFAULT_BEFORE_S,
    after_s: float = DEFAULT_AFTER_S,
    pad: str = "edge",
) -> np.ndarray:
    """Cut a fixed-length window around every R peak.

    Parameters
    ----------
    signal : numpy.ndarray
        Samples × leads (mV).
    r_peaks : numpy.ndarray
        R-peak positions (samples).
    fs : float
        Sampling frequency (Hz).
    before_s, after_s : float
        Window extent before and after the peak (seconds).
    pad : {"edge", "zero"}
        How samples beyond the record edges are filled: repeat the first/last sample, or zeros.
        Beats near the edges are padded, never dropped, so beat counts equal the annotation's.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(n_beats, before + after, n_leads)``.
    """
    if pad not in PAD_MODES:
        raise unknown_choice("pad mode", pad, PAD_MODES)
    before, after = window_samples(fs, before_s, after_s)
    signal = np.asarray(signal, dtype=np.float32)
    if signal.ndim == 1:
        signal = signal[:, None]
    n = signal.shape[0]
    if n == 0:
        raise ConfigError("beat_windows got an empty signal (0 samples)")
    index = np.asarray(r_peaks, dtype=np.int64)[:, None] + np.arange(-before, after)[None, :]
    windows = signal[np.clip(index, 0, n - 1)]
    if pad == "zero":
        windows[(index < 0) | (index >= n)] = 0.0
    return windows.astype(np.float32, copy=False)


def rr_features(r_peaks: np.ndarray, fs: float, local_beats: int = LOCAL_RR_BEATS) -> RRFeatures:
    """Compute causal RR features from the positions of all beats of a record.

    Parameters
    ----------
    r_peaks : numpy.ndarray
        Positions of every beat of the record (samples), sorted.
    fs : float
        Sampling frequency (Hz).
    local_beats : int
        How many RR intervals ``rr_local`` averages (10).

    Returns
    -------
    RRFeatures
        One value per beat, float32 seconds; edge rules in the module docstring.
    """
    t = np.asarray(r_peaks, dtype=np.float64) / fs
    n = t.size
    if n < 2:
        nan = np.full(n, np.nan, dtype=np.float32)
        return RRFeatures(nan, nan.copy(), nan.copy(), nan.copy())
    if np.any(np.diff(t) < 0):
        raise ConfigError("rr_features needs R-peak positions sorted in time")
    intervals = np.diff(t)
    rr_pre = np.concatenate([intervals[:1], intervals])
    rr_post = np.concatenate([intervals, intervals[-1:]])
    # Beat i >= 1 averages intervals[max(i - local_beats, 0) : i]; beat 0 reuses the first interval.
    cumsum = np.concatenate([[0.0], np.cumsum(intervals)])
    idx = np.arange(1, n)
    lo = np.maximum(idx - local_beats, 0)
    rr_local = np.concatenate([intervals[:1], (cumsum[idx] - cumsum[lo]) / (idx - lo)])
    # Running mean over the intervals seen so far; beat 0 reuses the first interval (as rr_pre).
    running = np.cumsum(intervals) / np.arange(1, n)
    rr_average = np.concatenate([intervals[:1], running])
    return RRFeatures(*(a.astype(np.float32) for a in (rr_pre, rr_post, rr_local, rr_average)))


@dataclass(frozen=True)
class BeatTable:
    """Every annotated beat of one record, ready to become beat examples.

    Attributes
    ----------
    record : str
        Record name.
    sample : numpy.ndarray
        R-peak positions (samples, int64).
    symbol : numpy.ndarray
        Original WFDB beat symbols.
    label : numpy.ndarray
        AAMI class names (``"N"`` … ``"Q"``).
    windows : numpy.ndarray
        float32 windows, beats × window samples × leads (mV).
    rr : RRFeatures
        RR features of every beat (seconds).
    """

    record: str
    sample: np.ndarray
    symbol: np.ndarray
    label: np.ndarray
    windows: np.ndarray
    rr: RRFeatures

    def __len__(self) -> int:
        return int(self.sample.size)


def record_beats(
    record: Record,
    annotations: Annotations,
    before_s: float = DEFAULT_BEFORE_S,
    after_s: float = DEFAULT_AFTER_S,
    pad: str = "edge",
) -> BeatTable:
    """Return the windows, labels and RR features of every annotated beat of a record.

    Non-beat annotations (``+ ~ | "`` …) are filtered out by symbol; every beat symbol is kept, and
    RR features use all of them.
    """
    beats = is_beat(annotations.symbol)
    sample = annotations.sample[beats]
    symbol = annotations.symbol[beats]
    return BeatTable(
        record=record.name,
        sample=sample,
        symbol=symbol,
        label=np.asarray([aami_class(s) for s in symbol], dtype="<U1"),
        windows=beat_windows(record.signal, sample, record.fs, before_s, after_s, pad),
        rr=rr_features(sample, record.fs),
    )
