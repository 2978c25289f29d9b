"""AF irregularity measures: regular → low, AF-like → high, isolated ectopy filtered, golden values, edges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.signal.af_irregularity import (
    AF_FEATURE_NAMES,
    af_irregularity_features,
    ectopic_filtered_rr,
    ectopic_fraction,
    ectopic_mask,
    filtered_irregularity,
    ks_distance,
    normalised_successive_differences,
    shannon_entropy,
)

RNG = np.random.default_rng(7)
SINUS = 0.8 + 0.01 * RNG.standard_normal(14)  # 75 bpm, 1 % jitter
AF = RNG.uniform(0.45, 1.1, 14)  # irregularly irregular
# sinus with one premature beat (0.5 s) and its compensatory pause (1.1 s)
ECTOPY = np.array([0.8, 0.8, 0.8, 0.8, 0.5, 1.1, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8])


def test_regular_sinus_is_low_and_af_high():
    # the ectopic filter also flattens part of AF's irregularity, so AF stays lower than its raw RMSSD
    assert filtered_irregularity(SINUS) < 0.015 < 0.03 < filtered_irregularity(AF)
    assert ectopic_fraction(SINUS) == 0.0 and ectopic_fraction(AF) > 0.2
    assert shannon_entropy(np.full(10, 0.8)) == 0.0 and shannon_entropy(AF) > 0.6


def test_isolated_ectopic_beat_is_filtered():
    mask = ectopic_mask(ECTOPY)
    np.testing.assert_array_equal(np.flatnonzero(mask), [4, 5])
    np.testing.assert_allclose(ectopic_filtered_rr(ECTOPY), np.full(12, 0.8))
    assert ectopic_fraction(ECTOPY) == pytest.approx(2 / 12)
    assert filtered_irregularity(ECTOPY) == 0.0  # while the raw RMSSD is large
    assert np.sqrt(np.mean(np.diff(ECTOPY) ** 2)) > 0.2


def test_filtered_irregularity_golden():
    # no interval deviates 20 % from its running median: |ΔRR| = 0.1, 0.1, 0.1; mean RR 0.85
    rr = np.array([0.8, 0.9, 0.8, 0.9])
    assert filtered_irregularity(rr) == pytest.approx(0.1 / 0.85)


def test_shannon_entropy_golden():
    # two equally filled extreme bins of 16: entropy ln 2 / ln 16 = 0.25
    assert shannon_entropy([0.6, 1.0, 0.6, 1.0]) == pytest.approx(0.25)


def test_ks_distance_prefers_the_matching_distribution():
    reference = np.concatenate([normalised_successive_differences(RNG.uniform(0.45, 1.1, 40)) for _ in range(20)])
    assert ks_distance(AF, reference) < 0.35 < ks_distance(SINUS, reference)
    assert math.isnan(ks_distance([0.8, 0.8], reference))
    with pytest.raises(ConfigError, match="reference"):
        ks_distance(AF, np.array([]))


def test_edges_are_nan_and_bad_shapes_raise():
    features = af_irregularity_features([0.8, 0.8])
    assert features.shape == (len(AF_FEATURE_NAMES),) and np.isnan(features).all()
    assert math.isnan(shannon_entropy([0.8, 0.9, 0.7])) and math.isnan(filtered_irregularity([]))
    assert af_irregularity_features([0.8, np.nan, 0.8, 0.8, 0.8])[AF_FEATURE_NAMES.index("filtered_irregularity")] == 0.0
    with pytest.raises(ConfigError, match="1-D"):
        af_irregularity_features(np.zeros((2, 3)))
    with pytest.raises(ConfigError, match="odd"):
        ectopic_mask(SINUS, length=4)


@pytest.mark.parametrize("rr", [SINUS, AF, ECTOPY, ECTOPY[:3], ECTOPY[:2], np.array([0.8, np.nan, 0.5, 1.1, 0.8])])
def test_window_features_equal_the_separate_measures(rr):
    """The features share one ectopic filter per window; they must equal the public functions exactly."""
    filtered = ectopic_filtered_rr(rr)
    rmssd_norm = float(np.sqrt(np.mean(np.diff(filtered) ** 2)) / np.mean(filtered)) if filtered.size >= 3 else math.nan
    expected = np.array([ectopic_fraction(rr), filtered_irregularity(rr), rmssd_norm, shannon_entropy(rr)])
    np.testing.assert_array_equal(af_irregularity_features(rr), expected)
