"""Supraventricular calls during atrial fibrillation: the rhythm monitor's AF state as a beat-label gate.

In AF the atria have no organised activity, so no beat is a premature *atrial* beat: the MIT-BIH
annotators (and AAMI EC57) label the irregular conducted beats of AF as normal. A beat classifier
that judges prematurity from RR intervals calls many of them S. Bedside monitors therefore read
the rhythm before calling supraventricular ectopy. :func:`gate_supraventricular` does the same,
causally: each beat's AF state is the one the stream's :class:`~ecgbench.streaming.alarms.RhythmMonitor`
holds just before that beat is fed to it (:data:`GATE_ALARM_CONFIG`: the Petrėnas et al. 2015
detector with a 32-beat dwell from the first beat, RR intervals next to a ventricular label
skipped), and in AF the probability of S is moved to N. The probabilities of V, F and Q and every
beat outside AF are kept; a beat in AF whose arg-max was V, F or Q still becomes N when p(N) + p(S),
the supraventricular mass pooled, exceeds it (on DS2, 8-14 V and 2-14 F calls per seed of
cnn1d-context; ``ecgbench/baselines/cnn1d/README.md``).

References
----------
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015).
ANSI/AAMI EC57:2012 (beat labels of the MIT-BIH Arrhythmia Database).
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.records.symbols import AAMI_CLASSES
from ecgbench.streaming.alarms import AlarmConfig, RhythmMonitor

#: The gate's rhythm-monitor settings, fixed so that a recipe declaring the gate keeps its meaning
#: when the live stream's defaults move: the 32-beat AF dwell applies from the first beat
#: (``af_start_dwell=None``). The stream's shorter cold-start dwell (``AlarmConfig.af_start_dwell``)
#: serves a monitor attached to a new patient; the gate judges whole records, where it would only
#: change which beats of a record's first minute are gated.
GATE_ALARM_CONFIG = AlarmConfig(af_start_dwell=None)


def af_state_before_each_beat(times_s: np.ndarray, labels, config: AlarmConfig | None = None) -> np.ndarray:
    """Whether the rhythm monitor is in AF just before each beat is fed to it.

    Parameters
    ----------
    times_s : numpy.ndarray
        R-peak times of one record's beats in seconds, increasing.
    labels : sequence of str
        The beats' AAMI labels (``"N"``, ``"S"``, ``"V"``, ``"F"``, ``"Q"``), as the monitor gets them.
    config : AlarmConfig, optional
        Alarm settings (default :class:`AlarmConfig`).

    Returns
    -------
    numpy.ndarray
        Boolean ``[n_beats]``: the AF state known before beat *i* (causal; never uses beat *i* or later).
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    if times_s.size > 1 and np.any(np.diff(times_s) <= 0):
        raise ConfigError("af_state_before_each_beat needs increasing beat times (one record, in order)")
    monitor = RhythmMonitor(config)
    state = np.zeros(times_s.size, dtype=bool)
    for i, (time, label) in enumerate(zip(times_s.tolist(), labels, strict=True)):
        state[i] = monitor.af.active
        monitor.on_beat(time, str(label))
    return state


_N, _S = AAMI_CLASSES.index("N"), AAMI_CLASSES.index("S")


def pool_supraventricular(probabilities: np.ndarray) -> np.ndarray:
    """A copy of ``[..., 5]`` probabilities with p(S) added to p(N) and p(S) set to 0 (the gate's move)."""
    pooled = np.array(probabilities, copy=True)
    pooled[..., _N] += pooled[..., _S]
    pooled[..., _S] = 0.0
    return pooled


def gate_supraventricular(
    probabilities: np.ndarray,
    record: np.ndarray,
    sample: np.ndarray,
    fs: float,
    config: AlarmConfig | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Move p(S) to p(N) for beats the rhythm monitor holds in AF (see the module notes).

    Parameters
    ----------
    probabilities : numpy.ndarray
        ``[n, 5]`` class probabilities in :data:`~ecgbench.records.AAMI_CLASSES` order.
    record : numpy.ndarray
        ``[n]`` record name of each beat.
    sample : numpy.ndarray
        ``[n]`` R-peak sample of each beat (at ``fs``); beats of one record need not be contiguous
        or ordered.
    fs : float
        Sampling rate of ``sample``, Hz.
    config : AlarmConfig, optional
        The monitor's settings (default :data:`GATE_ALARM_CONFIG`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The gated ``[n, 5]`` probabilities and the boolean ``[n]`` AF state of each beat.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != len(AAMI_CLASSES):
        raise ConfigError(f"gate_supraventricular needs [n, {len(AAMI_CLASSES)}] probabilities, got {probabilities.shape}")
    record, sample = np.asarray(record), np.asarray(sample)
    labels = np.asarray(AAMI_CLASSES)[probabilities.argmax(axis=1)]
    in_af = np.zeros(len(probabilities), dtype=bool)
    for name in np.unique(record):
        beats = np.flatnonzero(record == name)
        beats = beats[np.argsort(sample[beats], kind="stable")]
        in_af[beats] = af_state_before_each_beat(sample[beats] / float(fs), labels[beats], config or GATE_ALARM_CONFIG)
    gated = probabilities.copy()
    gated[in_af] = pool_supraventricular(probabilities[in_af])
    return gated, in_af
