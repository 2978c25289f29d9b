"""Filters: streaming equals batch causal filtering for any chunking; zero-phase cleaning; notch; baseline."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from ecgbench.errors import ConfigError, EcgbenchError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.signal import StreamingFilter, bandpass_sos, clean, notch_sos, remove_baseline
from ecgbench.signal.normalize import ZScore, robust_normalize, zscore_per_beat

FS = 360.0


@pytest.fixture(scope="module")
def ecg() -> np.ndarray:
    x = synthetic_ecg(fs=FS, duration=20.0, seed=5).signal[:, 0].astype(np.float64)
    return x + 0.8  # DC offset: the steady-state start must not ring


def _chunks(x: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    return np.split(x, np.cumsum(sizes)[np.cumsum(sizes) < x.size])


@pytest.mark.parametrize("chunking", ["one_sample", "random", "whole"])
def test_streaming_filter_equals_batch_sosfilt(ecg: np.ndarray, chunking: str) -> None:
    x = ecg[:1500] if chunking == "one_sample" else ecg
    sos = bandpass_sos(FS, 0.5, 40.0)
    expected = signal.sosfilt(sos, x, zi=signal.sosfilt_zi(sos) * x[0])[0]
    if chunking == "one_sample":
        parts = np.split(x, x.size)
    elif chunking == "random":
        parts = _chunks(x, list(np.random.default_rng(0).integers(1, 700, size=200)))
    else:
        parts = [x]
    f = StreamingFilter(FS)
    y = np.concatenate([f.process(p) for p in parts])
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(y, clean(x, FS, zero_phase=False))


def test_streaming_with_notch_equals_batch(ecg: np.ndarray) -> None:
    f = StreamingFilter(FS, powerline=60.0)
    y = np.concatenate([f.process(p) for p in np.array_split(ecg, 37)])
    np.testing.assert_array_equal(y, clean(ecg, FS, zero_phase=False, powerline=60.0))


def test_steady_start_has_no_transient_on_dc() -> None:
    y = StreamingFilter(FS).process(np.full(720, 2.5))
    assert np.max(np.abs(y)) < 1e-9


def test_non_finite_samples_are_nan_out_and_do_not_poison_state(ecg: np.ndarray) -> None:
    x = ecg.copy()
    x[1000:1400] = np.nan
    x[2000] = np.inf
    f = StreamingFilter(FS)
    y = np.concatenate([f.process(p) for p in np.array_split(x, 13)])
    assert np.isnan(y[1000:1400]).all() and np.isnan(y[2000])
    assert np.isfinite(y[2001:]).all() and np.isfinite(y[:1000]).all()
    # Two seconds after the gap the output is a normal band-passed ECG again (mV range).
    assert np.max(np.abs(y[3000:])) < 3.0


def test_zero_phase_clean_removes_baseline_and_keeps_r_peak_position() -> None:
    e = synthetic_ecg(fs=FS, duration=20.0, noise_mv=0.0, seed=2)
    t = np.arange(e.signal.shape[0]) / FS
    x = e.signal[:, 0] + 1.0 * np.sin(2 * np.pi * 0.1 * t)  # 1 mV, 0.1 Hz wander
    y = clean(x, FS)
    peak = int(e.r_peaks[5])
    assert abs(int(np.argmax(y[peak - 20 : peak + 20])) - 20) <= 1  # no phase shift
    inner = slice(int(2 * FS), -int(2 * FS))
    assert np.max(np.abs(y - clean(e.signal[:, 0], FS))[inner]) < 0.05  # the wander is gone


def test_notch_removes_powerline() -> None:
    t = np.arange(int(10 * FS)) / FS
    hum = 0.5 * np.sin(2 * np.pi * 50.0 * t)
    y = clean(hum, FS, lowcut=0.5, highcut=None, powerline=50.0)
    assert np.std(y[int(FS) : -int(FS)]) < 0.02
    assert notch_sos(FS, 60.0).shape == (1, 6)


@pytest.mark.parametrize("method", ["median", "highpass"])
def test_remove_baseline(method: str) -> None:
    t = np.arange(int(20 * FS)) / FS
    e = synthetic_ecg(fs=FS, duration=20.0, noise_mv=0.0, seed=1).signal[:, 0]
    y = remove_baseline(e + 0.5 + 0.5 * np.sin(2 * np.pi * 0.2 * t), FS, method=method)
    inner = slice(int(2 * FS), -int(2 * FS))
    residual = (y - remove_baseline(e, FS, method=method))[inner]
    assert np.sqrt(np.mean(residual**2)) < 0.05  # RMS of what is left of the 0.5-mV wander (mV)


def test_clean_median_method_runs_and_bad_choices_raise(ecg: np.ndarray) -> None:
    assert clean(ecg, FS, method="median").shape == ecg.shape
    with pytest.raises(ConfigError, match="valid clean methods: butterworth, median"):
        clean(ecg, FS, method="fir")
    with pytest.raises(ConfigError, match="lowcut"):
        clean(ecg, FS, lowcut=50.0, highcut=40.0)
    with pytest.raises(ConfigError, match="1-D"):
        clean(np.zeros((10, 2)), FS)
    with pytest.raises(EcgbenchError, match="sampling_rate"):
        StreamingFilter(0.0)
    with pytest.raises(ConfigError, match="baseline method"):
        remove_baseline(ecg, FS, method="spline")


@pytest.mark.parametrize("fs", [128.0, 250.0, 1000.0])
def test_default_band_works_across_sampling_rates(fs: float) -> None:
    x = synthetic_ecg(fs=fs, duration=5.0, seed=0).signal[:, 0]
    assert np.isfinite(clean(x, fs)).all()  # highcut 40 Hz stays below Nyquist at 128 Hz


def test_zscore_uses_training_statistics_only() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(2.0, 3.0, size=(1000, 2))
    test = rng.normal(10.0, 1.0, size=(50, 2))
    z = ZScore(axis=0).fit(train)
    out = z.transform(test)
    np.testing.assert_allclose(out, (test - train.mean(axis=0)) / train.std(axis=0))
    assert out.mean() > 2.0  # the test set's own mean was not used
    with pytest.raises(ConfigError, match="before fit"):
        ZScore().transform(test)


def test_per_beat_and_robust_normalisation() -> None:
    beats = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])
    z = zscore_per_beat(beats)
    np.testing.assert_allclose(z[0], [-1.2247449, 0.0, 1.2247449], rtol=1e-6)
    np.testing.assert_array_equal(z[1], [0.0, 0.0, 0.0])  # flat beat: no division by zero
    x = np.array([0.0, 1.0, 2.0, 3.0, 100.0])
    r = robust_normalize(x)
    assert r[2] == 0.0 and r[4] > 20  # median centre, MAD scale not inflated by the outlier
    assert np.isnan(robust_normalize(np.array([1.0, np.nan, 2.0, 3.0])))[1]


def test_leading_nan_chunks_do_not_change_the_result(ecg: np.ndarray) -> None:
    x = ecg[:2000].copy()
    x[:300] = np.nan
    f = StreamingFilter(FS)
    y = np.concatenate([f.process(p) for p in np.split(x, np.arange(7, x.size, 7))])
    np.testing.assert_array_equal(y, clean(x, FS, zero_phase=False))
    assert np.isnan(y[:300]).all() and np.isfinite(y[300:]).all()
