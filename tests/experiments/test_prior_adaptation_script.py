"""experiments/prior_adaptation_ds1.py: the Saerens-Latinne-Decaestecker EM recovers a shifted class prior."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

MEANS = np.array([-2.0, 0.0, 2.0])  # x | c ~ N(mean_c, 1)
TRAIN_PRIOR = np.array([0.6, 0.3, 0.1])


@pytest.fixture(scope="module")
def prior_adaptation():
    return importlib.import_module("experiments.beat_recipes.prior_adaptation_ds1")


def _posteriors(x: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Exact posteriors of the Gaussian classes under ``prior`` (a calibrated classifier)."""
    joint = prior * np.exp(-0.5 * (x[:, None] - MEANS) ** 2)
    return joint / joint.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("test_prior", [(0.2, 0.2, 0.6), (0.6, 0.3, 0.1), (0.9, 0.1, 0.0)])
def test_em_recovers_the_test_prior_from_unlabelled_posteriors(prior_adaptation, test_prior):
    rng = np.random.default_rng(0)
    labels = rng.choice(3, 20_000, p=test_prior)
    x = rng.normal(MEANS[labels], 1.0)
    before = _posteriors(x, TRAIN_PRIOR)
    adapted, prior = prior_adaptation.adapt_priors(before.astype(np.float32), TRAIN_PRIOR)
    np.testing.assert_allclose(prior, test_prior, atol=0.02)
    # close to the posteriors under the true prior (on average: with a true prior of 0 the estimate is small, not 0)
    assert np.abs(adapted - _posteriors(x, np.asarray(test_prior))).mean() < 0.01
    np.testing.assert_allclose(adapted.sum(axis=1), 1.0, atol=1e-5)
    if test_prior != tuple(TRAIN_PRIOR):  # the plain mean of the posteriors is biased toward the training prior
        assert np.abs(before.mean(axis=0) - test_prior).max() > 0.05


def test_a_class_absent_from_training_stays_absent(prior_adaptation):
    posteriors = np.array([[0.7, 0.3, 0.0], [0.2, 0.8, 0.0]], np.float32)
    adapted, prior = prior_adaptation.adapt_priors(posteriors, np.array([0.5, 0.5, 0.0]))
    assert prior[2] == 0.0 and np.all(adapted[:, 2] == 0.0)
