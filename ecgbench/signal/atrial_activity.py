"""Beat-morphology features of a rhythm window that tell AF from ectopy and paced rhythm.

RR irregularity alone confuses atrial fibrillation with sinus rhythm interrupted by ectopic beats
(premature beats make the RR series irregular too) and with paced rhythm. Three observations
from the detected beats of one lead separate them:

- **P-wave consistency** (:func:`p_wave_consistency`): in sinus rhythm every QRS is preceded by
  the same P wave, so the pre-QRS segments of the beats correlate strongly with their median;
  in AF there is no P wave, only fibrillatory waves unrelated to the QRS, and the correlation
  drops. Absent P waves are the second ECG criterion of AF beside irregular RR (ESC 2020
  guidelines; used for detection by e.g. Ladavich & Ghoraani 2015).
- **Morphology-gated irregularity** (:func:`gated_irregularity`): RR successive differences over
  runs of beats whose QRS matches the window's dominant QRS (correlation > :data:`DOMINANT_CORR`).
  Intervals touching a beat of another morphology (a PVC) are left out, so ectopy adds nothing;
  AF keeps its irregularity because its beats are all supraventricular. The share of dominant
  beats is returned too.
- **QRS spread** (:func:`qrs_spread`): share of the median beat's energy farther than
  :data:`QRS_CORE_S` from the R peak: small for narrow (supraventricular) QRS, large for wide
  paced or ventricular complexes.

All durations are in seconds and converted to samples once, per call, from ``sampling_rate``.
Undefined figures (too few beats) are NaN.

References
----------
Hindricks G et al. 2020 ESC Guidelines for the diagnosis and management of atrial fibrillation.
Eur Heart J 42(5):373-498 (2021) (AF: irregular RR and no distinct P waves).
Ladavich S, Ghoraani B. Rate-independent detection of atrial fibrillation by statistical
modeling of atrial activity. Biomed Signal Process Control 18:274-281 (2015).
"""

from __future__ import annotations

import math

import numpy as np

from ecgbench.errors import ConfigError

#: QRS segment compared between beats (seconds relative to the R peak).
QRS_SEGMENT_S = (-0.06, 0.06)
#: Pre-QRS segment holding the P wave (seconds relative to the R peak).
P_SEGMENT_S = (-0.25, -0.06)
#: Segment of the median beat for the QRS spread (seconds relative to the R peak).
BEAT_SEGMENT_S = (-0.12, 0.12)
#: Half-width of the QRS core in :func:`qrs_spread` (seconds).
QRS_CORE_S = 0.05
#: Correlation with the median QRS above which a beat has the dominant morphology.
DOMINANT_CORR = 0.9
#: Fewest beats for a template figure.
MIN_BEATS = 3

#: Names of :func:`atrial_activity_features`, in order.
ATRIAL_FEATURE_NAMES: tuple[str, ...] = (
    "dominant_fraction",   # share of beats with the dominant QRS morphology (0..1)
    "gated_rmssd_norm",    # RMSSD over dominant-beat runs / their mean RR
    "gated_mad_norm",      # median |ΔRR| over dominant-beat runs / their mean RR
    "p_wave_consistency",  # median correlation of the pre-QRS segments with their median (-1..1)
    "qrs_spread",          # share of the median beat's energy outside ±50 ms (0..1)
)  # fmt: skip


def _segments(signal: np.ndarray, beats: np.ndarray, segment_s: tuple[float, float], sampling_rate: float):
    """``(kept mask, [n_kept, width] segments)`` of the beats whose segment fits in the signal."""
    start, stop = (int(round(s * sampling_rate)) for s in segment_s)
    kept = (beats + start >= 0) & (beats + stop <= signal.size)
    index = beats[kept, None] + np.arange(start, stop)[None, :]
    return kept, signal[index]


def _correlation_with_median(segments: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row with the row-wise median template."""
    centred = segments - segments.mean(axis=1, keepdims=True)
    template = np.median(centred, axis=0)
    norms = np.linalg.norm(centred, axis=1) * np.linalg.norm(template)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, centred @ template / np.where(norms > 0, norms, 1.0), np.nan)


def _check(signal, beats, sampling_rate: float) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ConfigError(f"signal must be one lead (1-D, mV), got shape {x.shape}")
    if sampling_rate <= 0:
        raise ConfigError(f"sampling_rate must be > 0 Hz (got {sampling_rate})")
    return x, np.sort(np.asarray(beats, dtype=np.int64))


def dominant_beats(signal, beats, sampling_rate: float) -> np.ndarray:
    """Boolean mask over ``beats`` (sorted): QRS correlation with the median QRS > :data:`DOMINANT_CORR`.

    Beats too close to the window's edges for a QRS segment are not dominant. With fewer than
    :data:`MIN_BEATS` complete beats every beat counts as dominant (nothing to compare).
    """
    x, b = _check(signal, beats, sampling_rate)
    kept, segments = _segments(x, b, QRS_SEGMENT_S, sampling_rate)
    if kept.sum() < MIN_BEATS:
        return np.ones(b.size, bool)
    mask = np.zeros(b.size, bool)
    mask[kept] = _correlation_with_median(segments) > DOMINANT_CORR
    return mask


def gated_irregularity(beats, dominant: np.ndarray, sampling_rate: float) -> tuple[float, float]:
    """``(RMSSD, median |ΔRR|)`` over runs of three dominant beats, each divided by their mean RR.

    Parameters
    ----------
    beats : array-like
        Sorted beat positions (samples).
    dominant : numpy.ndarray
        :func:`dominant_beats` mask.
    sampling_rate : float
        Hz.

    Returns
    -------
    (float, float)
        Dimensionless; NaN when fewer than two successive differences qualify.
    """
    b = np.asarray(beats, dtype=np.float64)
    if b.size < 4:
        return math.nan, math.nan
    rr = np.diff(b) / float(sampling_rate)
    valid_rr = dominant[:-1] & dominant[1:]
    valid_diff = valid_rr[:-1] & valid_rr[1:]
    if valid_diff.sum() < 2:
        return math.nan, math.nan
    diff = np.diff(rr)[valid_diff]
    mean_rr = float(np.mean(rr[valid_rr]))
    return float(np.sqrt(np.mean(diff**2))) / mean_rr, float(np.median(np.abs(diff))) / mean_rr


def p_wave_consistency(signal, beats, sampling_rate: float, dominant: np.ndarray | None = None) -> float:
    """Median correlation of the pre-QRS segments (:data:`P_SEGMENT_S`) with their median segment.

    Uses the dominant beats when at least :data:`MIN_BEATS` of them are complete, else all beats.
    High (≈ 0.9) in sinus rhythm, low in AF. NaN with fewer than :data:`MIN_BEATS` segments.
    """
    x, b = _check(signal, beats, sampling_rate)
    if dominant is not None and dominant.sum() >= MIN_BEATS:
        b = b[dominant]
    kept, segments = _segments(x, b, P_SEGMENT_S, sampling_rate)
    if kept.sum() < MIN_BEATS:
        return math.nan
    return float(np.nanmedian(_correlation_with_median(segments)))


def qrs_spread(signal, beats, sampling_rate: float) -> float:
    """Share (0..1) of the median beat's energy farther than :data:`QRS_CORE_S` from the R peak.

    The median beat is taken over :data:`BEAT_SEGMENT_S` (each beat minus its own median).
    NaN with fewer than two complete beats.
    """
    x, b = _check(signal, beats, sampling_rate)
    kept, segments = _segments(x, b, BEAT_SEGMENT_S, sampling_rate)
    if kept.sum() < 2:
        return math.nan
    template = np.median(segments - np.median(segments, axis=1, keepdims=True), axis=0)
    energy = template**2
    offsets = (np.arange(energy.size) + int(round(BEAT_SEGMENT_S[0] * sampling_rate))) / sampling_rate
    total = float(energy.sum())
    return float(energy[np.abs(offsets) > QRS_CORE_S].sum()) / total if total > 0 else math.nan


def atrial_activity_features(signal, beats, sampling_rate: float) -> np.ndarray:
    """Return the :data:`ATRIAL_FEATURE_NAMES` features of one lead of one window.

    Parameters
    ----------
    signal : array-like
        One lead of the window (mV).
    beats : array-like
        Detected R-peak positions in the window (samples).
    sampling_rate : float
        Hz.
    """
    x, b = _check(signal, beats, sampling_rate)
    if b.size < MIN_BEATS:
        return np.full(len(ATRIAL_FEATURE_NAMES), math.nan)
    x = x - np.median(x)
    dominant = dominant_beats(x, b, sampling_rate)
    gated_rmssd, gated_mad = gated_irregularity(b, dominant, sampling_rate)
    return np.array(
        [float(np.mean(dominant)), gated_rmssd, gated_mad, p_wave_consistency(x, b, sampling_rate, dominant), qrs_spread(x, b, sampling_rate)],
        dtype=np.float64,
    )
