"""cnn1d-context-afgate baseline: cnn1d-context whose S calls inside atrial fibrillation become N.

The network, beat context and training recipe are cnn1d-context's (the network is cnn1d's,
borrowed from ``baselines/cnn1d``); the recipe adds the runner-read option ``af_gate: true``
(:mod:`ecgbench.runner.af_gate_option`). The runner then follows each test record's beats in time
order through the streaming rhythm monitor's AF detector (Petrėnas et al. 2015, 32-beat dwell)
and, for a beat the monitor holds in AF before it arrives, moves the probability of S to N
(:mod:`ecgbench.streaming.af_gate`): in AF there are no premature atrial beats, and the MIT-BIH
annotators label AF's irregular beats normal. The stream applies the same rule. Training and model
selection are untouched, so a run of this baseline trains exactly the network of the
cnn1d-context run with the same seed.

References
----------
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory: the same network as cnn1d-context, over the beat and its predecessor.
build_model = load_submission("cnn1d").module.build_model
