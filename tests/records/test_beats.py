"""Beat windows, causal RR features and per-record beat tables (pure NumPy)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records import AAMI_CLASSES, DS1, DS2, read_annotations, read_record
from ecgbench.records.beats import beat_windows, record_beats, rr_features, window_samples
from ecgbench.records.synthetic import write_synthetic_record


def test_default_window_is_288_samples_at_360_hz():
    assert window_samples(360.0) == (108, 180)


def test_windows_are_centred_on_the_peak_and_edge_padded():
    signal = np.arange(1000, dtype=np.float32)[:, None] * np.array([[1.0, -1.0]], dtype=np.float32)
    windows = beat_windows(signal, np.array([5, 500, 995]), 360.0)
    assert windows.shape == (3, 288, 2) and windows.dtype == np.float32
    assert windows[1, 108, 0] == 500 and windows[1, 0, 0] == 392 and windows[1, -1, 0] == 679
    assert np.all(windows[0, :103, 0] == 0) and windows[0, 108, 0] == 5  # edge value of sample 0 is 0
    assert np.all(windows[2, 113:, 0] == 999) and windows[2, 108, 1] == -995


def test_zero_padding_fills_outside_the_record_with_zeros():
    signal = np.full((500, 1), 2.0, dtype=np.float32)
    windows = beat_windows(signal, np.array([10]), 360.0, pad="zero")
    assert np.all(windows[0, :98] == 0) and np.all(windows[0, 98:] == 2.0)


def test_unknown_pad_mode_lists_valid_ones():
    with pytest.raises(ConfigError, match="edge, zero"):
        beat_windows(np.zeros((100, 1)), np.array([50]), 360.0, pad="mirror")


def test_rr_features_golden():
    rr = rr_features(np.array([0, 360, 720, 1260]), 360.0)
    np.testing.assert_allclose(rr.rr_pre, [1, 1, 1, 1.5])
    np.testing.assert_allclose(rr.rr_post, [1, 1, 1.5, 1.5])
    np.testing.assert_allclose(rr.rr_local, [1, 1, 1, 3.5 / 3], rtol=1e-6)
    np.testing.assert_allclose(rr.rr_average, [1, 1, 1, 3.5 / 3], rtol=1e-6)
    assert rr.rr_pre.dtype == np.float32


def test_rr_local_averages_only_the_last_ten_intervals_and_average_is_causal():
    intervals = np.arange(1, 16, dtype=float)  # 1 s, 2 s, … 15 s
    peaks = np.concatenate([[0], np.cumsum(intervals)]) * 100
    rr = rr_features(peaks, 100.0)
    assert rr.rr_local[15] == pytest.approx(np.mean(intervals[5:15]))
    assert rr.rr_average[15] == pytest.approx(np.mean(intervals))
    assert rr.rr_average[5] == pytest.approx(np.mean(intervals[:5]))  # nothing after beat 5 is used


def test_rr_features_edge_cases():
    assert np.all(np.isnan(rr_features(np.array([100]), 360.0).rr_pre))
    assert rr_features(np.array([], dtype=np.int64), 360.0).rr_pre.size == 0
    with pytest.raises(ConfigError, match="sorted"):
        rr_features(np.array([300, 100]), 360.0)


def test_record_beats_skips_non_beat_annotations(tmp_path):
    write_synthetic_record(tmp_path, "s1", duration=20.0, symbols="NNV", seed=3, extra_annotations=[(1000, "~", ""), (2000, "|", "")])
    table = record_beats(read_record("s1", tmp_path), read_annotations("s1", tmp_path))
    ann = read_annotations("s1", tmp_path)
    assert len(table) == int(np.isin(ann.symbol, list("NV")).sum())
    assert set(table.symbol) == {"N", "V"} and set(table.label) == {"N", "V"}
    assert table.windows.shape == (len(table), 288, 2)


@pytest.mark.slow
def test_de_chazal_beat_counts_on_real_data(mitdb_dir):
    """The builder's beat tables of DS1 / DS2 give de Chazal et al.'s (2004) class counts exactly."""
    expected = {"ds1": (DS1, [45866, 944, 3788, 415, 8]), "ds2": (DS2, [44259, 1837, 3221, 388, 7])}
    for split, (records, counts) in expected.items():
        got = Counter()
        for record in records:
            table = record_beats(read_record(record, mitdb_dir), read_annotations(record, mitdb_dir))
            assert table.windows.shape[1:] == (288, 2)
            assert not np.any(np.isnan(table.rr.rr_pre))
            got.update(table.label.tolist())
        assert [got[c] for c in AAMI_CLASSES] == counts, split
