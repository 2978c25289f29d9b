"""preceding_rr_irregularity: causal, per record, robust to isolated ectopy, high in AF-like rhythm."""

import numpy as np
import pytest

from ecgbench.data.rr_irregularity import MIN_INTERVALS, preceding_rr_irregularity
from ecgbench.errors import ConfigError

FS = 360


def _beats(rr: np.ndarray, name: str = "100"):
    sample = np.round(np.cumsum(rr) * FS).astype(np.int64)
    return np.full(rr.size, name), sample, rr


def test_regular_rhythm_is_zero_and_first_beats_get_zero():
    record, sample, rr = _beats(np.full(30, 0.8))
    value = preceding_rr_irregularity(record, sample, rr)
    assert value.dtype == np.float32
    assert np.all(value == 0.0)


def test_af_like_rhythm_is_far_above_sinus_with_isolated_ectopy():
    rng = np.random.default_rng(1)
    af = rng.uniform(0.4, 1.0, 200)  # irregularly irregular
    sinus = np.full(200, 0.8)
    sinus[50::20] = 0.5  # isolated premature beats ...
    sinus[51::20] = 1.1  # ... with their compensatory pauses
    rec_af, s_af, _ = _beats(af, "af")
    rec_sr, s_sr, _ = _beats(sinus, "sr")
    value = preceding_rr_irregularity(np.r_[rec_af, rec_sr], np.r_[s_af, s_sr], np.r_[af, sinus])
    af_value, sinus_value = value[:200][20:], value[200:][20:]
    assert np.median(af_value) > 0.2
    assert np.max(sinus_value) < 0.05  # the median ignores two ectopic intervals among eight


def test_beat_own_interval_is_left_out():
    rr = np.full(20, 0.8)
    rr[12] = 0.4  # beat 12 is premature
    record, sample, _ = _beats(rr)
    value = preceding_rr_irregularity(record, sample, rr)
    assert value[12] == 0.0  # its context (beats 4-11) is regular
    assert value[13] == 0.0 and value[14] == 0.0  # one early interval: median of the differences stays 0


def test_records_do_not_mix_and_order_does_not_matter():
    rng = np.random.default_rng(2)
    a_rec, a_s, a_rr = _beats(rng.uniform(0.4, 1.0, 40), "a")
    b_rec, b_s, b_rr = _beats(np.full(40, 0.7), "b")
    record, sample, rr = np.r_[a_rec, b_rec], np.r_[a_s, b_s], np.r_[a_rr, b_rr]
    value = preceding_rr_irregularity(record, sample, rr)
    assert np.all(value[40:] == 0.0)  # record b is regular whatever came before it in the arrays
    perm = rng.permutation(80)
    np.testing.assert_array_equal(preceding_rr_irregularity(record[perm], sample[perm], rr[perm]), value[perm])
    assert np.all(value[:MIN_INTERVALS] == 0.0) and value[MIN_INTERVALS] > 0.0


def test_bad_input_names_the_problem():
    with pytest.raises(ConfigError, match="one length"):
        preceding_rr_irregularity(np.array(["a", "a"]), np.array([1, 2]), np.array([0.8]))
    with pytest.raises(ConfigError, match="at least 3"):
        preceding_rr_irregularity(np.array(["a"]), np.array([1]), np.array([0.8]), n_intervals=2)
