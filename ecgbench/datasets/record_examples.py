"""What one record becomes in a TFDS dataset: read it once, then turn it into ``(key, example)`` pairs.

Each builder describes a config as a :class:`ecgbench.datasets.generation.SplitPlan` whose ``read``
and ``examples`` steps are the functions below (bound to the config's parameters with
:func:`functools.partial`). The same two functions serve the plain generator path and the Beam
path, where they run on workers: they live in this ordinary package module (a builder module that
``tfds build <folder>`` imports by path is not importable on a Beam worker) and take only plain,
picklable arguments. Example keys are ``f"{record}_{sample:07d}"`` (the sample of the R peak, of the
window start, or of the episode onset), in time order within a record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ecgbench.records import read_annotations, read_record, rhythm_intervals
from ecgbench.records.beats import BeatTable, record_beats
from ecgbench.records.io import Annotations, Record
from ecgbench.records.resampling import resample_annotations, resample_record
from ecgbench.records.splits import INTRA_SPLITS, intra_patient_test_mask
from ecgbench.records.vfdb import aha_group, vfdb_rhythm_class
from ecgbench.records.windows import RhythmWindows, rhythm_windows

Example = tuple[str, dict]


def read_at(record: str, folder: Path, fs: float | None = None) -> tuple[Record, Annotations]:
    """Read a record and its annotations, resampled to ``fs`` (Hz) when given (None: the record's own rate)."""
    raw, annotations = read_record(record, folder), read_annotations(record, folder)
    if fs is None:
        return raw, annotations
    rec = resample_record(raw, fs)
    return rec, resample_annotations(annotations, raw.fs, fs, rec.n_samples)


def read_beats(record: str, folder: Path, before_s: float, after_s: float, fs: float | None = None) -> BeatTable:
    """Return a record's beat table: windows from ``before_s`` to ``after_s`` (s) around each R peak, RR features, labels."""
    rec, annotations = read_at(record, folder, fs)
    return record_beats(rec, annotations, before_s, after_s)


def beat_examples(table: BeatTable) -> Iterator[Example]:
    """Yield one example per beat of ``table``, keyed by record and R-peak sample."""
    rr = table.rr.as_dict()
    for i in range(len(table)):
        sample = int(table.sample[i])
        yield f"{table.record}_{sample:07d}", {
            "signal": table.windows[i],
            "record": table.record,
            "sample": sample,
            "symbol": str(table.symbol[i]),
            "label": str(table.label[i]),
            **{name: values[i] for name, values in rr.items()},
        }


def beat_labels(table: BeatTable) -> np.ndarray:
    """The AAMI class of every beat of ``table``, in time order (what the intra-patient draw needs)."""
    return np.asarray(table.label)


def intra_patient_masks(labels: dict[str, np.ndarray], records: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
    """Draw the intra-patient splits across ``records``: ``{"intra_train": {record: mask}, "intra_test": {…}}`` (True: keep the beat).

    ``labels`` maps each record to :func:`beat_labels` of its table; the draw
    (:func:`ecgbench.records.splits.intra_patient_test_mask`) sees the records in ``records`` order.
    """
    is_test = intra_patient_test_mask(np.concatenate([labels[r] for r in records]))
    parts = np.split(is_test, np.cumsum([len(labels[r]) for r in records])[:-1])
    train, test = INTRA_SPLITS
    return {train: {r: ~mask for r, mask in zip(records, parts)}, test: dict(zip(records, parts))}


def read_rhythm(record: str, folder: Path, window_s: float, stride_s: float, fs: float | None = None) -> tuple[Record, RhythmWindows]:
    """Return a record (resampled to ``fs`` Hz when given) and its rhythm windows of ``window_s`` every ``stride_s`` (s)."""
    rec, annotations = read_at(record, folder, fs)
    intervals = rhythm_intervals(annotations, rec.n_samples)
    return rec, rhythm_windows(intervals, rec.n_samples, rec.fs, window_s, stride_s)


def mitdb_window_examples(item: tuple[Record, RhythmWindows]) -> Iterator[Example]:
    """Yield one ``mitdb/rhythm`` example per window: signal, start (samples), rhythm, class and its share of the window."""
    rec, windows = item
    for i, start in enumerate(windows.start.tolist()):
        yield f"{rec.name}_{start:07d}", {
            "signal": rec.signal[start : start + windows.length],
            "record": rec.name,
            "start": start,
            "rhythm": str(windows.rhythm[i]),
            "label": str(windows.label[i]),
            "label_fraction": windows.label_fraction[i],
        }


def vfdb_window_examples(item: tuple[Record, RhythmWindows]) -> Iterator[Example]:
    """Yield one ``vfdb/rhythm`` example per window: as ``mitdb/rhythm`` with VFDB classes and the AHA group."""
    rec, windows = item
    for i, start in enumerate(windows.start.tolist()):
        rhythm = str(windows.rhythm[i])
        yield f"{rec.name}_{start:07d}", {
            "signal": rec.signal[start : start + windows.length],
            "record": rec.name,
            "start": start,
            "rhythm": rhythm,
            "label": vfdb_rhythm_class(rhythm),
            "aha": aha_group(rhythm),
            "label_fraction": windows.label_fraction[i],
        }


def read_episodes(record: str, folder: Path) -> tuple[str, float, list]:
    """Return ``(record, fs, rhythm intervals)`` at the record's own rate (Hz): the input of :func:`episode_examples`."""
    raw, annotations = read_record(record, folder), read_annotations(record, folder)
    return raw.name, raw.fs, rhythm_intervals(annotations, raw.n_samples)


def episode_examples(item: tuple[str, float, list], fs: float) -> Iterator[Example]:
    """Yield one example per rhythm episode: onset/offset in seconds (exact) and in samples at ``fs`` (Hz)."""
    name, source_fs, intervals = item
    ratio = fs / source_fs
    for iv in intervals:
        start, end = int(round(iv.start * ratio)), int(round(iv.end * ratio))
        yield f"{name}_{start:07d}", {
            "record": name,
            "rhythm": iv.label,
            "label": vfdb_rhythm_class(iv.label),
            "aha": aha_group(iv.label),
            "start": start,
            "end": end,
            "onset_s": iv.start / source_fs,
            "offset_s": iv.end / source_fs,
        }
