"""Fixed-length rhythm windows and their labels (pure NumPy).

A record is cut into windows of ``window_seconds`` every ``stride_seconds``; a window that would
run past the end of the record is not made. Each window's label comes from the MIT-BIH rhythm
intervals (``+`` annotations, see :mod:`ecgbench.records.rhythm`):

**Straddle rule.** The window's rhythm is the one covering the most samples of the window, kept
only if it covers at least half of it (``MIN_MAJORITY = 0.5``); an exact tie between two rhythms
goes to the one in force at the window's last sample (the newer rhythm). Samples before the record's first
rhythm annotation count as "no rhythm": a window whose majority is unannotated, or whose largest
rhythm covers less than half of it (three or more rhythms), is dropped. The fraction covered by
the chosen rhythm is kept as ``label_fraction`` so users can filter stricter (e.g. ``== 1.0`` for
pure windows).

**Classes.** MIT-BIH rhythm names map to :data:`RHYTHM_CLASSES`: ``N``, ``AFIB``, ``AFL``,
``VT``, ``VFL``, ``SVTA``, ``B`` (ventricular bigeminy), ``T`` (ventricular trigeminy), ``P``
(paced) keep their own class; the rare rest (``NOD``, ``IVR``, ``PREX``, ``SBR``, ``BII``, ``AB``
and any unknown name) become ``OTHER``. The original name is kept alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.records.rhythm import RhythmInterval

#: Rhythm classes of the rhythm track; the integer label of a class is its index here.
RHYTHM_CLASSES: tuple[str, ...] = ("N", "AFIB", "AFL", "VT", "VFL", "SVTA", "B", "T", "P", "OTHER")
OTHER_RHYTHM = "OTHER"
#: Smallest fraction of a window the labelled rhythm must cover.
MIN_MAJORITY = 0.5
DEFAULT_WINDOW_S = 10.0
DEFAULT_STRIDE_S = 5.0


@dataclass(frozen=True)
class RhythmWindows:
    """Rhythm windows of one record.

    Attributes
    ----------
    start : numpy.ndarray
        First sample of each window (int64); a window spans ``start … start + length - 1``.
    length : int
        Window length in samples.
    rhythm : numpy.ndarray
        Original MIT-BIH rhythm name of each window's majority rhythm (``"NOD"`` …).
    label : numpy.ndarray
        Class name in :data:`RHYTHM_CLASSES` (``"OTHER"`` for ``"NOD"`` …).
    label_fraction : numpy.ndarray
        Fraction of the window covered by that rhythm (float32, 0.5 … 1).
    """

    start: np.ndarray
    length: int
    rhythm: np.ndarray
    label: np.ndarray
    label_fraction: np.ndarray

    def __len__(self) -> int:
        return int(self.start.size)


def rhythm_class(rhythm: str) -> str:
    """Return the rhythm class of a MIT-BIH rhythm name (``"AFIB"`` → ``"AFIB"``, ``"NOD"`` → ``"OTHER"``)."""
    return rhythm if rhythm in RHYTHM_CLASSES and rhythm != OTHER_RHYTHM else OTHER_RHYTHM


def window_length_samples(fs: float, window_seconds: float, stride_seconds: float) -> tuple[int, int]:
    """Convert window length and stride (seconds) to samples at ``fs`` Hz, validating both."""
    if fs <= 0 or window_seconds <= 0 or stride_seconds <= 0:
        raise ConfigError(
            f"rhythm windows need fs, window_seconds and stride_seconds > 0 (got {fs}, {window_seconds}, {stride_seconds})"
        )
    return int(round(window_seconds * fs)), int(round(stride_seconds * fs))


def rhythm_windows(
    intervals: list[RhythmInterval],
    n_samples: int,
    fs: float,
    window_seconds: float = DEFAULT_WINDOW_S,
    stride_seconds: float = DEFAULT_STRIDE_S,
) -> RhythmWindows:
    """Cut a record into labelled rhythm windows.

    Parameters
    ----------
    intervals : list of RhythmInterval
        The record's rhythm intervals (:func:`ecgbench.records.rhythm_intervals`).
    n_samples : int
        Record length (samples).
    fs : float
        Sampling frequency (Hz).
    window_seconds, stride_seconds : float
        Window length and step (seconds): 10 and 5 by default.

    Returns
    -------
    RhythmWindows
        The kept windows (straddle rule in the module docstring), in time order.
    """
    length, stride = window_length_samples(fs, window_seconds, stride_seconds)
    starts = np.arange(0, max(n_samples - length + 1, 0), stride, dtype=np.int64)
    names = sorted({iv.label for iv in intervals})
    # coverage[w, k]: samples of window w covered by rhythm names[k]
    coverage = np.zeros((starts.size, len(names)), dtype=np.int64)
    for iv in intervals:
        overlap = np.minimum(starts + length, iv.end) - np.maximum(starts, iv.start)
        coverage[:, names.index(iv.label)] += np.clip(overlap, 0, None)
    if names:
        # Ties (exactly half each) go to the rhythm in force at the window's last sample.
        last = starts + length - 1
        at_end = np.zeros_like(coverage)
        for iv in intervals:
            at_end[(last >= iv.start) & (last < iv.end), names.index(iv.label)] = 1
        best = (2 * coverage + at_end).argmax(axis=1)
        fraction = coverage[np.arange(starts.size), best] / length
    else:
        best = np.zeros(starts.size, dtype=np.int64)
        fraction = np.zeros(starts.size)
    keep = fraction >= MIN_MAJORITY
    rhythm = np.asarray(names, dtype="<U8")[best[keep]] if names else np.zeros(0, "<U8")
    return RhythmWindows(
        start=starts[keep],
        length=length,
        rhythm=rhythm,
        label=np.asarray([rhythm_class(r) for r in rhythm], dtype="<U8"),
        label_fraction=fraction[keep].astype(np.float32),
    )
