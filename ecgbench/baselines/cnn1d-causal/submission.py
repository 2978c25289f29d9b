"""cnn1d-causal baseline: the cnn1d network, given only RR features known when a beat is detected.

A bedside monitor must label a beat before the next one arrives. cnn1d's RR vector holds
``rr_post`` (this beat to the next) and ``rr_post_ratio``, so in a stream its final label waits
for the next R peak: up to a whole RR interval, longer across a pause. This baseline is cnn1d
(same network, same recipe; :func:`build_model` is cnn1d's, imported from ``baselines/cnn1d``)
with ``options.rr_features`` leaving those two columns out, so the runner's normaliser hands the
model only ``rr_pre``, ``rr_local``, ``rr_average`` and the ratios of the first two to the
average. ``ecgbench run stream --model cnn1d-causal`` then labels each beat once, as soon as its
0.5-s post-R window is complete. Comparing its beat-track row with cnn1d's shows what the
look-ahead costs.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory: one network, two RR feature sets.
build_model = load_submission("cnn1d").module.build_model
