"""Beat context: what a model sees of the beats before the one it labels.

``"previous_beat"`` hands the model, beside each beat window, the window of the beat before it in
the same record (its R peak at the same position of its own window): the same leads, one more set
of channels. A model can then compare a beat with its neighbour, the patient's own rhythm,
rather than only with the training patients' beats: a supraventricular premature beat looks like
the beat before it but comes early, a ventricular one looks different. This is the patient-
adaptive idea behind template matching in arrhythmia monitors and behind the multi-beat inputs of
several inter-patient classifiers (e.g. Niu et al. 2020). It is causal: a stream knows the
previous beat when the current one is labelled (:class:`ecgbench.streaming.ModelClassifier`
keeps it). Offline the predecessor is the previous *annotated* beat; in a stream it is the previous
*detected* one, so a missed or a false detection changes it there, as any detection error changes
a stream's input.

The first beat of a record has no predecessor and gets its own window.

References
----------
Niu J, Tang Y, Sun Z, Zhang W. Inter-patient ECG classification with symbolic representations and
multi-perspective convolutional neural networks. IEEE J Biomed Health Inform 24(5):1321-1332 (2020).
Hamilton P. Open source ECG analysis software documentation. E.P. Limited (2003).
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice

#: Valid beat contexts (None: the beat window alone).
CONTEXTS: tuple[str, ...] = ("previous_beat",)


def check_context(context: str | None, source: str = "context") -> str | None:
    """Return ``context`` if it is None or one of :data:`CONTEXTS`; otherwise raise ``ConfigError`` naming ``source``."""
    if context is None or context in CONTEXTS:
        return context
    if not isinstance(context, str):
        raise ConfigError(f"{source} must be one of {', '.join(CONTEXTS)} or null (got {context!r})")
    raise unknown_choice(f"{source}", context, CONTEXTS)


def previous_beat_index(record: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Index of each beat's predecessor in its record (by R-peak sample); a record's first beat points to itself.

    Parameters
    ----------
    record : numpy.ndarray
        ``[n]`` record name of each beat.
    sample : numpy.ndarray
        ``[n]`` R-peak position (samples); beats may come in any order.

    Returns
    -------
    numpy.ndarray
        ``[n]`` int64 indices into the same arrays.

    Raises
    ------
    ConfigError
        Two beats of one record at the same sample (the order would be ambiguous).
    """
    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    if record.shape != sample.shape or record.ndim != 1:
        raise ConfigError(f"record and sample must be [n] arrays of one length (got {record.shape} and {sample.shape})")
    if record.size == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((sample, record))
    same_record = record[order][1:] == record[order][:-1]
    if np.any(same_record & (sample[order][1:] == sample[order][:-1])):
        duplicate = int(np.flatnonzero(same_record & (sample[order][1:] == sample[order][:-1]))[0])
        raise ConfigError(
            f"record {record[order][duplicate]} has two beats at sample {sample[order][duplicate]}; "
            "beat context needs one beat per R peak (deduplicate the annotations)"
        )
    previous = np.empty(order.size, np.int64)
    previous[order[0]] = order[0]
    previous[order[1:]] = np.where(same_record, order[:-1], order[1:])
    return previous


def with_previous_beat(signal: np.ndarray, record: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Return ``[n, samples, 2·leads]``: each beat window followed by its predecessor's window (:func:`previous_beat_index`).

    Parameters
    ----------
    signal : numpy.ndarray
        ``[n, samples, leads]`` beat windows (mV), R peak at the same position in every window.
    record, sample : numpy.ndarray
        ``[n]`` record names and R-peak samples of the windows.
    """
    signal = np.asarray(signal)
    if signal.ndim != 3 or signal.shape[0] != len(record):
        raise ConfigError(f"signal must be [n, samples, leads] with one window per beat (got {signal.shape}, {len(record)} beats)")
    return np.concatenate([signal, signal[previous_beat_index(record, sample)]], axis=-1)
