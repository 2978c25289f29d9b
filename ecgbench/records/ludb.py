"""LUDB wave annotations: ``(`` onset, peak symbol, ``)`` offset triples ⇄ per-wave arrays.

The Lobachevsky University Electrocardiography Database (LUDB) annotates each lead in its own
file (extension = lead name, e.g. ``1.ii``). Every P wave, QRS complex and T wave is three
annotations: ``(`` at the onset, the peak symbol (``p``, ``N``, ``t``) and ``)`` at the offset.
The cardiologists annotated only part of each 10-s record (the first and last beats are often
left out), so scoring must stay inside :func:`annotated_span`. The same convention is used by
``ecgbench delineate`` for the files it writes.

References
----------
Kalyakulina AI et al. LUDB: A New Open-Access Validation Tool for Electrocardiogram Delineation
Algorithms. IEEE Access 8:186181-186190 (2020).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import CorruptDataError
from ecgbench.records.io import read_annotations

#: Peak symbol of each wave type in the LUDB convention.
WAVE_SYMBOLS = {"p": "p", "qrs": "N", "t": "t"}
ONSET_SYMBOL = "("
OFFSET_SYMBOL = ")"
LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")


@dataclass(frozen=True)
class Waves:
    """Waves of one type: onset, peak and offset positions in samples (-1 where not annotated)."""

    onset: np.ndarray
    peak: np.ndarray
    offset: np.ndarray

    def __len__(self) -> int:
        return int(self.peak.size)


def waves_from_annotations(sample: np.ndarray, symbol: np.ndarray) -> dict[str, Waves]:
    """Group ``(``/peak/``)`` annotations into waves.

    Parameters
    ----------
    sample : numpy.ndarray
        Annotation positions in samples, sorted.
    symbol : numpy.ndarray
        Annotation symbols; peaks are ``p``, ``N``, ``t``.

    Returns
    -------
    dict of str to Waves
        Keys ``"p"``, ``"qrs"``, ``"t"``. An onset (offset) is the ``(`` (``)``) annotation directly
        before (after) the peak; -1 when that neighbour is missing.
    """
    sample = np.asarray(sample, dtype=np.int64)
    symbol = np.asarray(symbol).astype(str)
    out = {}
    for wave, peak_symbol in WAVE_SYMBOLS.items():
        idx = np.flatnonzero(symbol == peak_symbol)
        before = np.clip(idx - 1, 0, None)
        after = np.clip(idx + 1, None, max(symbol.size - 1, 0))
        has_on = (idx >= 1) & (symbol[before] == ONSET_SYMBOL)
        has_off = (idx + 1 < symbol.size) & (symbol[after] == OFFSET_SYMBOL)
        out[wave] = Waves(
            onset=np.where(has_on, sample[before], -1).astype(np.int64),
            peak=sample[idx],
            offset=np.where(has_off, sample[after], -1).astype(np.int64),
        )
    return out


def waves_to_annotations(waves: dict[str, Waves]) -> tuple[np.ndarray, np.ndarray]:
    """Flatten waves into sorted WFDB annotation positions and symbols (LUDB convention).

    Missing onsets/offsets (-1) are left out; the peak is always written.
    """
    rows: list[tuple[int, int, str]] = []  # (sample, order within a wave, symbol)
    for wave, w in waves.items():
        peak_symbol = WAVE_SYMBOLS[wave]
        for on, pk, off in zip(w.onset.tolist(), w.peak.tolist(), w.offset.tolist()):
            if pk < 0:
                continue
            if on >= 0:
                rows.append((on, 0, ONSET_SYMBOL))
            rows.append((pk, 1, peak_symbol))
            if off >= 0:
                rows.append((off, 2, OFFSET_SYMBOL))
    rows.sort(key=lambda r: (r[0], r[1]))
    return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[2] for r in rows], dtype="<U1")


def annotated_span(sample: np.ndarray) -> tuple[int, int]:
    """First and last annotated sample (inclusive) of an LUDB lead file; ``(0, -1)`` when empty."""
    sample = np.asarray(sample)
    return (int(sample.min()), int(sample.max())) if sample.size else (0, -1)


def read_ludb_waves(record: str, directory: str | os.PathLike, lead: str = "ii") -> tuple[dict[str, Waves], tuple[int, int]]:
    """Read one LUDB lead annotation file as waves plus its annotated span.

    Parameters
    ----------
    record : str
        Record name, ``"1"`` … ``"200"``.
    directory : path-like
        Folder with the LUDB files (``ludb/data``).
    lead : str
        Lead name = annotation extension (``"ii"``).

    Returns
    -------
    waves : dict of str to Waves
        ``"p"``, ``"qrs"``, ``"t"``.
    span : (int, int)
        First and last annotated sample.

    Raises
    ------
    DataNotFoundError
        The annotation file is missing.
    CorruptDataError
        The file holds symbols other than the LUDB wave symbols.
    """
    ann = read_annotations(record, directory, lead)
    known = set(WAVE_SYMBOLS.values()) | {ONSET_SYMBOL, OFFSET_SYMBOL}
    unknown = sorted(set(ann.symbol.tolist()) - known)
    if unknown:
        raise CorruptDataError(
            f"annotation file {record}.{lead} in {directory} has symbols {unknown} that are not LUDB wave "
            f"symbols ({', '.join(sorted(known))}); pass an LUDB-style wave annotation file"
        )
    return waves_from_annotations(ann.sample, ann.symbol), annotated_span(ann.sample)
