"""A tiny synthetic beat track for tests and for smoke-testing a submission without real data.

Records are made by :func:`ecgbench.records.synthetic.synthetic_ecg` (Gaussian-wave beats with
premature atrial and ventricular beats), cut into windows and RR features exactly as the TFDS
``beats`` config does (:mod:`ecgbench.records.beats`). The scores mean nothing clinically; the
data only has the right shapes, classes and record structure.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ecgbench.data.rr import rr_features_numpy
from ecgbench.models import BeatArrays
from ecgbench.records import AAMI_CLASSES, aami_class
from ecgbench.records.beats import beat_windows, rr_features
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.runner.data import TrackData

#: Beat patterns cycled through by the synthetic records (N, premature atrial A, ventricular V).
PATTERNS: tuple[str, ...] = ("NNNNV", "NNNA", "NNVNNA", "NNNNNNAV")
SAMPLING_RATE = 360.0


def synthetic_beats(records: list[str], duration: float, seed: int) -> BeatArrays:
    """Return the beats of synthetic records, one pattern and heart rate per record (seeded)."""
    parts = []
    for i, name in enumerate(records):
        ecg = synthetic_ecg(
            fs=SAMPLING_RATE,
            duration=duration,
            heart_rate=60.0 + 7.0 * (i % 5),
            symbols=PATTERNS[i % len(PATTERNS)],
            seed=seed * 1000 + i,
        )
        labels = np.array([AAMI_CLASSES.index(aami_class(s)) for s in ecg.symbols], dtype=np.int64)
        parts.append(
            BeatArrays(
                signal=beat_windows(ecg.signal, ecg.r_peaks, ecg.fs),
                rr=rr_features_numpy(rr_features(ecg.r_peaks, ecg.fs).as_dict()),
                label=labels,
                record=np.full(labels.size, name),
                sample=ecg.r_peaks.astype(np.int64),
            )
        )
    return BeatArrays.concatenate(parts)


def synthetic_track(n_train: int = 4, n_val: int = 2, n_test: int = 3, duration: float = 30.0, seed: int = 0) -> TrackData:
    """Return a small record-disjoint synthetic track (about 35 beats per record at 30 s).

    Parameters
    ----------
    n_train, n_val, n_test : int
        Records per split.
    duration : float
        Seconds per record.
    seed : int
        Seed of the signal generator.
    """
    names = [f"s{i:02d}" for i in range(n_train + n_val + n_test)]
    train = synthetic_beats(names[:n_train], duration, seed)
    val = synthetic_beats(names[n_train : n_train + n_val], duration, seed + 1)
    test = synthetic_beats(names[n_train + n_val :], duration, seed + 2)
    digest = hashlib.sha256()
    for split in (train, val, test):
        digest.update(split.signal.tobytes())
        digest.update(split.label.tobytes())
    return TrackData(
        train=train,
        val=val,
        test=test,
        splits={"train": "synthetic_train", "val": "synthetic_val", "test": "synthetic_test"},
        dataset={"name": "synthetic", "version": "0", "checksum": digest.hexdigest()},
        sampling_rate=SAMPLING_RATE,
    )
