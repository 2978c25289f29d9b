"""cnn1d-context-irregularity baseline: cnn1d-context plus the irregularity of the rhythm before each beat.

A supraventricular premature beat is premature *against a regular rhythm*; in atrial fibrillation
or flutter every interval is irregular and the beats are normal (AAMI N). cnn1d-context sees only
the beat's own intervals, and most of its false SVEBs on DS2 are normal beats of AF and flutter
episodes. This baseline adds one ``rr`` column, the runner-computed ``rr_irregularity``
(:mod:`ecgbench.data.rr_irregularity`: median |ΔRR| / mean RR of the eight intervals before the
beat's own, causal), to cnn1d-context's recipe; nothing else changes (a test pins it). The network
is cnn1d's, imported from ``baselines/cnn1d``. The column was chosen by DS1 5-fold
cross-validation (``benchmarks/beat_val.py --cv 5``), never by DS2.

References
----------
Tateno K, Glass L. Automatic detection of atrial fibrillation using the coefficient of variation
and density histograms of RR and ΔRR intervals. Med Biol Eng Comput 39(6):664-671 (2001).
de Chazal P, O'Dwyer M, Reilly RB. IEEE Trans Biomed Eng 51(7):1196-1206 (2004) (RR features).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory; the runner hands it the recipe's rr columns.
build_model = load_submission("cnn1d").module.build_model
