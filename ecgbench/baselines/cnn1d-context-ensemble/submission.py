"""cnn1d-context-ensemble baseline: three cnn1d-context networks trained with different seeds, probabilities averaged.

cnn1d-context's DS2 SVEB F1 is 42.54, 59.36 and 60.84 for seeds 0-2 (accuracy 93.34 to 94.95):
the seed still decides part of the answer. This baseline is cnn1d-context (the same network,
borrowed from ``baselines/cnn1d``; the same beat context and recipe) with ``options.ensemble: 3``:
the runner trains three members exactly as single runs with seeds ``3s``, ``3s + 1`` and
``3s + 2`` (each with its own early stopping on ``ds1_val``) and saves one model averaging their
softmax outputs (:mod:`ecgbench.runner.ensemble`). Run seed 0 therefore holds the models of
cnn1d-context seeds 0, 1 and 2, the like-for-like test of averaging. Nothing was tuned for it:
the member count and the recipe are cnn1d-causal-ensemble's rule applied to cnn1d-context.

References
----------
Lakshminarayanan B, Pritzel A, Blundell C. Simple and scalable predictive uncertainty estimation
using deep ensembles. Advances in Neural Information Processing Systems 30 (2017).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory; the runner builds and trains one per ensemble member.
build_model = load_submission("cnn1d").module.build_model
