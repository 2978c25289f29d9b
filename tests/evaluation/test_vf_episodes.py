"""VF episode statistics with ``epicmp -V`` semantics and the AF flutter exclusion option, on hand-made annotations."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.evaluation.ec57 import compare_record
from ecgbench.evaluation.result import score_records
from ecgbench.evaluation.rhythm import vf_episodes

FS = 100.0  # Hz: one sample = 10 ms, so positions read as hundredths of a second
N = 10_000  # 100-s record


def _vf(*pairs, beats=()):
    """Annotations: ``[``/``]`` pairs (samples) plus a few N beats, sorted."""
    items = [(s, "[") for s, _ in pairs] + [(e, "]") for _, e in pairs if e is not None] + [(b, "N") for b in beats]
    items.sort()
    return np.array([s for s, _ in items]), [sym for _, sym in items]


def test_vf_episode_figures_match_epicmp_rules():
    # reference: three episodes (10 s, 2 s, 10 s); test: one overlapping the first by 1 s, one
    # false (4 s), none at the second, and one still open at the end overlapping the third by 5 s
    ref = _vf((1000, 2000), (5000, 5200), (8000, 9000), beats=(100, 300))
    test = _vf((1900, 2500), (3000, 3400), (8500, None), beats=(100, 300))
    cmp = compare_record("r1", *ref, *test, FS, n_samples=N)
    vf = score_records([cmp]).gross["vf"]
    assert (vf["tp_se"], vf["fn"], vf["tp_ppv"], vf["fp"]) == (2, 1, 2, 1)
    assert vf["episode_se"] == pytest.approx(200 / 3) and vf["episode_ppv"] == pytest.approx(200 / 3)
    # overlap 1 s + 5 s; reference 10 + 2 + 10 s; test 6 + 4 + 15 s (open episode runs to the end)
    assert (vf["overlap_s"], vf["ref_duration_s"], vf["test_duration_s"]) == (6.0, 22.0, 25.0)
    assert vf["duration_se"] == pytest.approx(600 / 22) and vf["duration_ppv"] == pytest.approx(24.0)


def test_learning_period_clips_and_touching_episodes_do_not_match():
    ref = _vf((1000, 2000), (5000, 5200))
    test = _vf((1900, 2500), (5200, 5300))  # the second only touches the reference's end
    cmp = compare_record("r1", *ref, *test, FS, n_samples=N, learning_period=19.5)
    vf = score_records([cmp]).gross["vf"]
    # scored from 1950: reference 1950-2000 (0.5 s) detected, 5000-5200 missed; test 1950-2500 confirmed, 5200-5300 not
    assert (vf["tp_se"], vf["fn"], vf["tp_ppv"], vf["fp"]) == (1, 1, 1, 1)
    assert (vf["overlap_s"], vf["ref_duration_s"], vf["test_duration_s"]) == (0.5, 2.5, 6.5)


def test_vf_rhythm_notes_define_episodes_when_there_are_no_brackets():
    sample = np.array([0, 1000, 1500, 2000, 6000])
    symbol = ["+", "+", "+", "+", "+"]
    aux = ["(N", "(VFL", "(VF", "(N", "(VFIB"]
    assert vf_episodes(sample, np.array(symbol), aux, N).tolist() == [[1000, 2000], [6000, N]]
    # brackets, when present, are what epicmp reads
    assert vf_episodes(np.array([10, 20, 30]), np.array(["[", "]", "+"]), ["", "", "(VF"], N).tolist() == [[10, 20]]


def test_no_vf_anywhere_leaves_the_result_without_a_vf_block():
    beats = np.array([100, 200, 300]), ["N", "N", "N"]
    assert "vf" not in score_records([compare_record("r1", *beats, *beats, FS)]).gross


@pytest.mark.parametrize("exclude, expected", [(False, (1, 1, 12.0)), (True, (1, 0, 4.0))])
def test_af_flutter_exclusion_is_an_option_recorded_in_the_settings(exclude, expected):
    # reference AF 0-10 s then AFL 10-20 s then N; test AF 2-6 s and 12-20 s (inside the reference flutter)
    ref = (np.array([0, 1000, 2000]), ["+", "+", "+"], ["(AFIB", "(AFL", "(N"])
    test = (np.array([200, 600, 1200, 2000]), ["+", "+", "+", "+"], ["(AFIB", "(N", "(AFIB", "(N"])
    cmp = compare_record(
        "r1", ref[0], ref[1], test[0], test[1], FS, ref_aux=ref[2], test_aux=test[2], n_samples=N,
        af_exclude_flutter=exclude,
    )  # fmt: skip
    result = score_records([cmp])
    af = result.gross["af"]
    assert (af["tp_ppv"], af["fp"], af["test_duration_s"]) == expected
    assert result.to_dict()["settings"]["af_exclude_flutter"] is exclude
