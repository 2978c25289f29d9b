"""EC57 scorer on the 48 MIT-BIH records (skipped when ../shared/data is absent)."""

import math

import numpy as np
import pytest

from ecgbench.evaluation import compare_annotations, compare_record, match_beats, score_records
from ecgbench.records import MITDB_RECORDS, is_beat, read_annotations

pytestmark = pytest.mark.slow
FS = 360.0
WINDOW = 54  # samples: bxb's strtim(".15") at 360 Hz
_PERCENT_KEYS = {"se", "ppv", "spec", "f1", "accuracy", "matched_accuracy", "episode_se", "episode_ppv",
                 "duration_se", "duration_ppv"}  # fmt: skip


@pytest.fixture(scope="module")
def annotations(mitdb_dir):
    return {r: read_annotations(r, mitdb_dir) for r in MITDB_RECORDS}


def _leaves(tree, path=""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}{key}.")
        elif value is not None:
            yield f"{path}{key}", key, value


def test_reference_against_itself_is_perfect(annotations):
    for record, ann in annotations.items():
        result = score_records([compare_annotations(ann, ann, learning_period=300.0)], exclude_paced=False)
        for path, key, value in _leaves(result.gross):
            if math.isnan(value):
                continue
            if key in _PERCENT_KEYS:
                assert value == 100.0, (record, path)
            if key == "fpr":
                assert value == 0.0, (record, path)
        assert result.gross["qrs"]["fn"] == result.gross["qrs"]["fp"] == 0


def _beats(ann):
    mask = is_beat(ann.symbol)
    return ann.sample[mask], ann.symbol[mask]


def test_shift_140_ms_keeps_and_160_ms_loses_every_beat(annotations):
    for shift_s in (0.140, 0.160):
        shift = round(shift_s * FS)  # 50 and 58 samples
        for record, ann in annotations.items():
            sample, symbol = _beats(ann)
            c = compare_record(record, sample, symbol, sample + shift, symbol, fs=FS)
            rr = np.diff(sample)
            if shift_s < 0.150:
                # every beat keeps its match unless the next reference beat is nearer to the moved
                # beat (RR < 2 x shift, heart rate > 214 bpm: records 203 and 205 only)
                if rr.min() > 2 * shift:
                    assert c.figures()["qrs"]["se"] == 100.0, record
                else:
                    assert c.fn <= np.count_nonzero(rr <= 2 * shift), record
            else:
                # a moved beat can only match the *next* reference beat, when RR is within
                # shift ± window; every other beat is missed
                assert c.tp == np.count_nonzero(np.abs(rr - shift) <= WINDOW), record
    assert {"203", "205"} >= {r for r, a in annotations.items() if np.diff(_beats(a)[0]).min() <= 100}


def test_qrs_figures_equal_wfdb_compare_annotations(annotations):
    from wfdb.processing import compare_annotations as wfdb_compare

    rng = np.random.default_rng(2024)
    for record, ann in annotations.items():
        ref, symbol = _beats(ann)
        keep = rng.random(ref.size) > 0.03
        test = np.sort(np.concatenate([ref[keep] + rng.integers(-45, 46, keep.sum()), rng.integers(0, ref[-1], 20)]))
        ours = compare_record(record, ref, symbol, test, ["N"] * test.size, fs=FS)
        # wfdb accepts |diff| < window_width; bxb accepts |diff| <= 54 samples, i.e. < 55
        theirs = wfdb_compare(ref, test, WINDOW + 1)
        assert (ours.tp, ours.fn, ours.fp) == (theirs.tp, theirs.fn, theirs.fp), record
        assert ours.sensitivity == pytest.approx(100 * theirs.sensitivity)
        assert ours.positive_predictivity == pytest.approx(100 * theirs.positive_predictivity)
        nearest = match_beats(ref, test, WINDOW, method="nearest")
        assert np.array_equal(match_beats(ref, test, WINDOW).ref_to_test, nearest.ref_to_test), record


def test_mitdb_conventions(annotations):
    # unreadable segments (~ with subtype -1) and VF ([ ]) are where the module docstring says
    shut = {r for r, a in annotations.items() if np.any((a.symbol == "~") & ((a.subtype & 0x30) == 0x30))}
    vf = {r for r, a in annotations.items() if np.any(a.symbol == "[")}
    assert shut == {"101", "105", "203", "208", "210"} and vf == {"207"}
