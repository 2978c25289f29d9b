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

The first beat of a record has no predecessor and gets its own window. A model may combine a
context with the look-ahead RR columns (``rr_post``): a stream then labels a beat provisionally
before the next beat arrives and finally after, and only the final label's window joins the
context the later beats get.

``"previous_beat_and_template"`` adds a third window: the beat's **template**, the sample-wise
median of the windows of its last :data:`TEMPLATE_BEATS` predecessors in the record (fewer at the
start; the first beat's template is its own window). The previous beat may itself be ectopic; the
median of sixteen is the patient's dominant morphology as long as fewer than half of them are, as
the running dominant-beat template of monitor beat classifiers (Hamilton 2003) is. It is causal
too: a stream keeps its last sixteen windows.

References
----------
Niu J, Tang Y, Sun Z, Zhang W. Inter-patient ECG classification with symbolic representations and
multi-perspective convolutional neural networks. IEEE J Biomed Health Inform 24(5):1321-1332 (2020).
Hamilton P. Open source ECG analysis software documentation. E.P. Limited (2003).
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice

#: Valid beat contexts (None: the beat window alone) → windows per beat in the signal, the beat's own first.
CONTEXT_WINDOWS: dict[str, int] = {"previous_beat": 2, "previous_beat_and_template": 3}
#: Valid beat contexts, in :data:`CONTEXT_WINDOWS` order.
CONTEXTS: tuple[str, ...] = tuple(CONTEXT_WINDOWS)
#: Predecessors whose sample-wise median is a beat's template (context ``"previous_beat_and_template"``).
TEMPLATE_BEATS = 16
#: Beats per block when templates are computed offline (bounds the median's copy to ~100 MB).
_TEMPLATE_BLOCK = 512


def check_context(context: str | None, source: str = "context") -> str | None:
    """Return ``context`` if it is None or one of :data:`CONTEXTS`; otherwise raise ``ConfigError`` naming ``source``."""
    if context is None or context in CONTEXTS:
        return context
    if not isinstance(context, str):
        raise ConfigError(f"{source} must be one of {', '.join(CONTEXTS)} or null (got {context!r})")
    raise unknown_choice(f"{source}", context, CONTEXTS)


def context_windows(context: str | None) -> int:
    """Windows per beat in a signal built with ``context`` (1 without one): the channel count is this times the leads."""
    return 1 if context is None else CONTEXT_WINDOWS[check_context(context)]


def _record_order(record: np.ndarray, sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(order, same_record)``: the beats sorted by record, then R-peak sample, and for each
    consecutive pair of that order whether both lie in one record.

    Raises
    ------
    ConfigError
        Mismatched shapes, or two beats of one record at the same sample (the order would be ambiguous).
    """
    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    if record.shape != sample.shape or record.ndim != 1:
        raise ConfigError(f"record and sample must be [n] arrays of one length (got {record.shape} and {sample.shape})")
    order = np.lexsort((sample, record))
    same_record = record[order][1:] == record[order][:-1]
    if np.any(same_record & (sample[order][1:] == sample[order][:-1])):
        duplicate = int(np.flatnonzero(same_record & (sample[order][1:] == sample[order][:-1]))[0])
        raise ConfigError(
            f"record {record[order][duplicate]} has two beats at sample {sample[order][duplicate]}; "
            "beat context needs one beat per R peak (deduplicate the annotations)"
        )
    return order, same_record


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
    order, same_record = _record_order(record, sample)
    if order.size == 0:
        return np.zeros(0, np.int64)
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


def template_of(predecessors: np.ndarray) -> np.ndarray:
    """Template of one beat: the sample-wise median of ``[samples, leads, k]`` predecessor windows (k ≥ 1).

    The one median used offline (:func:`running_templates`) and in a stream
    (:class:`ecgbench.streaming.ModelClassifier`), so both give the same float32 values.
    """
    return np.median(predecessors, axis=-1).astype(predecessors.dtype, copy=False)


def running_templates(signal: np.ndarray, record: np.ndarray, sample: np.ndarray, beats: int = TEMPLATE_BEATS) -> np.ndarray:
    """Each beat's template: :func:`template_of` its last ``beats`` predecessors in its record.

    Parameters
    ----------
    signal : numpy.ndarray
        ``[n, samples, leads]`` beat windows (mV), R peak at the same position in every window.
    record, sample : numpy.ndarray
        ``[n]`` record names and R-peak samples of the windows; beats may come in any order.
    beats : int
        Predecessors per template (fewer at a record's start; a record's first beat gets its own window).

    Returns
    -------
    numpy.ndarray
        ``[n, samples, leads]`` templates, in the order of ``signal``.
    """
    signal = np.asarray(signal)
    if signal.ndim != 3 or signal.shape[0] != len(record):
        raise ConfigError(f"signal must be [n, samples, leads] with one window per beat (got {signal.shape}, {len(record)} beats)")
    if beats < 1:
        raise ConfigError(f"a template needs at least one predecessor (got beats={beats})")
    order, same_record = _record_order(record, sample)
    out = np.empty_like(signal)
    if order.size == 0:
        return out
    starts = np.flatnonzero(np.r_[True, ~same_record])
    for start, stop in zip(starts, np.r_[starts[1:], order.size], strict=True):
        index = order[start:stop]
        windows = np.moveaxis(signal[index], 0, -1)  # [samples, leads, m]: predecessors on the last axis
        out[index[0]] = signal[index[0]]
        for i in range(1, min(beats, index.size)):  # fewer than ``beats`` predecessors
            out[index[i]] = template_of(windows[..., :i])
        if index.size > beats:  # full windows: beat i's template is the median of beats i-beats .. i-1
            view = np.lib.stride_tricks.sliding_window_view(windows[..., :-1], beats, axis=-1)  # [samples, leads, m-beats, beats]
            for lo in range(0, view.shape[2], _TEMPLATE_BLOCK):
                block = template_of(view[:, :, lo : lo + _TEMPLATE_BLOCK])  # [samples, leads, b]
                out[index[beats + lo : beats + lo + block.shape[-1]]] = np.moveaxis(block, -1, 0)
    return out


def with_context(signal: np.ndarray, record: np.ndarray, sample: np.ndarray, context: str) -> np.ndarray:
    """Return ``signal`` with ``context`` built in: ``[n, samples, context_windows(context)·leads]``.

    ``"previous_beat"``: :func:`with_previous_beat`; ``"previous_beat_and_template"``: that, then
    each beat's :func:`running_templates`.
    """
    check_context(context)
    out = with_previous_beat(signal, record, sample)
    if context == "previous_beat_and_template":
        out = np.concatenate([out, running_templates(signal, record, sample)], axis=-1)
    return out
