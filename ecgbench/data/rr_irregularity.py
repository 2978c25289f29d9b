"""Rhythm irregularity before each beat: is the rhythm around it regular enough for "premature" to mean anything?

A supraventricular ectopic beat is defined against a regular underlying rhythm: it comes early
*relative to the beats before it*. In atrial fibrillation every interval is irregular, the AAMI
label of those beats is N, and an early RR interval says nothing. A beat classifier that sees only
this beat's intervals (``rr_pre``, ``rr_local``, their ratios) cannot tell the two apart, and on
DS2 most of its false SVEBs are normal beats of the AF and flutter episodes of records 202 and
222 (diagnosis of the committed cnn1d-context runs' saved predictions).

:func:`preceding_rr_irregularity` gives each beat the irregularity of the ``n_intervals`` RR
intervals *before* its own ``rr_pre``: the median absolute successive difference divided by
their mean, the statistic of the median AF detector (:mod:`ecgbench.streaming.alarms`) and of
the RR-irregularity literature (Tateno & Glass 2001 use successive differences; the median makes
it robust to up to three ectopic intervals among eight). It is causal (a stream knows the previous
intervals when it labels a beat), and the beat's own interval is left out, so an isolated
premature beat does not make its own context irregular. Sinus rhythm gives about 0.02-0.03, AF
0.2-0.3 (DS1 records 201 and 203 against 101, 209, 220).

A model gets it as the ``rr`` column ``rr_irregularity`` (recipe ``options.rr_features``; see
:mod:`ecgbench.data.rr`). Added to cnn1d-context it did not raise the DS1 cross-validated
selection score over three seeds (``experiments/README.md``, B7), so no baseline uses it.

References
----------
Tateno K, Glass L. Automatic detection of atrial fibrillation using the coefficient of variation
and density histograms of RR and ΔRR intervals. Med Biol Eng Comput 39(6):664-671 (2001).
"""

from __future__ import annotations

import warnings

import numpy as np

from ecgbench.errors import ConfigError

#: RR intervals before a beat that its irregularity is computed over (default).
DEFAULT_INTERVALS = 8
#: Fewest preceding intervals for a value (two successive differences); beats with fewer get 0.
MIN_INTERVALS = 3
#: Smallest mean RR (s) used as the denominator (guards 0 / missing intervals).
MIN_MEAN_RR_S = 0.05


def preceding_rr_irregularity(
    record: np.ndarray, sample: np.ndarray, rr_pre: np.ndarray, n_intervals: int = DEFAULT_INTERVALS
) -> np.ndarray:
    """Median |ΔRR| / mean RR of the ``n_intervals`` RR intervals before each beat's own ``rr_pre`` (unitless).

    Parameters
    ----------
    record : numpy.ndarray
        ``[n]`` record name of each beat.
    sample : numpy.ndarray
        ``[n]`` R-peak position (samples); beats may come in any order, a record's beats are
        ordered by it.
    rr_pre : numpy.ndarray
        ``[n]`` interval from the previous R peak to this one (s).
    n_intervals : int
        Number of preceding intervals (≥ :data:`MIN_INTERVALS`).

    Returns
    -------
    numpy.ndarray
        ``[n]`` float32; 0 for a record's first :data:`MIN_INTERVALS` beats (too few intervals).

    Raises
    ------
    ConfigError
        Arrays of different lengths, or ``n_intervals`` below :data:`MIN_INTERVALS`.
    """
    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    rr_pre = np.asarray(rr_pre, dtype=np.float64)
    if not (record.shape == sample.shape == rr_pre.shape) or record.ndim != 1:
        raise ConfigError(f"record, sample and rr_pre must be [n] arrays of one length (got {record.shape}, {sample.shape}, {rr_pre.shape})")
    n_intervals = int(n_intervals)
    if n_intervals < MIN_INTERVALS:
        raise ConfigError(f"n_intervals must be at least {MIN_INTERVALS} RR intervals, got {n_intervals}")
    out = np.zeros(record.size, np.float32)
    order = np.lexsort((sample, record))
    starts = np.flatnonzero(np.r_[True, record[order][1:] != record[order][:-1]])
    for start, stop in zip(starts, np.r_[starts[1:], order.size], strict=True):
        index = order[start:stop]
        rr = rr_pre[index]
        # Row j holds intervals j-n .. j-1 (NaN before the record start): the ones before beat j's own.
        # The figure is ecgbench.signal.af_irregularity's median |ΔRR| / mean, for every beat at once
        # (that one takes a single series; a per-beat Python loop measured 14x slower on 50k beats).
        padded = np.concatenate([np.full(n_intervals, np.nan), rr])
        windows = np.lib.stride_tricks.sliding_window_view(padded, n_intervals)[: rr.size]
        count = np.sum(np.isfinite(windows), axis=1)
        with warnings.catch_warnings():  # rows with no finite interval (a record's first beat) warn; they get 0 below
            warnings.simplefilter("ignore", RuntimeWarning)
            spread = np.nanmedian(np.abs(np.diff(windows, axis=1)), axis=1)
            mean = np.maximum(np.nanmean(windows, axis=1), MIN_MEAN_RR_S)
        value = np.where(count >= MIN_INTERVALS, spread / mean, 0.0)
        out[index] = np.nan_to_num(value, nan=0.0).astype(np.float32)
    return out
