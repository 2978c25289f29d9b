"""cnn1d-context baseline: cnn1d-causal given the previous beat's window beside the beat's own.

The recipe's runner-read option ``context: "previous_beat"`` (:mod:`ecgbench.data.context`) makes
the runner append, after each beat window's leads, the window of the beat before it in the same
record (its own R peak at the same position): channels ``[MLII, lead 2, previous MLII, previous
lead 2]``. ``options.leads = [0, 2]`` feeds the network MLII of both, so the first convolution
compares the beat with its neighbour sample by sample: a supraventricular premature beat looks
like the beat before it but comes early (the RR branch), a ventricular one looks different. The
network (:func:`build_model`) is cnn1d's, imported from ``baselines/cnn1d``; the RR features are
cnn1d-causal's (nothing that needs the next beat), so a stream labels each beat once, as soon as
its window is complete, with the previous beat it has just seen.

References
----------
Niu J, Tang Y, Sun Z, Zhang W. Inter-patient ECG classification with symbolic representations and
multi-perspective convolutional neural networks. IEEE J Biomed Health Inform 24(5):1321-1332 (2020).
Kiranyaz S, Ince T, Gabbouj M. Real-time patient-specific ECG classification by 1-D convolutional
neural networks. IEEE Trans Biomed Eng 63(3):664-675 (2016).
"""

from __future__ import annotations

from ecgbench.models.loader import load_submission

#: cnn1d's Keras model factory: the same network, here over the beat and its predecessor.
build_model = load_submission("cnn1d").module.build_model
