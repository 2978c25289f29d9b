"""rr-lda round 2: RR intervals clipped to a physiological range; tiny classes left out of training."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.models.loader import load_submission
from ecgbench.signal.beat_morphology import RR_RANGE_S, de_chazal_features

FS = 360.0
BEFORE_S = 0.3
WIDTH = 288
R = 108


def _windows(n: int) -> np.ndarray:
    """``n`` identical two-lead windows: a 100-ms triangular QRS of 1.5 mV at R and a T wave."""
    t = (np.arange(WIDTH) - R) / FS
    qrs = 1.5 * np.minimum(np.clip((t + 0.04) / 0.04, 0, 1), np.clip((0.06 - t) / 0.06, 0, 1))
    lead = qrs + 0.3 * np.exp(-0.5 * ((t - 0.3) / 0.04) ** 2)
    return np.tile(np.stack([lead, 0.5 * lead], axis=1), (n, 1, 1))


def _record_with_gap(n: int = 40, gap_s: float = 100.0):
    """One beat a second, except a ``gap_s`` annotation gap before beat ``n // 2`` (unannotated flutter)."""
    rr_pre = np.ones(n)
    rr_pre[n // 2] = gap_s
    rr_post = np.roll(rr_pre, -1)
    rr_post[-1] = 1.0
    sample = np.round(np.cumsum(rr_pre) * FS).astype(int)
    rr = np.stack([rr_pre, rr_post, rr_pre, rr_pre, rr_pre, rr_pre, rr_pre], axis=1)
    return _windows(n), rr, np.array(["r"] * n), sample


def test_gap_interval_is_clipped_before_the_rr_features():
    signal, rr, record, sample = _record_with_gap()
    features, groups = de_chazal_features(signal, rr, record, sample, FS, BEFORE_S)
    pre, post, average, local = features[:, groups["rr"]].T
    assert pre[20] == pytest.approx(RR_RANGE_S[1])  # 100 s → 3 s
    assert post[19] == pytest.approx(RR_RANGE_S[1])
    # ±5-min average of 39 one-second intervals and one clipped 3-s interval.
    assert average[0] == pytest.approx((39 + 3) / 40)
    # ten intervals centred on beat 20 (16 … 25): nine of 1 s and the clipped gap.
    assert local[20] == pytest.approx((9 + 3) / 10)
    assert features[:, groups["rr"]].max() <= RR_RANGE_S[1]


def test_without_range_the_gap_is_kept():
    signal, rr, record, sample = _record_with_gap()
    features, groups = de_chazal_features(signal, rr, record, sample, FS, BEFORE_S, rr_range_s=None)
    pre, _, average, _ = features[:, groups["rr"]].T
    assert pre[20] == pytest.approx(100.0)
    assert average[0] == pytest.approx((39 + 100) / 40)


def test_short_interval_is_raised_to_the_lower_bound():
    signal, rr, record, sample = _record_with_gap(gap_s=0.05)
    features, groups = de_chazal_features(signal, rr, record, sample, FS, BEFORE_S)
    assert features[20, groups["rr"][0]] == pytest.approx(RR_RANGE_S[0])


@pytest.mark.parametrize("bad", [(0.0, 3.0), (3.0, 0.2)])
def test_bad_rr_range_raises(bad):
    signal, rr, record, sample = _record_with_gap()
    with pytest.raises(ConfigError, match="rr_range_s"):
        de_chazal_features(signal, rr, record, sample, FS, BEFORE_S, rr_range_s=bad)


def _toy_beats(rng: np.random.Generator):
    """Gaussian features of four classes (N, S, V, F; 200 beats each) and three Q beats."""
    counts = {0: 200, 1: 200, 2: 200, 3: 200, 4: 3}
    labels = np.concatenate([np.full(n, k) for k, n in counts.items()])
    means = np.eye(5)[labels] * 4.0
    return means + rng.normal(size=(labels.size, 5)), labels


def test_classes_below_min_class_beats_are_left_out_and_get_zero_probability():
    module = load_submission("rr-lda").module
    x, labels = _toy_beats(np.random.default_rng(0))
    columns = [np.arange(5)]
    kept = module.fit_model(x, labels, columns, min_class_beats=100)
    assert kept.classes.tolist() == [0, 1, 2, 3]
    everything = module.fit_model(x, labels, columns, min_class_beats=0)
    assert everything.classes.tolist() == [0, 1, 2, 3, 4]
    # A point on the Q mean goes to Q only if Q was trained.
    q_point = np.eye(5)[[4]] * 4.0
    assert everything.classes[np.argmax(everything.predict_proba(q_point))] == 4
    assert kept.classes[np.argmax(kept.predict_proba(q_point))] != 4


def test_balanced_lda_pools_class_covariances_with_equal_weight():
    """The paper's inverse-frequency weighting: covariance = plain mean of the class covariances."""
    module = load_submission("rr-lda").module
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 1, (1000, 2)), rng.normal(3, 3, (50, 2))])
    labels = np.r_[np.zeros(1000, int), np.ones(50, int)]
    model = module.fit_model(x, labels, [np.arange(2)], min_class_beats=0)
    lda = model.models[0][-1]
    scaled = model.models[0][0].transform(x)
    expected = np.mean([np.cov(scaled[labels == k].T, bias=True) for k in (0, 1)], axis=0)
    np.testing.assert_allclose(lda.covariance_, expected, rtol=1e-10)
    np.testing.assert_allclose(lda.priors_, [0.5, 0.5])
