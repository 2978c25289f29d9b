"""RR-irregularity features: golden values on small series, entropy against a brute-force count, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.signal.rr_irregularity import (
    FEATURE_NAMES,
    coefficient_of_sample_entropy,
    rr_intervals,
    rr_irregularity_features,
    sample_entropy,
    turning_point_ratio,
)


def _feature(rr, name):
    return rr_irregularity_features(np.asarray(rr, float))[FEATURE_NAMES.index(name)]


def _brute_sampen(x, r, m):
    n = len(x) - m
    b = a = 0
    for i in range(n):
        for j in range(i + 1, n):
            if max(abs(x[i + k] - x[j + k]) for k in range(m)) <= r:
                b += 1
                if abs(x[i + m] - x[j + m]) <= r:
                    a += 1
    return -math.log(max(a, 1) / b)


def test_regular_rhythm_golden():
    rr = np.full(11, 0.8)
    f = dict(zip(FEATURE_NAMES, rr_irregularity_features(rr), strict=True))
    assert f["n_beats"] == 12
    assert f["hr_mean_bpm"] == pytest.approx(75.0) and f["hr_max_bpm"] == pytest.approx(75.0)
    assert f["rmssd_s"] == 0 and f["pnn50"] == 0 and f["rr_cv"] == 0 and f["tpr"] == 0
    # every pair matches at both lengths: SampEn = 0, COSEn = ln(0.06) - ln(0.8)
    assert f["sampen"] == 0
    assert f["cosen"] == pytest.approx(math.log(0.06) - math.log(0.8))


def test_alternating_rhythm_golden():
    rr = np.array([0.8, 1.0] * 5)
    assert _feature(rr, "rmssd_s") == pytest.approx(0.2)
    assert _feature(rr, "pnn50") == 1.0
    assert _feature(rr, "tpr") == 1.0
    assert _feature(rr, "hr_max_bpm") == pytest.approx(75.0)
    assert _feature(rr, "drr_range_norm") == pytest.approx(0.4 / 0.9)


def test_sample_entropy_matches_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = 0.8 + 0.05 * rng.standard_normal(20)
        assert sample_entropy(x, 0.03, 1) == pytest.approx(_brute_sampen(x, 0.03, 1))
        assert sample_entropy(x, 0.05, 2) == pytest.approx(_brute_sampen(x, 0.05, 2))


def test_cosen_separates_irregular_from_regular():
    rng = np.random.default_rng(0)
    regular = 0.8 + 0.01 * rng.standard_normal(15)
    irregular = rng.uniform(0.4, 1.2, 15)
    assert coefficient_of_sample_entropy(irregular) > coefficient_of_sample_entropy(regular) + 0.5


def test_turning_points():
    assert turning_point_ratio([1, 2, 1, 2]) == 1.0
    assert turning_point_ratio([1, 2, 3, 4]) == 0.0
    assert math.isnan(turning_point_ratio([1, 2]))


def test_rr_intervals_drop_non_physiological_and_sort():
    beats = np.array([720, 0, 360, 400, 1800])  # 1 s, 0.11 s (too short), 0.89 s, 3.0 s
    np.testing.assert_allclose(rr_intervals(beats, 360.0), [1.0, 320 / 360, 3.0])
    with pytest.raises(ConfigError, match="sampling_rate"):
        rr_intervals(beats, 0)


def test_edge_cases_are_nan_not_zero():
    empty = rr_irregularity_features(np.array([]))
    assert empty[0] == 0 and np.isnan(empty[1:]).all()
    one = dict(zip(FEATURE_NAMES, rr_irregularity_features(np.array([0.5])), strict=True))
    assert one["hr_mean_bpm"] == pytest.approx(120.0) and math.isnan(one["rmssd_s"]) and math.isnan(one["sampen"])
    with_nan = rr_irregularity_features(np.array([0.8, np.nan, 0.8, 0.8]))
    assert with_nan[0] == 4 and with_nan[FEATURE_NAMES.index("rmssd_s")] == 0
    with pytest.raises(ConfigError, match="1-D"):
        rr_irregularity_features(np.zeros((2, 2)))


def test_no_long_matches_bounded_by_ln_b():
    x = np.array([0.5, 0.5, 1.0, 0.6])  # m=1 templates 0.5,0.5,1.0 → B=1; m+1 pair (0.5,0.5)/(0.5,1.0) → A=0
    assert sample_entropy(x, 0.03, 1) == pytest.approx(0.0)  # -ln(1/1)
    assert math.isnan(sample_entropy(np.array([0.5, 1.0, 1.5]), 0.03, 1))  # no m-match at all
