"""Scoring class labels of reference beats (shared by the runner and the leaderboard checker)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.evaluation import score_records
from ecgbench.evaluation.labelled import compare_labelled_beats, figures_with_intervals, flatten, number

FS = 360.0


def _beats():
    # Two records, beats deliberately out of time order within record "200".
    record = np.array(["200", "200", "200", "201", "201", "201", "201"])
    sample = np.array([720, 360, 1080, 360, 720, 1080, 1440])
    reference = np.array([2, 0, 0, 0, 1, 0, 2])  # N=0 S=1 V=2
    return record, sample, reference


def test_perfect_labels_score_100_and_records_keep_first_appearance_order():
    record, sample, reference = _beats()
    comparisons = compare_labelled_beats(record, sample, reference, reference, FS)
    assert [c.record for c in comparisons] == ["200", "201"]
    figures = figures_with_intervals(score_records(comparisons), ["gross.accuracy", "gross.veb.se"])
    assert figures["gross.accuracy"] == {"value": 100.0, "ci_low": None, "ci_high": None}
    assert figures["gross.veb.se"]["value"] == 100.0


def test_one_missed_veb_halves_veb_sensitivity():
    record, sample, reference = _beats()
    predicted = reference.copy()
    predicted[0] = 0  # the V at sample 720 of record 200 called N
    result = score_records(compare_labelled_beats(record, sample, reference, predicted, FS))
    figures = figures_with_intervals(result, ["gross.veb.se", "gross.accuracy"], with_ci=["gross.veb.se"], n_resamples=20)
    assert figures["gross.veb.se"]["value"] == pytest.approx(50.0)
    assert figures["gross.accuracy"]["value"] == pytest.approx(100 * 6 / 7)
    assert figures["gross.veb.se"]["ci_low"] is not None and figures["gross.accuracy"]["ci_low"] is None


def test_unknown_key_is_named():
    record, sample, reference = _beats()
    result = score_records(compare_labelled_beats(record, sample, reference, reference, FS))
    with pytest.raises(KeyError, match="gross.nonsense"):
        figures_with_intervals(result, ["gross.nonsense"])


def test_flatten_and_number():
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}
    assert number(float("nan")) is None and number(None) is None and number(2) == 2.0
