"""RR periodicity: bigeminy / trigeminy periodic, AF-like and sinus not; golden values; short and NaN input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.signal.rr_periodicity import (
    MIN_PAIRS,
    PERIODICITY_FEATURE_NAMES,
    lagged_correlation,
    rr_periodicity_features,
)

N_INTERVALS = 13  # a 10-s window at ~80 bpm
N_WINDOWS = 200  # seeded windows per rhythm for the distribution checks
JITTER_S = 0.02  # beat-to-beat noise of the synthetic rhythms (seconds)
LAG1, LAG2, LAG3, BEST = range(4)


def _windows(pattern_s: tuple[float, ...], seed: int) -> np.ndarray:
    """``[N_WINDOWS, N_INTERVALS]`` repeats of a pattern (s) with Gaussian jitter and a random phase."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(N_WINDOWS):
        start = int(rng.integers(len(pattern_s)))
        base = np.resize(np.roll(pattern_s, -start), N_INTERVALS)
        rows.append(base + JITTER_S * rng.standard_normal(N_INTERVALS))
    return np.array(rows)


def _features(windows: np.ndarray) -> np.ndarray:
    return np.array([rr_periodicity_features(w) for w in windows])


BIGEMINY = _features(_windows((0.55, 1.05), seed=1))  # coupling interval, compensatory pause
TRIGEMINY = _features(_windows((0.8, 0.5, 1.1), seed=2))  # normal, coupling, pause
SINUS = _features(_windows((0.8,), seed=3))  # 75 bpm with 20 ms jitter
AF = _features(np.random.default_rng(4).uniform(0.4, 1.2, (N_WINDOWS, N_INTERVALS)))  # iid intervals


def test_names_match_the_feature_vector():
    assert len(PERIODICITY_FEATURE_NAMES) == rr_periodicity_features(np.arange(1, 13) * 0.1).size == 4


def test_golden_values_of_exact_patterns():
    np.testing.assert_allclose(rr_periodicity_features([0.5, 1.1] * 6), [-1.0, 1.0, -1.0, 1.0], atol=1e-12)
    trigeminy = rr_periodicity_features([0.8, 0.5, 1.1] * 4)
    np.testing.assert_allclose(trigeminy[[LAG3, BEST]], [1.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(trigeminy[[LAG1, LAG2]], [-0.538028, -0.466252], atol=1e-6)  # -1/2 in the long run
    # a linear trend is perfectly correlated with itself at every lag
    np.testing.assert_allclose(rr_periodicity_features(np.linspace(0.6, 0.9, 10)), [1.0, 1.0, 1.0, 1.0], atol=1e-12)


def test_bigeminy_alternates_and_trigeminy_repeats_every_third_interval():
    assert np.all(BIGEMINY[:, LAG1] < -0.9) and np.all(BIGEMINY[:, LAG2] > 0.9)
    assert np.all(TRIGEMINY[:, LAG3] > 0.9) and np.all(TRIGEMINY[:, LAG1] < -0.2)
    assert np.all(BIGEMINY[:, BEST] > 0.9) and np.all(TRIGEMINY[:, BEST] > 0.9)


def test_af_like_and_noisy_sinus_are_not_periodic():
    for rhythm in (AF, SINUS):
        assert np.all(np.isfinite(rhythm))
        assert abs(np.median(rhythm[:, LAG2])) < 0.15 and abs(np.median(rhythm[:, LAG3])) < 0.15
        assert np.quantile(rhythm[:, BEST], 0.95) < 0.6


def test_periodicity_separates_ectopic_patterns_from_af():
    periodic = np.concatenate([BIGEMINY[:, BEST], TRIGEMINY[:, BEST]])
    assert periodic.min() > AF[:, BEST].max()


def test_nan_intervals_skip_their_pairs_and_keep_the_phase():
    rr = np.array([0.5, 1.1] * 7)
    rr[5] = np.nan
    np.testing.assert_allclose(rr_periodicity_features(rr), [-1.0, 1.0, -1.0, 1.0], atol=1e-12)


def test_too_few_intervals_or_constant_series_are_nan():
    assert np.all(np.isnan(rr_periodicity_features([])))
    assert np.all(np.isnan(rr_periodicity_features([np.nan] * 12)))
    assert np.all(np.isnan(rr_periodicity_features(np.full(12, 0.8))))
    short = [0.5, 1.1] * 3  # 6 intervals: lags 1 and 2 have >= MIN_PAIRS pairs, lag 3 has 3
    assert MIN_PAIRS == 4
    features = rr_periodicity_features(short)
    assert math.isnan(features[LAG3]) and features[LAG2] == pytest.approx(1.0) and features[BEST] == pytest.approx(1.0)


def test_bad_input_raises_config_error():
    with pytest.raises(ConfigError, match="1-D"):
        rr_periodicity_features(np.ones((3, 4)))
    with pytest.raises(ConfigError, match="lag"):
        lagged_correlation(np.ones(8), 0)
