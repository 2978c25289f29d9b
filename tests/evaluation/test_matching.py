"""Golden tests of bxb-style beat matching."""

import numpy as np
import pytest

from ecgbench.errors import ConfigError, CorruptDataError
from ecgbench.evaluation import match_beats

W = 54  # 150 ms at 360 Hz


@pytest.mark.parametrize("method", ["bxb", "nearest"])
@pytest.mark.parametrize(
    ("ref", "test", "expected"),
    [
        ([1000], [1054], [0]),  # exactly +150 ms: matched (inclusive window, as bxb)
        ([1000], [946], [0]),  # exactly -150 ms
        ([1000], [1055], [-1]),  # one sample beyond
        ([1000], [990, 1005], [1]),  # two test beats near one reference: the nearer one
        ([1000], [990, 1010], [1]),  # exact tie: the later test beat (bxb)
        ([1000, 2000], [], [-1, -1]),  # empty test list
        ([], [5, 6], []),  # empty reference list
        ([1000, 1300, 1600], [1010, 1290, 1650], [0, 1, 2]),
    ],
)
def test_golden_matches(method, ref, test, expected):
    m = match_beats(np.array(ref), np.array(test), W, method=method)
    assert m.ref_to_test.tolist() == expected
    for i, j in enumerate(m.ref_to_test):
        if j >= 0:
            assert m.test_to_ref[j] == i
    assert int((m.test_to_ref >= 0).sum()) == m.n_matched


def test_bxb_alternative_criterion():
    # the example in bxb.c (24 Nov 2002 note): window 37, ref 96/160, test 128/185 → both pairs match
    m = match_beats(np.array([96, 160]), np.array([128, 185]), 37)
    assert m.ref_to_test.tolist() == [0, 1]


def test_methods_agree_on_random_lists():
    rng = np.random.default_rng(3)
    ref = np.cumsum(rng.integers(120, 400, 3000))
    keep = rng.random(ref.size) > 0.05
    test = np.sort(np.concatenate([ref[keep] + rng.integers(-50, 51, keep.sum()), rng.integers(0, ref[-1], 60)]))
    a = match_beats(ref, test, W, "bxb")
    b = match_beats(ref, test, W, "nearest")
    assert np.array_equal(a.ref_to_test, b.ref_to_test)


def test_bad_input():
    with pytest.raises(CorruptDataError, match="not sorted"):
        match_beats(np.array([5, 1]), np.array([1]), W)
    with pytest.raises(ConfigError, match="bxb"):
        match_beats(np.array([1]), np.array([1]), W, method="hungarian")
