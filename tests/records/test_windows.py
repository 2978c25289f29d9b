"""Rhythm windows: straddle rule, class map, edge cases (pure NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records import RhythmInterval
from ecgbench.records.windows import RHYTHM_CLASSES, rhythm_class, rhythm_windows

FS = 100.0  # 10-s windows = 1000 samples, 5-s stride = 500


def test_windows_cover_the_record_without_running_past_its_end():
    w = rhythm_windows([RhythmInterval(0, 3000, "N")], 3000, FS)
    assert w.start.tolist() == [0, 500, 1000, 1500, 2000] and w.length == 1000
    assert w.label.tolist() == ["N"] * 5 and np.all(w.label_fraction == 1.0)


def test_straddling_window_takes_the_majority_rhythm_and_its_fraction():
    intervals = [RhythmInterval(0, 1300, "N"), RhythmInterval(1300, 3000, "AFIB")]
    w = rhythm_windows(intervals, 3000, FS)
    assert w.label.tolist() == ["N", "N", "AFIB", "AFIB", "AFIB"]
    np.testing.assert_allclose(w.label_fraction, [1.0, 0.8, 0.7, 1.0, 1.0])


def test_exact_tie_goes_to_the_newer_rhythm():
    w = rhythm_windows([RhythmInterval(0, 500, "N"), RhythmInterval(500, 1000, "VT")], 1000, FS)
    assert w.label.tolist() == ["VT"] and w.label_fraction.tolist() == [0.5]


def test_windows_without_a_majority_or_without_annotation_are_dropped():
    three = [RhythmInterval(0, 400, "N"), RhythmInterval(400, 700, "VT"), RhythmInterval(700, 1500, "B")]
    w = rhythm_windows(three, 1500, FS)
    assert w.start.tolist() == [500]  # window 0: 40 % N, 30 % VT, 30 % B → dropped
    late = rhythm_windows([RhythmInterval(800, 2000, "N")], 2000, FS)
    assert late.start.tolist() == [500, 1000]  # window 0 is 80 % unannotated
    assert len(rhythm_windows([], 2000, FS)) == 0


def test_rare_rhythms_map_to_other_and_keep_their_name():
    w = rhythm_windows([RhythmInterval(0, 1000, "NOD")], 1000, FS)
    assert w.label.tolist() == ["OTHER"] and w.rhythm.tolist() == ["NOD"]
    assert [rhythm_class(r) for r in ("AFIB", "P", "IVR", "weird")] == ["AFIB", "P", "OTHER", "OTHER"]
    assert RHYTHM_CLASSES[-1] == "OTHER" and len(set(RHYTHM_CLASSES)) == 10


def test_short_record_gives_no_window_and_bad_lengths_raise():
    assert len(rhythm_windows([RhythmInterval(0, 900, "N")], 900, FS)) == 0
    with pytest.raises(ConfigError, match="window_seconds"):
        rhythm_windows([], 1000, FS, window_seconds=0.0)


@pytest.mark.parametrize(("window", "stride"), [(4.0, 2.0), (30.0, 15.0)])
def test_other_window_lengths(window, stride):
    w = rhythm_windows([RhythmInterval(0, 6000, "N")], 6000, FS, window, stride)
    assert w.length == int(window * FS) and np.all(np.diff(w.start) == int(stride * FS))
