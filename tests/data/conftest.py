"""Small in-memory beat datasets with the TFDS ``mitdb/beats`` feature contract (no TFDS build needed)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.records.synthetic import synthetic_ecg

WINDOW = 288  # 0.3 s before + 0.5 s after the R peak at 360 Hz
R_INDEX = 108


def make_beat_arrays(n: int, *, seed: int = 0, class_mix=(0.7, 0.1, 0.1, 0.06, 0.04)) -> dict[str, np.ndarray]:
    """``n`` synthetic beats (mV) in the TFDS feature layout, labels drawn at ``class_mix``."""
    rng = np.random.default_rng(seed)
    ecg = synthetic_ecg(duration=30.0, symbols="NNNV", seed=seed)
    peaks = ecg.r_peaks[(ecg.r_peaks > R_INDEX) & (ecg.r_peaks < ecg.signal.shape[0] - (WINDOW - R_INDEX))]
    templates = np.stack([ecg.signal[p - R_INDEX : p - R_INDEX + WINDOW] for p in peaks])
    signal = templates[rng.integers(0, len(templates), n)] * rng.uniform(0.8, 1.2, (n, 1, 2))
    rr_average = rng.uniform(0.6, 1.1, n).astype(np.float32)
    labels = rng.choice(5, n, p=class_mix).astype(np.int64)
    return {
        "signal": signal.astype(np.float32),
        "record": np.array([f"{100 + i % 3}" for i in range(n)]),
        "sample": (np.arange(n) * 300 + 500).astype(np.int64),
        "symbol": np.array(["NAVFQ"[label] for label in labels]),
        "label": labels,
        "rr_pre": (rr_average * rng.uniform(0.6, 1.2, n)).astype(np.float32),
        "rr_post": (rr_average * rng.uniform(0.8, 1.3, n)).astype(np.float32),
        "rr_local": (rr_average * rng.uniform(0.9, 1.1, n)).astype(np.float32),
        "rr_average": rr_average,
    }


@pytest.fixture(scope="session")
def beat_arrays() -> dict[str, np.ndarray]:
    """600 synthetic beats with every AAMI class present."""
    return make_beat_arrays(600)


@pytest.fixture()
def beat_dataset(beat_arrays):
    """``tf.data.Dataset.from_tensor_slices`` of :func:`beat_arrays` (un-batched feature dicts)."""
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices(beat_arrays)


@pytest.fixture(scope="session")
def fake_noise_bank():
    """A NoiseBank of two synthetic 60-s two-channel noise records (random walk + white), 360 Hz."""
    from ecgbench.data import NoiseBank

    rng = np.random.default_rng(7)
    n = 360 * 60
    return NoiseBank.from_arrays(
        {"bw": np.cumsum(rng.normal(0, 0.01, (n, 2)), axis=0), "ma": rng.normal(0, 0.05, (n, 2))}
    )


@pytest.fixture(scope="session")
def make_beats():
    """The :func:`make_beat_arrays` factory, for tests that need several independent datasets."""
    return make_beat_arrays
