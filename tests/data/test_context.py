"""Beat context (``ecgbench.data.context``): predecessor lookup, the context channels, the normaliser's record of it."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.data import fit_normalizer
from ecgbench.data.context import (
    CONTEXTS,
    check_context,
    context_windows,
    previous_beat_index,
    running_templates,
    with_context,
    with_previous_beat,
)
from ecgbench.data.normalization import Normalizer
from ecgbench.errors import ConfigError


def test_predecessor_is_the_previous_r_peak_of_the_same_record_in_any_order():
    record = np.array(["a", "b", "a", "a", "b", "c"])
    sample = np.array([500, 100, 300, 900, 40, 7])
    # a: 300 (2) -> itself, 500 (0) <- 2, 900 (3) <- 0; b: 40 (4) -> itself, 100 (1) <- 4; c alone.
    np.testing.assert_array_equal(previous_beat_index(record, sample), [2, 4, 2, 0, 4, 5])
    assert previous_beat_index(np.array([], str), np.array([], np.int64)).size == 0


def test_two_beats_at_one_sample_are_refused_naming_the_record():
    with pytest.raises(ConfigError, match="record a has two beats at sample 5"):
        previous_beat_index(np.array(["a", "a"]), np.array([5, 5]))


def test_context_channels_follow_the_beats_own_leads():
    signal = np.arange(3 * 4 * 2, dtype=np.float32).reshape(3, 4, 2)  # 3 beats, 4 samples, 2 leads
    out = with_previous_beat(signal, np.array(["r", "r", "r"]), np.array([10, 20, 30]))
    assert out.shape == (3, 4, 4)
    np.testing.assert_array_equal(out[:, :, :2], signal)
    np.testing.assert_array_equal(out[1:, :, 2:], signal[:-1])
    np.testing.assert_array_equal(out[0, :, 2:], signal[0])  # the first beat is its own predecessor
    with pytest.raises(ConfigError, match="one window per beat"):
        with_previous_beat(signal, np.array(["r"]), np.array([1]))


def test_unknown_context_lists_the_valid_ones():
    assert CONTEXTS == ("previous_beat", "previous_beat_and_template") and check_context(None) is None
    with pytest.raises(ConfigError, match="unknown recipe options.context 'next_beat'.*previous_beat"):
        check_context("next_beat", "recipe options.context")
    with pytest.raises(ConfigError, match="must be one of previous_beat, previous_beat_and_template or null"):
        check_context(3, "recipe options.context")
    assert [context_windows(c) for c in (None, *CONTEXTS)] == [1, 2, 3]


def test_normaliser_records_the_context_and_old_files_read_as_none(beat_arrays):
    signal = with_previous_beat(beat_arrays["signal"], beat_arrays["record"], beat_arrays["sample"])
    fitted = fit_normalizer({**beat_arrays, "signal": signal}, context="previous_beat")
    assert fitted.context == "previous_beat" and fitted.n_leads == 4
    again = Normalizer.from_dict(fitted.to_dict())
    assert again == fitted
    plain = fit_normalizer(beat_arrays)
    assert "context" not in plain.to_dict() and Normalizer.from_dict(plain.to_dict()).context is None
    with pytest.raises(ConfigError, match="multiple of 2 signal channels"):
        Normalizer.from_dict({**plain.to_dict(), "context": "previous_beat", "signal_mean": [0.0] * 3, "signal_std": [1.0] * 3})


@pytest.mark.parametrize("block", [512, 5])
def test_template_is_the_median_of_the_last_predecessors_of_the_same_record(block, monkeypatch):
    """Brute force over two interleaved records, one shorter than the template, in shuffled order;
    ``block`` 5 splits record a's 24 full-template beats into several blocks of the offline median."""
    import ecgbench.data.context as context

    monkeypatch.setattr(context, "_TEMPLATE_BLOCK", block)
    rng = np.random.default_rng(0)
    record = np.array(["a"] * 40 + ["b"] * 5)
    sample = np.r_[np.arange(40) * 300, np.arange(5) * 250]
    signal = rng.normal(size=(45, 6, 2)).astype(np.float32)
    shuffle = rng.permutation(45)
    got = running_templates(signal[shuffle], record[shuffle], sample[shuffle], beats=16)[np.argsort(shuffle)]
    for name, rows in (("a", np.arange(40)), ("b", np.arange(40, 45))):
        np.testing.assert_array_equal(got[rows[0]], signal[rows[0]])  # the first beat is its own template
        for i in range(1, rows.size):
            before = signal[rows[max(0, i - 16) : i]]
            np.testing.assert_array_equal(got[rows[i]], np.median(before, axis=0), err_msg=f"record {name} beat {i}")
    assert got.dtype == np.float32
    with pytest.raises(ConfigError, match="at least one predecessor"):
        running_templates(signal, record, sample, beats=0)
    assert running_templates(signal[:0], record[:0], sample[:0]).shape == (0, 6, 2)
    with pytest.raises(ConfigError, match="record a has two beats at sample 0"):
        running_templates(signal[:2], np.array(["a", "a"]), np.array([0, 0]))


def test_template_context_appends_the_previous_beat_then_the_template():
    rng = np.random.default_rng(1)
    signal = rng.normal(size=(30, 5, 2)).astype(np.float32)
    record, sample = np.array(["r"] * 30), np.arange(30) * 100
    out = with_context(signal, record, sample, "previous_beat_and_template")
    assert out.shape == (30, 5, 6)
    np.testing.assert_array_equal(out[:, :, :4], with_previous_beat(signal, record, sample))
    np.testing.assert_array_equal(out[:, :, 4:], running_templates(signal, record, sample))
    np.testing.assert_array_equal(with_context(signal, record, sample, "previous_beat"), out[:, :, :4])
