"""cnn1d-context-ensemble-afgate baseline: the three-member cnn1d-context ensemble, S calls inside AF become N.

The recipe is cnn1d-context-ensemble's (``options.ensemble: 3``: members trained exactly as
cnn1d-context single runs with seeds ``3s``, ``3s + 1`` and ``3s + 2``, probabilities averaged;
:mod:`ecgbench.runner.ensemble`) with cnn1d-context-afgate's runner-read option
``af_gate: true`` (:mod:`ecgbench.runner.af_gate_option`): for a test beat the stream's AF detector
(Petrėnas et al. 2015, 32-beat dwell) holds in AF before it arrives, the probability of S moves to
N (:mod:`ecgbench.streaming.af_gate`). The gate was adopted for this ensemble on DS1
cross-validation only (``benchmarks/af_gate_ds1.py --ensemble``; see README.md). Training and
model selection are the ensemble's, so a run trains exactly the cnn1d-context-ensemble run of the
same seed.

References
----------
Lakshminarayanan B, Pritzel A, Blundell C. Simple and scalable predictive uncertainty estimation
using deep ensembles. Advances in Neural Information Processing Systems 30 (2017).
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory; the runner builds and trains one per ensemble member.
build_model = load_submission("cnn1d").module.build_model
