"""experiments/s_scale_ds1.py: the S factor is renormalised, and each fold's factor is chosen on the other folds only."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from ecgbench.models import BeatArrays

#: Ten DS1 records, dealt round-robin into five folds of two (101 114 | 106 115 | 108 116 | 109 118 | 112 119).
RECORDS = ("101", "106", "108", "109", "112", "114", "115", "116", "118", "119")
FOLD_0 = ("101", "114")
BEATS_PER_RECORD = 200


@pytest.fixture(scope="module")
def s_scale():
    return importlib.import_module("experiments.beat_recipes.s_scale_ds1")


def _beats_and_probabilities() -> tuple[BeatArrays, np.ndarray]:
    """Regular 60-bpm records, every tenth beat S.

    Outside fold 0 an S beat has p(S) 0.4 against p(N) 0.6, so any factor from 1.5 to 9 finds
    every S beat and calls no N beat S. In fold 0 an S beat has p(S) 0.2 against 0.8, which no
    factor up to 4 rescues: chosen on fold 0 alone, the factor would stay 1.
    """
    n = len(RECORDS) * BEATS_PER_RECORD
    record = np.repeat(RECORDS, BEATS_PER_RECORD)
    sample = np.tile(100 + 360 * np.arange(BEATS_PER_RECORD), len(RECORDS)).astype(np.int64)
    label = np.where(np.arange(n) % 10 == 5, 1, 0).astype(np.int64)
    p_s = np.where(label == 1, np.where(np.isin(record, FOLD_0), 0.2, 0.4), 0.1)
    probabilities = np.zeros((n, 5), np.float32)
    probabilities[:, 0], probabilities[:, 1] = 1.0 - p_s, p_s
    beats = BeatArrays(signal=np.zeros((n, 1, 1), np.float32), rr=np.zeros((n, 0), np.float32), label=label, record=record, sample=sample)
    return beats, probabilities


def test_scaled_multiplies_the_odds_of_s_and_renormalises(s_scale):
    probabilities = np.array([[0.5, 0.2, 0.3, 0.0, 0.0], [0.1, 0.6, 0.1, 0.1, 0.1]], np.float32)
    out = s_scale.scaled(probabilities, 2.0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(out[:, 1] / out[:, 0], 2.0 * probabilities[:, 1] / probabilities[:, 0], rtol=1e-5)
    np.testing.assert_allclose(out[:, 2] / out[:, 0], probabilities[:, 2] / probabilities[:, 0], rtol=1e-5)


def test_each_fold_gets_the_factor_chosen_on_the_other_folds(s_scale):
    beats, probabilities = _beats_and_probabilities()
    fold_0 = np.isin(beats.record, FOLD_0)
    assert s_scale.best_factor(beats.subset(fold_0), probabilities[fold_0]) == 1.0  # what a leak would give fold 0
    result = s_scale.nested("synthetic", beats, probabilities)
    factors = {tuple(fold["held_out"]): fold["factor"] for fold in result["folds"]}
    assert len(factors) == 5
    assert set(factors.values()) == {2.0 ** 0.75}  # the smallest factor of the grid above 1.5, for every fold
    assert result["factor_all_folds"] == 2.0 ** 0.75
    assert (result["without"]["sveb.f1"] or 0.0) == 0.0
    assert result["with"]["sveb.se"] == pytest.approx(80.0)  # every S beat but fold 0's
    assert result["with"]["sveb.ppv"] == pytest.approx(100.0)
