"""cnn1d-causal-ensemble baseline: three cnn1d-causal networks trained with different seeds, probabilities averaged.

cnn1d-causal's DS2 SVEB F1 ranges from 28 to 65 over seeds 0-2 (the leaderboard's spread-over-seeds
table): with about 17 training patients in DS1 the seed decides which unfamiliar morphologies the
network happens to get right. This baseline is cnn1d-causal (the same network, borrowed from
``baselines/cnn1d``, and the same recipe) with ``options.ensemble: 3``: the runner trains three
members exactly as single runs with seeds ``3s``, ``3s + 1`` and ``3s + 2`` (each with its own
early stopping on ``ds1_val``) and saves one model averaging their softmax outputs
(:mod:`ecgbench.runner.ensemble`). Run seed 0 therefore holds the models of cnn1d-causal seeds
0, 1 and 2. Nothing was tuned for it; it costs three trainings.

References
----------
Lakshminarayanan B, Pritzel A, Blundell C. Simple and scalable predictive uncertainty estimation
using deep ensembles. Advances in Neural Information Processing Systems 30 (2017).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory; the runner builds and trains one per ensemble member.
build_model = load_submission("cnn1d").module.build_model
