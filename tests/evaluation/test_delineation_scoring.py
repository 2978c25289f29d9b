"""LUDB wave triples and delineation scoring (matching, annotated span, errors), plus real LUDB figures."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.records import read_annotations, read_record, write_annotations
from ecgbench.records.ludb import Waves, annotated_span, read_ludb_waves, waves_from_annotations, waves_to_annotations
from ecgbench.signal.delineation import Delineation, delineate
from ecgbench.evaluation.delineation import DelineationScore, match_peaks, score_delineation
from ecgbench.signal.delineation_stream import StreamingDelineator

SAMPLE = np.array([10, 20, 30, 40, 50, 60, 70, 80, 95, 100])
SYMBOL = np.array(["(", "p", ")", "(", "N", ")", "t", ")", "(", "N"])


def test_waves_from_annotations_pairs_neighbours_and_marks_missing():
    w = waves_from_annotations(SAMPLE, SYMBOL)
    np.testing.assert_array_equal(w["p"].onset, [10])
    np.testing.assert_array_equal(w["qrs"].peak, [50, 100])
    np.testing.assert_array_equal(w["qrs"].offset, [60, -1])  # last QRS has no ")"
    np.testing.assert_array_equal(w["t"].onset, [-1])  # "t" directly after ")" has no onset
    np.testing.assert_array_equal(w["t"].offset, [80])
    assert annotated_span(SAMPLE) == (10, 100)


def test_waves_round_trip_through_a_wfdb_file(tmp_path):
    w = waves_from_annotations(SAMPLE, SYMBOL)
    sample, symbol = waves_to_annotations(w)
    np.testing.assert_array_equal(sample, SAMPLE)
    np.testing.assert_array_equal(symbol, SYMBOL)
    write_annotations("r", "ii", sample, symbol, 500.0, tmp_path)
    back, span = read_ludb_waves("r", tmp_path, "ii")
    assert span == (10, 100)
    np.testing.assert_array_equal(back["t"].offset, w["t"].offset)


def test_foreign_symbols_are_refused(tmp_path):
    from ecgbench.errors import CorruptDataError

    write_annotations("r", "ii", np.array([5, 9]), ["N", "V"], 500.0, tmp_path)
    with pytest.raises(CorruptDataError, match="r.ii.*not LUDB wave symbols"):
        read_ludb_waves("r", tmp_path, "ii")


def test_match_peaks_nearest_first_one_to_one():
    assert match_peaks(np.array([100, 104, 300]), np.array([103, 500]), tolerance=10) == [(1, 0)]
    assert match_peaks(np.array([]), np.array([1]), 5) == []


def _delineation(rows: list[list[int]]) -> Delineation:
    return Delineation.from_array(np.array(rows), 1000.0)


def test_score_counts_errors_and_ignores_detections_outside_the_span():
    reference = {
        "p": Waves(np.array([100]), np.array([150]), np.array([200])),
        "qrs": Waves(np.array([280]), np.array([300]), np.array([340])),
        "t": Waves(np.array([-1]), np.array([600]), np.array([700])),
    }
    d = _delineation([
        [-1, 20, -1, -1, 40, -1, -1, -1, -1],  # beat before the annotated span: ignored
        [110, 160, 190, 290, 302, 350, 500, 590, 720],
        [-1, -1, -1, 900, 905, 930, -1, 1000, -1],  # extra QRS and T inside the span: false positives
    ])  # fmt: skip
    s = score_delineation(d, reference, span=(100, 1200), tolerance_s=0.15)
    assert (s.tp["qrs"], s.fp["qrs"], s.fn["qrs"]) == (1, 1, 0)
    assert (s.tp["t"], s.fp["t"], s.fn["t"]) == (1, 1, 0)
    assert (s.tp["p"], s.fp["p"], s.fn["p"]) == (1, 0, 0)
    np.testing.assert_array_equal(s.errors_ms["qrs_on"], [10.0])
    np.testing.assert_array_equal(s.errors_ms["t_off"], [20.0])
    assert s.errors_ms["t_on"].size == 0  # reference T onset missing
    pooled = (s + s).summary()
    assert pooled["waves"]["qrs"]["se"] == 1.0 and pooled["waves"]["qrs"]["ppv"] == 0.5
    assert pooled["fiducials"]["p_on"]["meets_2sigma"] is True  # SD 0 ≤ 20.4 ms
    assert np.isnan(DelineationScore().sensitivity("p"))


@pytest.mark.slow
def test_ludb_first_records_reach_published_quality(ludb_dir):
    """Records 1-10, lead II: detection and boundary errors stay at the benchmark's level."""
    total = DelineationScore()
    data = ludb_dir / "data"
    for k in range(1, 11):
        rec = read_record(str(k), data)
        reference, span = read_ludb_waves(str(k), data, "ii")
        total = total + score_delineation(delineate(rec.lead("ii"), rec.fs), reference, span)
    s = total.summary()
    assert s["waves"]["qrs"]["se"] >= 0.98 and s["waves"]["qrs"]["ppv"] >= 0.95
    assert s["waves"]["t"]["se"] >= 0.9 and s["waves"]["p"]["se"] >= 0.8
    assert s["fiducials"]["t_off"]["meets_2sigma"]
    assert abs(s["fiducials"]["r_peak"]["mean_ms"]) < 10


@pytest.mark.slow
def test_ludb_stream_equals_batch(ludb_dir):
    data = ludb_dir / "data"
    rec = read_record("2", data)
    x = rec.lead("ii")
    r = read_annotations("2", data, "ii")
    r_peaks = r.sample[r.symbol == "N"]
    stream = StreamingDelineator(rec.fs)
    parts = [stream.push(x[i : i + 250], r_peaks[(r_peaks >= i) & (r_peaks < i + 250)]).as_array() for i in range(0, x.size, 250)]
    parts.append(stream.flush().as_array())
    np.testing.assert_array_equal(np.concatenate(parts), delineate(x, rec.fs, r_peaks=r_peaks).as_array())
