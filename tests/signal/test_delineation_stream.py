"""Streaming delineation equals batch delineation, whatever the chunking and beat timing."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.signal.delineation import FIDUCIALS, delineate
from ecgbench.signal.delineation_stream import StreamingDelineator


def _run(stream: StreamingDelineator, x: np.ndarray, r: np.ndarray, bounds: list[int], beat_delay: int = 0) -> np.ndarray:
    """Push ``x`` cut at ``bounds``; beats are pushed ``beat_delay`` samples after they occur."""
    parts, pushed = [], 0
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        ready = r[(r >= pushed) & (r < hi - beat_delay)] if hi - beat_delay > 0 else r[:0]
        pushed = int(ready[-1]) + 1 if ready.size else pushed
        parts.append(stream.push(x[lo:hi], ready, beats_final_until=max(0, hi - beat_delay)).as_array())
    parts.append(stream.push(np.zeros(0), r[r >= pushed]).as_array())  # detector's last decisions
    parts.append(stream.flush().as_array())
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def ecg():
    e = synthetic_ecg(fs=250.0, duration=8.0, heart_rate=80.0, symbols="NNNV", rr_jitter=0.05, noise_mv=0.01, n_leads=1, seed=4)
    x = e.signal[:, 0].astype(np.float64)
    x[1200:1260] = np.nan  # a dropout the stream must handle like the batch
    return x, e.r_peaks, 250.0


def test_one_sample_chunks_equal_batch(ecg):
    x, r, fs = ecg
    batch = delineate(x, fs, r_peaks=r).as_array()
    out = _run(StreamingDelineator(fs), x, r, list(range(x.size + 1)))
    np.testing.assert_array_equal(out, batch)


@pytest.mark.parametrize("seed", [0, 1])
def test_random_chunks_and_late_beats_equal_batch(ecg, seed):
    x, r, fs = ecg
    batch = delineate(x, fs, r_peaks=r).as_array()
    rng = np.random.default_rng(seed)
    cuts = np.unique(rng.integers(0, x.size, size=40))
    bounds = [0, *cuts.tolist(), x.size]
    out = _run(StreamingDelineator(fs), x, r, bounds, beat_delay=int(0.3 * fs))  # detector 300 ms late
    np.testing.assert_array_equal(out, batch)


def test_beats_pushed_ahead_of_samples_and_latency(ecg):
    x, r, fs = ecg
    stream = StreamingDelineator(fs)
    first = stream.push(x[: r[0] + 10], r)  # all beats known up front, e.g. reference annotations
    assert len(first) == 0  # the first beat needs 1 s of signal after R
    after = int(round(stream.config.context_after_s * fs))
    got = stream.push(x[r[0] + 10 : r[0] + after + 1])
    assert got.r_peak.size == 1 and got.r_peak[0] >= 0
    rest = stream.push(x[r[0] + after + 1 :])
    final = stream.flush()
    out = np.concatenate([first.as_array(), got.as_array(), rest.as_array(), final.as_array()])
    np.testing.assert_array_equal(out, delineate(x, fs, r_peaks=r).as_array())
    assert stream._buffer.size < x.size  # old samples were dropped


def test_stream_errors():
    stream = StreamingDelineator(500.0)
    stream.push(np.zeros(100), np.array([50]))
    with pytest.raises(ConfigError, match="keep increasing"):
        stream.push(np.zeros(10), np.array([40]))
    with pytest.raises(ConfigError, match="valid delineation methods"):
        StreamingDelineator(500.0, method="nope")
    ahead = StreamingDelineator(500.0)
    ahead.push(np.zeros(10), np.array([100]))
    with pytest.raises(ConfigError, match="beyond the 10 samples"):
        ahead.flush()
    done = StreamingDelineator(500.0)
    assert len(done.flush()) == 0
    with pytest.raises(ConfigError, match="flushed"):
        done.push(np.zeros(3))


def test_flat_stream_emits_beats_without_waves():
    stream = StreamingDelineator(360.0)
    out = stream.push(np.zeros(2000), np.array([300, 700]))
    out_rows = np.concatenate([out.as_array(), stream.flush().as_array()])
    assert out_rows.shape == (2, len(FIDUCIALS))
    assert np.all(np.delete(out_rows, FIDUCIALS.index("r_peak"), axis=1) == -1)
