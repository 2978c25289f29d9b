"""The named RR feature vector: order, ratios, the zero guard, NumPy/TF agreement."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.data import RR_FEATURE_NAMES, rr_features_numpy, rr_features_tf
from ecgbench.data.rr import check_rr_fields
from ecgbench.errors import ConfigError


def test_feature_vector_is_intervals_then_ratios_to_the_average():
    example = {"rr_pre": [0.5, 0.9], "rr_post": [1.0, 0.8], "rr_local": [0.75, 0.8], "rr_average": [1.0, 0.8]}
    rr = rr_features_numpy(example)
    intervals = ("rr_pre", "rr_post", "rr_local", "rr_average")
    assert RR_FEATURE_NAMES == (*intervals, "rr_pre_ratio", "rr_post_ratio", "rr_local_ratio")
    assert rr.shape == (2, 7) and rr.dtype == np.float32
    np.testing.assert_allclose(rr[0], [0.5, 1.0, 0.75, 1.0, 0.5, 1.0, 0.75])
    np.testing.assert_allclose(rr[1], [0.9, 0.8, 0.8, 0.8, 1.125, 1.0, 1.0], rtol=1e-6)


def test_zero_or_missing_average_gives_neutral_ratios():
    rr = rr_features_numpy({"rr_pre": [0.0, 0.7], "rr_post": [0.8, 0.7], "rr_local": [0.8, 0.7], "rr_average": [0.0, 0.01]})
    assert np.all(np.isfinite(rr))
    np.testing.assert_array_equal(rr[:, 4:], 1.0)


def test_tensorflow_twin_matches_numpy(beat_arrays):
    import tensorflow as tf

    expected = rr_features_numpy(beat_arrays)
    got = rr_features_tf({k: tf.constant(v) for k, v in beat_arrays.items() if k.startswith("rr_")}).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_missing_field_names_it_and_the_build_command():
    with pytest.raises(ConfigError, match=r"rr_local.*build-dataset --config beats"):
        check_rr_fields({"rr_pre", "rr_post", "rr_average"}, "my dataset")
