"""Batch delineation: golden synthetic beats, sampling rates, edge cases, input errors, the wavelet."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.signal.delineation import FIDUCIALS, Delineation, delineate, detect_r_peaks
from ecgbench.signal.wavelet import HALF_SAMPLE_OFFSET, quadratic_spline_wt

# Synthetic beat (ecgbench.records.synthetic): P Gaussian at R - 0.20 s (σ 25 ms), Q at -0.03 s,
# S at +0.03 s (σ 10 ms), T at R + 0.30 s (σ 50 ms).


def _ecg(fs: float, duration: float = 10.0, seed: int = 0):
    return synthetic_ecg(fs=fs, duration=duration, heart_rate=70.0, rr_jitter=0.0, noise_mv=0.005, n_leads=1, seed=seed)


def _relative_ms(d: Delineation, fs: float) -> np.ndarray:
    """Fiducials relative to each beat's R (ms), inner beats only (first/last have truncated context)."""
    a = d.as_array()[1:-1].astype(float)
    return (a - a[:, [FIDUCIALS.index("r_peak")]]) * 1000.0 / fs


def test_wavelet_scales_are_time_aligned_on_a_gaussian():
    t = np.arange(400.0)
    w = quadratic_spline_wt(np.exp(-0.5 * ((t - 200.3) / 8.0) ** 2), n_scales=5)
    for scale in w:
        i = int(np.flatnonzero((scale[:-1] > 0) & (scale[1:] <= 0))[0])
        crossing = i + scale[i] / (scale[i] - scale[i + 1]) + HALF_SAMPLE_OFFSET
        assert crossing == pytest.approx(200.3, abs=0.05)


def test_wavelet_rejects_bad_scale_count_and_handles_stacks():
    with pytest.raises(ValueError, match="n_scales"):
        quadratic_spline_wt(np.zeros(10), n_scales=0)
    stack = np.random.default_rng(0).standard_normal((3, 64))
    w = quadratic_spline_wt(stack, n_scales=4)
    assert w.shape == (4, 3, 64)
    np.testing.assert_allclose(w[:, 1], quadratic_spline_wt(stack[1], n_scales=4))


@pytest.mark.parametrize("fs", [500.0, 250.0])
def test_golden_synthetic_beat_positions(fs):
    ecg = _ecg(fs)
    d = delineate(ecg.signal[:, 0], fs)
    np.testing.assert_array_equal(d.r_peak, ecg.r_peaks)  # detector + refinement find every R exactly
    rel = _relative_ms(d, fs)
    col = {name: rel[:, i] for i, name in enumerate(FIDUCIALS)}
    assert np.all(np.abs(col["p_peak"] + 200.0) <= 4.0)
    assert np.all(np.abs(col["t_peak"] - 300.0) <= 4.0)
    # Boundaries of Gaussian waves lie where the slope fades (Martínez's ξ ratios): pinned loosely.
    assert np.all((col["p_on"] > -300) & (col["p_on"] < -225))
    assert np.all((col["p_off"] > -185) & (col["p_off"] < -130))
    assert np.all((col["qrs_on"] > -60) & (col["qrs_on"] < -20))
    assert np.all((col["qrs_off"] > 20) & (col["qrs_off"] < 80))
    assert np.all((col["t_on"] > 120) & (col["t_on"] < 240))
    assert np.all((col["t_off"] > 360) & (col["t_off"] < 470))
    assert np.all(np.diff(d.as_array()[1:-1], axis=1) > 0)  # p_on < p_peak < ... < t_off


@pytest.mark.parametrize("fs", [128.0, 250.0, 360.0, 1000.0])
def test_sampling_rates_give_the_same_physical_positions(fs):
    ecg = _ecg(fs, duration=6.0)
    d = delineate(ecg.signal[:, 0], fs)
    assert len(d) == ecg.r_peaks.size
    step_ms = 1000.0 / fs
    assert np.all(np.abs(d.r_peak - ecg.r_peaks) <= 1)
    rel = _relative_ms(d, fs)
    assert np.all(np.abs(rel[:, FIDUCIALS.index("p_peak")] + 200.0) <= 4.0 + step_ms)
    assert np.all(np.abs(rel[:, FIDUCIALS.index("t_peak")] - 300.0) <= 4.0 + step_ms)
    assert np.all(np.abs(rel[:, FIDUCIALS.index("qrs_on")] + 32.0) <= 4.0 + step_ms)


def test_given_r_peaks_are_refined_to_the_qrs_peak():
    fs = 360.0
    ecg = _ecg(fs)
    shifted = ecg.r_peaks + 9  # 25 ms late, as a detector on the downslope might report
    d = delineate(ecg.signal[:, 0], fs, r_peaks=shifted)
    np.testing.assert_array_equal(d.r_peak, ecg.r_peaks)


@pytest.mark.parametrize("value", [0.0, 1.7])
def test_flat_signal_has_no_beats_and_no_waves(value):
    x = np.full(5000, value)
    assert len(delineate(x, 500.0)) == 0
    d = delineate(x, 500.0, r_peaks=np.array([1000, 2000]))
    np.testing.assert_array_equal(d.r_peak, [1000, 2000])
    others = np.delete(d.as_array(), FIDUCIALS.index("r_peak"), axis=1)
    assert np.all(others == -1)


def test_nan_stretch_blanks_only_what_it_touches():
    fs = 250.0
    ecg = _ecg(fs, duration=12.0)
    x = ecg.signal[:, 0].astype(np.float64)
    clean = delineate(x, fs, r_peaks=ecg.r_peaks)
    hole = slice(int(5.0 * fs), int(6.5 * fs))
    x[hole] = np.nan
    d = delineate(x, fs, r_peaks=ecg.r_peaks)
    a, c = d.as_array(), clean.as_array()
    waves = np.delete(a, FIDUCIALS.index("r_peak"), axis=1)  # r_peak stays the given beat position
    assert not np.any((waves >= hole.start) & (waves < hole.stop))  # no wave boundary on a NaN sample
    lo, hi = hole.start - int(1.0 * fs), hole.stop + int(0.7 * fs)
    far = (ecg.r_peaks < lo - 1) | (ecg.r_peaks > hi + 1)  # windows that never see the hole
    np.testing.assert_array_equal(a[far], c[far])
    assert np.all(a[~far][:, FIDUCIALS.index("r_peak")] >= 0)


def test_all_nan_and_empty_signals():
    assert len(delineate(np.full(2000, np.nan), 500.0)) == 0
    assert len(delineate(np.zeros(0), 500.0)) == 0
    assert detect_r_peaks(np.full(100, np.nan), 500.0).size == 0


def test_delineation_to_dict_and_from_array_round_trip():
    d = Delineation.from_array(np.arange(18).reshape(2, 9), 500.0)
    assert list(d.to_dict()) == list(FIDUCIALS)
    assert d.to_dict()["qrs_on"] == [3, 12]
    np.testing.assert_array_equal(Delineation.from_array(d.as_array(), 500.0).as_array(), d.as_array())


def test_bad_inputs_raise_clear_errors():
    x = np.zeros(1000)
    with pytest.raises(ConfigError, match="valid delineation methods: wavelet"):
        delineate(x, 500.0, method="magic")
    with pytest.raises(ConfigError, match="1-D"):
        delineate(np.zeros((100, 2)), 500.0)
    with pytest.raises(ConfigError, match="sampling_rate"):
        delineate(x, 0.0)
    with pytest.raises(ConfigError, match="strictly increasing"):
        delineate(x, 500.0, r_peaks=np.array([500, 400]))
    with pytest.raises(ConfigError, match="must lie in"):
        delineate(x, 500.0, r_peaks=np.array([500, 1000]))
    with pytest.raises(ConfigError, match="sample indices"):
        delineate(x, 500.0, r_peaks=np.array([10.5]))
