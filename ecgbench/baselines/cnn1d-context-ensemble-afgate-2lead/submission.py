"""cnn1d-context-ensemble-afgate-2lead baseline: cnn1d-context-ensemble-afgate reading both leads of each beat and of its predecessor.

The recipe is cnn1d-context-ensemble-afgate's with ``options.leads = [0, 1, 2, 3]`` instead of
``[0, 2]`` (MLII only): lead 1 is V1 in most MIT-BIH records, else V2, V4 or V5. It is a separate
baseline because DS1 cross-validation rejected the second lead as a change to the parent's recipe
(its rule asks for a higher SVEB F1) while the second lead raised accuracy, VEB F1 and macro-F1
N/S/V far beyond the seed noise; see README.md for how it was chosen (DS1 only).

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology
and heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
Mondéjar-Guerra V et al. Heartbeat classification fusing temporal and morphological information of
ECGs via ensemble of classifiers. Biomed Signal Process Control 47:41-48 (2019).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory; the runner builds and trains one per ensemble member.
build_model = load_submission("cnn1d").module.build_model
