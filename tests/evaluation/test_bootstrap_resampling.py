"""The shared bootstrap draw and pooling: seeded, rows sum to the unit count, pooling = weighted sum."""

from __future__ import annotations

import numpy as np

from ecgbench.evaluation.bootstrap import counts_by_subject, pooled_replicates, resample_weights


def test_resample_weights_are_seeded_draw_counts():
    weights = resample_weights(5, 40, seed=3)
    assert weights.shape == (40, 5) and weights.dtype == np.int64
    assert (weights.sum(axis=1) == 5).all()
    np.testing.assert_array_equal(weights, resample_weights(5, 40, seed=3))
    assert not np.array_equal(weights, resample_weights(5, 40, seed=4))
    assert resample_weights(5, 0, seed=3).shape == (0, 5)


def test_pooled_replicates_sum_the_drawn_units():
    counts = np.random.default_rng(0).integers(0, 9, size=(4, 3, 3))
    weights = resample_weights(4, 6, seed=1)
    pooled = pooled_replicates(counts, weights)
    assert pooled.shape == (6, 3, 3)
    for row, matrix in zip(weights, pooled, strict=True):
        np.testing.assert_array_equal(matrix, sum(n * c for n, c in zip(row, counts, strict=True)))


def test_counts_by_subject_puts_201_and_202_together():
    counts = np.arange(3 * 2 * 2).reshape(3, 2, 2)
    units, grouped = counts_by_subject(["202", "100", "201"], counts)
    assert units == ["100", "201"] and grouped.shape == (2, 2, 2)
    np.testing.assert_array_equal(grouped[0], counts[1])
    np.testing.assert_array_equal(grouped[1], counts[0] + counts[2])
