"""Rhythm intervals from the ``+`` rhythm-change annotations of a WFDB annotation file.

In MIT-BIH each ``+`` annotation opens a rhythm that lasts until the next ``+`` (or the end of the
record); its ``aux_note`` names the rhythm, e.g. ``"(AFIB"``. Labels are returned without the
leading parenthesis: ``N``, ``AFIB``, ``AFL``, ``B``, ``T``, ``VT``, ``VFL``, ``SVTA``, ``NOD``,
``IVR``, ``P``, ``PREX``, ``SBR``, ``BII``, ``AB``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgbench.records.io import Annotations
from ecgbench.records.symbols import RHYTHM_SYMBOL


@dataclass(frozen=True)
class RhythmInterval:
    """A stretch of one rhythm: samples ``start`` (inclusive) to ``end`` (exclusive)."""

    start: int
    end: int
    label: str

    @property
    def n_samples(self) -> int:
        """Length in samples."""
        return self.end - self.start


def rhythm_label(aux_note: str) -> str:
    """Return the rhythm name in an ``aux_note``: ``"(AFIB\\x00"`` → ``"AFIB"``."""
    return aux_note.rstrip("\x00").strip().lstrip("(")


def rhythm_intervals(annotations: Annotations, n_samples: int) -> list[RhythmInterval]:
    """Return the record's rhythm intervals in order, covering the annotated part of the record.

    Parameters
    ----------
    annotations : Annotations
        The reference annotation file (``atr``).
    n_samples : int
        Record length in samples; the last rhythm lasts until here.

    Returns
    -------
    list of RhythmInterval
        Consecutive intervals; the samples before the first ``+`` annotation belong to none.
        Consecutive changes to the same rhythm are merged.
    """
    is_change = annotations.symbol == RHYTHM_SYMBOL
    starts = annotations.sample[is_change]
    labels = [rhythm_label(annotations.aux_note[i]) for i in np.flatnonzero(is_change)]
    intervals: list[RhythmInterval] = []
    for k, (start, label) in enumerate(zip(starts, labels)):
        end = int(starts[k + 1]) if k + 1 < len(starts) else int(n_samples)
        if end <= start or not label:
            continue
        if intervals and intervals[-1].label == label and intervals[-1].end == start:
            intervals[-1] = RhythmInterval(intervals[-1].start, end, label)
        else:
            intervals.append(RhythmInterval(int(start), end, label))
    return intervals


def rhythm_at(intervals: list[RhythmInterval], samples: np.ndarray) -> np.ndarray:
    """Return the rhythm label in force at each sample position (``""`` where none is annotated)."""
    samples = np.asarray(samples)
    out = np.full(samples.shape, "", dtype="<U8")
    for interval in intervals:
        out[(samples >= interval.start) & (samples < interval.end)] = interval.label
    return out
