"""Beat features: RR intervals (causal local/average), intervals from given fiducials, amplitudes, units."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.signal import beat_features, rr_features

FS = 100.0


def test_rr_features_golden() -> None:
    peaks = np.array([0, 100, 200, 250, 400])  # RR 1.0, 1.0, 0.5, 1.5 s
    f = rr_features(peaks, FS, local_beats=2)
    np.testing.assert_allclose(f["rr_prev"], [np.nan, 1.0, 1.0, 0.5, 1.5])
    np.testing.assert_allclose(f["rr_next"], [1.0, 1.0, 0.5, 1.5, np.nan])
    np.testing.assert_allclose(f["rr_local"], [np.nan, 1.0, 1.0, 0.75, 1.0])
    np.testing.assert_allclose(f["rr_average"], [np.nan, 1.0, 1.0, 2.5 / 3, 1.0])
    np.testing.assert_allclose(f["rr_prev_to_local"], [np.nan, 1.0, 1.0, 0.5 / 0.75, 1.5])
    np.testing.assert_allclose(f["rr_next_to_prev"], [np.nan, 1.0, 0.5, 3.0, np.nan])
    assert f.units["rr_prev"] == "s" and f.units["rr_prev_to_average"] == "1"
    assert f.matrix(["rr_prev", "rr_next"]).shape == (5, 2)


def test_rr_average_is_causal_and_windowed() -> None:
    peaks = np.arange(0, 1000 * 100, 100)  # 1 s RR for 1000 s
    peaks[-1] += 50  # the last RR is 1.5 s
    f = rr_features(peaks, FS, average_s=10.0)
    # Only the intervals ending in the last 10 s count, and nothing after the beat.
    assert f["rr_average"][-1] == pytest.approx((9 * 1.0 + 1.5) / 10, rel=1e-9)
    assert f["rr_average"][-2] == pytest.approx(1.0)


def test_empty_and_single_beat() -> None:
    assert rr_features(np.zeros(0, int), FS)["rr_prev"].size == 0
    one = rr_features(np.array([10]), FS)
    assert np.isnan(one["rr_prev"]).all() and np.isnan(one["rr_local"]).all()


def test_interval_features_from_given_fiducials() -> None:
    x = np.zeros(1000)
    peaks = np.array([300, 400, 500])
    x[peaks] = 1.2
    x[peaks + 3] = -0.3
    fiducials = {
        "p_onset": np.array([280, 380, -1]),  # -1: P wave not found
        "p_peak": np.array([285, 385, -1]),
        "qrs_onset": np.array([296, 396, 496]),
        "qrs_offset": np.array([305, 405, 505]),
        "t_peak": np.array([320, 420, 520]),
        "t_offset": np.array([335, 435, np.nan]),
    }
    x[fiducials["t_peak"]] = 0.4
    f = beat_features(x, peaks, FS, fiducials)
    np.testing.assert_allclose(f["qrs_width"], [0.09, 0.09, 0.09])
    np.testing.assert_allclose(f["pr_interval"], [0.16, 0.16, np.nan])
    np.testing.assert_allclose(f["qt_interval"], [0.39, 0.39, np.nan])
    np.testing.assert_allclose(f["qtc_bazett"], [np.nan, 0.39, np.nan])  # RR_prev = 1 s for beat 2
    np.testing.assert_allclose(f["r_amplitude"], [1.2, 1.2, 1.2])
    np.testing.assert_allclose(f["qrs_peak_to_peak"], [1.5, 1.5, 1.5])
    np.testing.assert_allclose(f["t_amplitude"], [0.4, 0.4, 0.4])
    assert f.units["qrs_width"] == "s" and f.units["r_amplitude"] == "mV"


def test_without_fiducials_intervals_are_nan_amplitudes_defined() -> None:
    x = np.sin(np.arange(1000) / 10.0)
    f = beat_features(x, np.array([100, 300, 500]), FS)
    assert np.isnan(f["qrs_width"]).all() and np.isnan(f["qt_interval"]).all()
    assert np.isfinite(f["qrs_peak_to_peak"]).all() and np.isfinite(f["r_amplitude"]).all()


def test_bad_input() -> None:
    with pytest.raises(ConfigError, match="strictly increasing"):
        rr_features(np.array([5, 3]), FS)
    with pytest.raises(ConfigError, match="one value per beat"):
        beat_features(np.zeros(100), np.array([10, 50]), FS, {"qrs_onset": np.array([5])})
    with pytest.raises(ConfigError, match="sampling_rate"):
        rr_features(np.array([1, 2]), 0.0)
    with pytest.raises(KeyError, match="no feature"):
        rr_features(np.array([1, 2]), FS)["qrs_width"]
