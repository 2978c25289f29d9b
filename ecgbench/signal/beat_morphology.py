"""Per-beat features of de Chazal et al. (2004): RR context, wave durations, P flag, sampled morphology.

Works on the beat task's fixed windows (``[n, samples, leads]``, R peak at ``before_s``) plus each
beat's record name and R-peak sample, which is all a beat-track submission receives.

Pipeline (de Chazal et al. 2004, section II):

1. **clean** (:func:`clean_beat_windows`): the windows of each record are laid back on the
   record's time axis (neighbouring 0.8-s windows overlap at heart rates above 75 bpm; gaps are
   linearly interpolated), the baseline is removed with 200-ms then 600-ms median filters
   (:func:`ecgbench.signal.filters.remove_baseline`) and a 12-tap 35-Hz low-pass FIR is applied
   (zero phase, so the fiducial point does not move), then the windows are cut out again;
2. **fiducials** (:func:`find_fiducials`): QRS onset/offset, T-wave offset and a P-wave flag.
   de Chazal used ecgpuwave (Laguna et al. 1994), a derivative-based delineator. ``method="slope"``
   (default, :func:`beat_fiducials`) is a simple slope-envelope finder on each 0.8-s window;
   ``method="wavelet"`` (:func:`wavelet_fiducials`) runs the project's wavelet delineator
   (:func:`ecgbench.signal.delineation.delineate`, Martínez et al. 2004), which needs 0.7 s of
   context before R and 1 s after, on the windows of each record laid back on its time axis, and
   falls back to the slope finder per beat where it finds no boundary; ``method="hybrid"``
   (:func:`hybrid_fiducials`) takes the QRS and T boundaries from the slope finder and the P flag
   from the delineator;
3. **features** (:func:`de_chazal_features`): RR intervals (pre, post, average over a window of
   minutes around the beat, local average of the ten surrounding intervals; every interval first
   clipped to :data:`RR_RANGE_S`, because annotation gaps give "intervals" of up to 100 s), QRS duration,
   T-wave duration, P flag, and per lead 10 QRS samples (-50 … +100 ms, 60 Hz) and 9 T-wave
   samples (+150 … +500 ms).

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
Laguna P, Jané R, Caminal P. Automatic detection of wave boundaries in multilead ECG signals:
validation with the CSE database. Comput Biomed Res 27(1):45-60 (1994).
Martínez JP et al. A wavelet-based ECG delineator: evaluation on standard databases. IEEE Trans
Biomed Eng 51(4):570-581 (2004) (the ξ-fraction rule used for the T offset).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.signal import filtfilt, firwin

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.signal.delineation import WaveletConfig, delineate
from ecgbench.signal.filters import remove_baseline

#: Low-pass of de Chazal et al.: 12 taps, 35 Hz.
LOWPASS_TAPS = 12
LOWPASS_HZ = 35.0
#: QRS morphology: 10 samples from -50 to +100 ms around R (60 Hz); T wave: 9 from +150 to +500 ms.
QRS_SPAN_S = (-0.05, 0.10)
QRS_POINTS = 10
T_SPAN_S = (0.15, 0.50)
T_POINTS = 9
#: Average RR: mean of the RR intervals within ± this of the beat (seconds).
AVERAGE_RR_HALF_WINDOW_S = 300.0
#: Local average RR: the ten RR intervals surrounding the beat.
LOCAL_RR_INTERVALS = 10
#: RR intervals are clipped to this physiological range (seconds; 300 to 20 bpm) before any RR
#: feature is formed. Longer "intervals" are gaps in the beat annotation, not heartbeats: MIT-BIH
#: record 207 has ~100-s stretches of ventricular flutter whose waves (``!``) are not beats, so the
#: beats on either side get RR intervals of 14-100 s. One such value inflates a class covariance of
#: the discriminant by orders of magnitude (and the ±5-min average RR of the beats around it).
RR_RANGE_S = (0.2, 3.0)
#: Fiducial finders of :func:`de_chazal_features` (see :func:`find_fiducials`).
FIDUCIAL_METHODS = ("slope", "wavelet", "hybrid")
#: Lead the wavelet delineator runs on (0: MLII in MIT-BIH).
DELINEATION_LEAD = 0


@dataclass(frozen=True)
class FiducialConfig:
    """Parameters of the slope-envelope fiducial finder, in seconds, mV or as ratios.

    Chosen from adult ECG physiology (QRS 60-160 ms, PR 120-200 ms), not fitted to any test set.
    """

    slope_smoothing_s: float = 0.016  # moving average of |dx/dt| (summed over leads) for QRS edges
    qrs_peak_search_s: float = 0.06  # largest QRS slope searched within R ± this
    qrs_edge_fraction: float = 0.12  # QRS edge: envelope falls below this × its QRS maximum ...
    qrs_quiet_s: float = 0.016  # ... and stays below for this long
    qrs_max_before_s: float = 0.15  # onset searched within R - this ...
    qrs_max_after_s: float = 0.20  # ... offset within R + this
    t_slope_smoothing_s: float = 0.04  # envelope of the T wave's slope (lead 1)
    t_start_after_qrs_s: float = 0.06  # T peak searched from QRS offset + this to the window end
    t_offset_fraction: float = 0.40  # T offset: slope falls below this × steepest T downslope (Martínez ξ_Tend)
    p_search_start_s: float = 0.28  # P searched from R - this ...
    p_gap_before_qrs_s: float = 0.02  # ... to QRS onset - this
    # ... and, when set and the pre-RR is given, not before the previous R + this × pre-RR, so that
    # the previous beat's T wave of a premature beat is not taken for a P wave (None: no such bound;
    # the wavelet delineator's WaveletConfig.p_window_rr_fraction is 0.55).
    p_after_previous_rr_fraction: float | None = None
    p_min_amplitude_mv: float = 0.05  # a P wave is a hump of at least this above the segment's chord
    p_edge_average_s: float = 0.01  # chord ends: mean of this much signal at each end

    def __post_init__(self) -> None:
        fraction = self.p_after_previous_rr_fraction
        if fraction is not None and not (np.isfinite(fraction) and 0.0 <= fraction < 1.0):
            raise ConfigError(
                f"FiducialConfig.p_after_previous_rr_fraction={fraction!r} must be a fraction of the pre-RR in [0, 1) "
                "(the P search starts that far from the previous R towards this one), or None for no bound"
            )


@dataclass(frozen=True)
class BeatFiducials:
    """Fiducial points of each beat, in samples from the window start (float arrays ``[n]``)."""

    qrs_on: np.ndarray
    qrs_off: np.ndarray
    t_off: np.ndarray
    p_present: np.ndarray  # bool


def _samples(seconds: float, fs: float) -> int:
    return max(1, int(round(seconds * fs)))


def _check(signal: np.ndarray, sampling_rate: float, before_s: float) -> np.ndarray:
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 3:
        raise ConfigError(f"beat windows must be [beats, samples, leads] (got shape {x.shape}); pass BeatArrays.signal")
    if sampling_rate <= 0:
        raise ConfigError(f"sampling_rate must be > 0 Hz (got {sampling_rate})")
    r = int(round(before_s * sampling_rate))
    if not 0 < r < x.shape[1]:
        raise ConfigError(f"R peak at {before_s} s is outside the {x.shape[1]}-sample window; check before_s")
    return x


def _record_line(windows: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Lay ``[m, width]`` windows of one lead back on their record's time axis (NaN where none covers).

    ``offset`` is each window's first sample relative to the earliest window (samples, ≥ 0).
    Overlapping windows hold the same samples, so the order of assignment does not matter.
    """
    index = offset[:, None] + np.arange(windows.shape[1])[None, :]
    line = np.full(int(index.max()) + 1, np.nan)
    line[index] = windows
    return line


def clean_beat_windows(
    signal: np.ndarray, record: np.ndarray, sample: np.ndarray, sampling_rate: float, before_s: float
) -> np.ndarray:
    """Remove baseline wander and high-frequency noise from beat windows, record by record.

    Parameters
    ----------
    signal : numpy.ndarray
        ``[n, samples, leads]`` raw beat windows (mV).
    record, sample : numpy.ndarray
        ``[n]`` record name and R-peak position (samples) of each beat.
    sampling_rate : float
        Hz.
    before_s : float
        Seconds from the window start to the R peak.

    Returns
    -------
    numpy.ndarray
        Cleaned windows, same shape (mV, float64).
    """
    x = _check(signal, sampling_rate, before_s)
    before = int(round(before_s * sampling_rate))
    width = x.shape[1]
    taps = firwin(LOWPASS_TAPS, LOWPASS_HZ, fs=sampling_rate)
    out = np.empty_like(x)
    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    for name in np.unique(record):
        rows = np.flatnonzero(record == name)
        starts = sample[rows] - before
        offset = starts - int(starts.min())
        index = offset[:, None] + np.arange(width)[None, :]
        for lead in range(x.shape[2]):
            line = _record_line(x[rows, :, lead], offset)
            known = np.isfinite(line)
            if not known.all():
                line = np.interp(np.arange(line.size), np.flatnonzero(known), line[known])
            line = remove_baseline(line, sampling_rate, method="median")
            if line.size > 3 * LOWPASS_TAPS:
                line = filtfilt(taps, [1.0], line)  # zero phase: keeps R where the annotation put it
            out[rows, :, lead] = line[index]
    return out


def beat_fiducials(
    clean: np.ndarray,
    sampling_rate: float,
    before_s: float,
    config: FiducialConfig | None = None,
    rr_pre: np.ndarray | None = None,
) -> BeatFiducials:
    """Find QRS onset/offset, T-wave offset and whether a P wave precedes the QRS, for every beat.

    Parameters
    ----------
    clean : numpy.ndarray
        ``[n, samples, leads]`` cleaned beat windows (mV), e.g. from :func:`clean_beat_windows`.
    sampling_rate : float
        Hz.
    before_s : float
        Seconds from the window start to the R peak.
    config : FiducialConfig, optional
        Finder parameters.
    rr_pre : numpy.ndarray, optional
        ``[n]`` interval from the previous R peak (seconds); used only when
        ``config.p_after_previous_rr_fraction`` is set (it bounds the P search).

    Returns
    -------
    BeatFiducials
        Positions in samples from the window start; the T offset is the window end when the T
        wave runs past it.
    """
    cfg = config or FiducialConfig()
    x = _check(clean, sampling_rate, before_s)
    fs = float(sampling_rate)
    n, width, _ = x.shape
    r = int(round(before_s * fs))
    column = np.arange(width)[None, :]

    slope = np.abs(np.diff(x, axis=1, append=x[:, -1:, :])).sum(axis=2) * fs  # mV/s, all leads
    envelope = ndimage.uniform_filter1d(slope, _samples(cfg.slope_smoothing_s, fs), axis=1)
    near = _samples(cfg.qrs_peak_search_s, fs)
    threshold = cfg.qrs_edge_fraction * envelope[:, max(r - near, 0) : r + near + 1].max(axis=1, keepdims=True)
    quiet = _samples(cfg.qrs_quiet_s, fs)
    # quiet_before[i]: envelope below threshold over [i - quiet + 1, i]; quiet_after[i]: over [i, i + quiet - 1].
    high = (envelope >= threshold).astype(np.int8)
    quiet_before = ndimage.maximum_filter1d(high, quiet, axis=1, origin=(quiet - 1) // 2) == 0
    quiet_after = ndimage.maximum_filter1d(high, quiet, axis=1, origin=-(quiet // 2)) == 0
    lo = max(r - _samples(cfg.qrs_max_before_s, fs), 0)
    hi = min(r + _samples(cfg.qrs_max_after_s, fs), width - 1)
    onset_ok = quiet_before & (column >= lo) & (column < r)
    qrs_on = np.where(onset_ok.any(axis=1), width - 1 - np.argmax(onset_ok[:, ::-1], axis=1), lo).astype(float)
    offset_ok = quiet_after & (column > r) & (column <= hi)
    qrs_off = np.where(offset_ok.any(axis=1), np.argmax(offset_ok, axis=1), hi).astype(float)
    # The moving average spreads each edge outward by half its length: move the edges back.
    spread = _samples(cfg.slope_smoothing_s, fs) // 2
    qrs_on, qrs_off = np.minimum(qrs_on + spread, r), np.maximum(qrs_off - spread, r)

    t_off = _t_offsets(x[:, :, 0], qrs_off.astype(int), fs, cfg)
    p_start = np.full(n, max(r - _samples(cfg.p_search_start_s, fs), 0))
    if cfg.p_after_previous_rr_fraction is not None and rr_pre is not None:
        rr_pre = np.asarray(rr_pre, dtype=np.float64)
        if rr_pre.shape != (n,):
            raise ConfigError(f"rr_pre needs one interval (s) per beat window ({n}); got shape {rr_pre.shape}")
        previous_r = r - rr_pre * fs  # may lie before the window start
        bound = np.ceil(previous_r + cfg.p_after_previous_rr_fraction * rr_pre * fs)
        # An unknown pre-RR (NaN) leaves that beat's search at the fixed start.
        p_start = np.where(np.isfinite(bound), np.maximum(p_start, np.nan_to_num(bound, nan=0.0)), p_start).astype(np.int64)
    p_present = _p_present(x[:, :, 0], p_start, qrs_on.astype(int), fs, cfg)
    return BeatFiducials(qrs_on=qrs_on, qrs_off=qrs_off, t_off=t_off, p_present=p_present)


def wavelet_fiducials(
    clean: np.ndarray,
    record: np.ndarray,
    sample: np.ndarray,
    sampling_rate: float,
    before_s: float,
    config: FiducialConfig | None = None,
    delineation_config: WaveletConfig | None = None,
) -> BeatFiducials:
    """Fiducials from the wavelet delineator (Martínez et al. 2004), slope finder where it finds none.

    A 0.8-s beat window is shorter than the context :func:`ecgbench.signal.delineation.delineate`
    needs (0.7 s before R, 1 s after), so the cleaned windows of each record are laid back on the
    record's time axis (as in :func:`clean_beat_windows`; samples no window covers are NaN, which
    the delineator bridges and on which it reports no fiducial) and lead :data:`DELINEATION_LEAD`
    (MLII in MIT-BIH, the lead the slope finder takes T and P from) is delineated with every beat's
    R peak given.

    Per beat and per fiducial, a point the delineator does not return (-1: no boundary within its
    search range, or one on an uncovered sample) is replaced by the slope finder's
    (:func:`beat_fiducials`) value. The P flag is "the delineator found a P wave"; only when it
    found no QRS at all for the beat (so it searched no P wave) is the slope finder's flag used.

    Parameters
    ----------
    clean : numpy.ndarray
        ``[n, samples, leads]`` cleaned beat windows (mV), e.g. from :func:`clean_beat_windows`.
    record, sample : numpy.ndarray
        ``[n]`` record name and R-peak position (samples) of each beat.
    sampling_rate : float
        Hz.
    before_s : float
        Seconds from the window start to the R peak.
    config : FiducialConfig, optional
        Parameters of the slope finder used as fallback.
    delineation_config : ecgbench.signal.delineation.WaveletConfig, optional
        Parameters of the delineator (default: its validated defaults).

    Returns
    -------
    BeatFiducials
        Positions in samples from the window start (float). Unlike the slope finder's, they may
        lie outside ``[0, samples)`` when the wave ends on a neighbouring beat's samples (e.g. a T
        offset later than 0.5 s after R); durations stay correct.

    References
    ----------
    Martínez JP et al. A wavelet-based ECG delineator: evaluation on standard databases. IEEE Trans
    Biomed Eng 51(4):570-581 (2004).
    """
    x = _check(clean, sampling_rate, before_s)
    n = x.shape[0]
    if len(record) != n or len(sample) != n:
        raise ConfigError(
            f"record and sample need one entry per beat window ({n}); got {len(record)} and {len(sample)}"
        )
    before = int(round(before_s * sampling_rate))
    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    found = {name: np.full(n, -1, dtype=np.int64) for name in ("qrs_on", "qrs_off", "t_off", "p_peak")}
    window_start = np.zeros(n, dtype=np.int64)  # line position of each window's first sample
    for name in np.unique(record):
        rows = np.flatnonzero(record == name)
        starts = sample[rows] - before
        offset = starts - int(starts.min())
        window_start[rows] = offset
        line = _record_line(x[rows, :, DELINEATION_LEAD], offset)
        peaks = np.unique(offset + before)  # the delineator wants strictly increasing R peaks
        delineation = delineate(line, sampling_rate, peaks, method="wavelet", config=delineation_config)
        k = np.searchsorted(peaks, offset + before)
        for fiducial, values in found.items():
            values[rows] = getattr(delineation, fiducial)[k]
    qrs_found = (found["qrs_on"] >= 0) | (found["qrs_off"] >= 0)
    # The slope finder runs only on the windows that need a fallback value.
    needed = (found["qrs_on"] < 0) | (found["qrs_off"] < 0) | (found["t_off"] < 0) | ~qrs_found
    fallback = BeatFiducials(*(np.full(n, np.nan) for _ in range(3)), p_present=np.zeros(n, dtype=bool))
    if needed.any():
        some = beat_fiducials(x[needed], sampling_rate, before_s, config)
        for name in ("qrs_on", "qrs_off", "t_off", "p_present"):
            getattr(fallback, name)[needed] = getattr(some, name)

    def position(fiducial: str, slope_value: np.ndarray) -> np.ndarray:
        return np.where(found[fiducial] >= 0, (found[fiducial] - window_start).astype(float), slope_value)

    return BeatFiducials(
        qrs_on=position("qrs_on", fallback.qrs_on),
        qrs_off=position("qrs_off", fallback.qrs_off),
        t_off=position("t_off", fallback.t_off),
        p_present=np.where(qrs_found, found["p_peak"] >= 0, fallback.p_present),
    )


def hybrid_fiducials(
    clean: np.ndarray,
    record: np.ndarray,
    sample: np.ndarray,
    sampling_rate: float,
    before_s: float,
    config: FiducialConfig | None = None,
    rr_pre: np.ndarray | None = None,
) -> BeatFiducials:
    """QRS onset/offset and T offset from the slope finder, P flag from the wavelet delineator.

    The delineator cuts wide ventricular QRS complexes to about half their width (see
    :func:`wavelet_fiducials`), so the QRS and T-wave durations are those of :func:`beat_fiducials`
    (which keeps wide complexes wide); its P flag (a P wave searched in the 0.3 s before its own QRS
    onset, but not before the previous R + 0.55 × RR, with a slope threshold chosen on LUDB)
    replaces the slope finder's pre-QRS hump test, which also fires on ventricular beats. Exactly:
    ``qrs_on``, ``qrs_off``, ``t_off`` = :func:`beat_fiducials` on every beat; ``p_present`` =
    :func:`wavelet_fiducials`'s (which is the slope finder's flag only for a beat whose QRS the
    delineator did not find).

    Parameters
    ----------
    clean, record, sample, sampling_rate, before_s, config
        As for :func:`wavelet_fiducials`.
    rr_pre : numpy.ndarray, optional
        As for :func:`beat_fiducials`. It only bounds the slope finder's P search, whose flag the
        hybrid discards, so with ``method="hybrid"`` it changes nothing (the delineator bounds its
        own P search by the RR; its slope fallback runs unbounded).

    Returns
    -------
    BeatFiducials
        Positions in samples from the window start (float).
    """
    slope = beat_fiducials(clean, sampling_rate, before_s, config, rr_pre)
    wavelet = wavelet_fiducials(clean, record, sample, sampling_rate, before_s, config)
    return BeatFiducials(qrs_on=slope.qrs_on, qrs_off=slope.qrs_off, t_off=slope.t_off, p_present=wavelet.p_present)


def find_fiducials(
    clean: np.ndarray,
    record: np.ndarray,
    sample: np.ndarray,
    sampling_rate: float,
    before_s: float,
    method: str = "slope",
    config: FiducialConfig | None = None,
    rr_pre: np.ndarray | None = None,
) -> BeatFiducials:
    """QRS onset/offset, T offset and P flag of every beat window by the chosen finder.

    Parameters
    ----------
    clean : numpy.ndarray
        ``[n, samples, leads]`` cleaned beat windows (mV).
    record, sample : numpy.ndarray
        ``[n]`` record name and R-peak position (samples); used by ``"wavelet"`` and ``"hybrid"``.
    sampling_rate : float
        Hz.
    before_s : float
        Seconds from the window start to the R peak.
    method : str
        ``"slope"``: the slope-envelope finder on each window (:func:`beat_fiducials`);
        ``"wavelet"``: the project's wavelet delineator on the record laid back together, slope
        values where it finds none (:func:`wavelet_fiducials`); ``"hybrid"``: QRS and T boundaries
        from the slope finder, P flag from the delineator (:func:`hybrid_fiducials`).
    config : FiducialConfig, optional
        Parameters of the slope finder.
    rr_pre : numpy.ndarray, optional
        ``[n]`` pre-RR (seconds) for the slope finder's P search bound
        (``config.p_after_previous_rr_fraction``).

    Returns
    -------
    BeatFiducials
    """
    if method == "slope":
        return beat_fiducials(clean, sampling_rate, before_s, config, rr_pre)
    if method == "wavelet":
        return wavelet_fiducials(clean, record, sample, sampling_rate, before_s, config)
    if method == "hybrid":
        return hybrid_fiducials(clean, record, sample, sampling_rate, before_s, config, rr_pre)
    raise unknown_choice("fiducial method", method, FIDUCIAL_METHODS)


def _t_offsets(lead: np.ndarray, qrs_off: np.ndarray, fs: float, cfg: FiducialConfig) -> np.ndarray:
    """T offset: after the T peak, where the slope falls below a fraction of the steepest downslope."""
    n, width = lead.shape
    column = np.arange(width)[None, :]
    start = np.minimum(qrs_off + _samples(cfg.t_start_after_qrs_s, fs), width - 2)[:, None]
    level = np.where(column >= start, np.abs(lead - lead[np.arange(n), qrs_off][:, None]), -np.inf)
    peak = np.argmax(level, axis=1)[:, None]
    slope = ndimage.uniform_filter1d(np.abs(np.diff(lead, axis=1, append=lead[:, -1:])), _samples(cfg.t_slope_smoothing_s, fs), axis=1)
    after_peak = column >= peak
    steepest = np.argmax(np.where(after_peak, slope, -np.inf), axis=1)[:, None]
    limit = cfg.t_offset_fraction * slope[np.arange(n), steepest[:, 0]][:, None]
    done = (column > steepest) & (slope < limit)
    return np.where(done.any(axis=1), np.argmax(done, axis=1), width - 1).astype(float)


def _p_present(lead: np.ndarray, start: np.ndarray, qrs_on: np.ndarray, fs: float, cfg: FiducialConfig) -> np.ndarray:
    """P flag: a hump of at least ``p_min_amplitude_mv`` above the chord of the pre-QRS segment.

    The segment of each beat runs from ``start`` (samples, ``[n]``) to its QRS onset minus
    ``p_gap_before_qrs_s``; a segment too short for the two chord ends has no P wave.
    """
    n, width = lead.shape
    start = np.clip(np.asarray(start, dtype=np.int64), 0, width - 1)
    edge = _samples(cfg.p_edge_average_s, fs)
    stop = np.clip(qrs_on - _samples(cfg.p_gap_before_qrs_s, fs), start + 2, width)
    cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(lead, axis=1)], axis=1)
    rows = np.arange(n)
    left_hi = np.minimum(start + edge, width)
    left = (cumulative[rows, left_hi] - cumulative[rows, start]) / np.maximum(left_hi - start, 1)
    right_lo = np.maximum(stop - edge, start)
    right = (cumulative[rows, stop] - cumulative[rows, right_lo]) / np.maximum(stop - right_lo, 1)
    column = np.arange(width)[None, :]
    fraction = (column - start[:, None]) / np.maximum(stop - start, 1)[:, None]
    chord = left[:, None] + fraction * (right - left)[:, None]
    inside = (column > (start + edge)[:, None]) & (column < (stop - edge)[:, None])
    hump = np.where(inside, lead - chord, 0.0)
    return np.abs(hump).max(axis=1) >= cfg.p_min_amplitude_mv


def rr_context(record: np.ndarray, sample: np.ndarray, rr_pre: np.ndarray, sampling_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the average and local-average RR of each beat from the beats of its record (seconds).

    The average is the mean ``rr_pre`` of the record's beats within
    :data:`AVERAGE_RR_HALF_WINDOW_S` of the beat; the local average is the mean ``rr_pre`` of the
    :data:`LOCAL_RR_INTERVALS` beats centred on it (fewer at the record edges). When only a subset
    of a record's beats is present (the intra-patient split), both are means over that subset.
    """
    record = np.asarray(record).astype(str)
    sample = np.asarray(sample, dtype=np.int64)
    rr_pre = np.asarray(rr_pre, dtype=np.float64)
    average = np.empty(rr_pre.size)
    local = np.empty(rr_pre.size)
    half_window = AVERAGE_RR_HALF_WINDOW_S * sampling_rate
    for name in np.unique(record):
        rows = np.flatnonzero(record == name)
        rows = rows[np.argsort(sample[rows], kind="stable")]
        t = sample[rows]
        values = rr_pre[rows]
        cumulative = np.concatenate([[0.0], np.cumsum(values)])
        lo = np.searchsorted(t, t - half_window, side="left")
        hi = np.searchsorted(t, t + half_window, side="right")
        average[rows] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
        k = np.arange(t.size)
        lo = np.clip(k - LOCAL_RR_INTERVALS // 2 + 1, 0, t.size)
        hi = np.clip(k + LOCAL_RR_INTERVALS // 2 + 1, 0, t.size)
        local[rows] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
    return average, local


def _sample_positions(span_s: tuple[float, float], points: int, r: int, fs: float, width: int) -> np.ndarray:
    return np.clip(np.round(r + np.linspace(span_s[0], span_s[1], points) * fs).astype(int), 0, width - 1)


def de_chazal_features(
    signal: np.ndarray,
    rr: np.ndarray,
    record: np.ndarray,
    sample: np.ndarray,
    sampling_rate: float,
    before_s: float,
    config: FiducialConfig | None = None,
    rr_range_s: tuple[float, float] | None = RR_RANGE_S,
    method: str = "slope",
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return the de Chazal et al. (2004) feature matrix and the index of each feature group.

    Parameters
    ----------
    signal : numpy.ndarray
        ``[n, samples, leads]`` raw beat windows (mV).
    rr : numpy.ndarray
        ``[n, ≥2]`` RR features whose first two columns are ``rr_pre``, ``rr_post`` (seconds).
    record, sample : numpy.ndarray
        ``[n]`` record name and R-peak position (samples).
    sampling_rate : float
        Hz.
    before_s : float
        Seconds from the window start to the R peak.
    config : FiducialConfig, optional
    rr_range_s : (float, float) or None
        ``rr_pre`` and ``rr_post`` are clipped to this range (seconds) before the average and
        local RR are formed from them (:data:`RR_RANGE_S`); None keeps them as given.
    method : str
        Fiducial finder for the QRS duration, T-wave duration and P flag (:func:`find_fiducials`):
        ``"slope"`` (default), ``"wavelet"`` or ``"hybrid"``. The morphology samples do not depend
        on it (they are taken relative to R, as in the paper). The slope finder receives the
        pre-RR (clipped to ``rr_range_s`` when that is set) for its optional P search bound
        (``config.p_after_previous_rr_fraction``).

    Returns
    -------
    features : numpy.ndarray
        ``[n, 7 + 19 × leads]``: pre-RR, post-RR, average RR, local RR (s); QRS duration, T-wave
        duration (s, QRS offset to T offset), P flag (0/1); then per lead 10 QRS and 9 T samples (mV).
    groups : dict
        ``"rr"``, ``"intervals"`` and ``"lead0"``, ``"lead1"`` … → column indices.
    """
    if method not in FIDUCIAL_METHODS:
        raise unknown_choice("fiducial method", method, FIDUCIAL_METHODS)
    rr = np.asarray(rr, dtype=np.float64)[:, :2]
    if rr_range_s is not None:
        if not 0 < rr_range_s[0] < rr_range_s[1]:
            raise ConfigError(f"rr_range_s must be (low, high) seconds with 0 < low < high (got {rr_range_s})")
        rr = np.clip(rr, *rr_range_s)
    clean = clean_beat_windows(signal, record, sample, sampling_rate, before_s)
    fid = find_fiducials(clean, record, sample, sampling_rate, before_s, method, config, rr[:, 0])
    average, local = rr_context(record, sample, rr[:, 0], sampling_rate)
    fs = float(sampling_rate)
    r = int(round(before_s * fs))
    width = clean.shape[1]
    qrs = _sample_positions(QRS_SPAN_S, QRS_POINTS, r, fs, width)
    t_wave = _sample_positions(T_SPAN_S, T_POINTS, r, fs, width)
    columns = [
        np.stack([rr[:, 0], rr[:, 1], average, local], axis=1),
        np.stack([(fid.qrs_off - fid.qrs_on) / fs, (fid.t_off - fid.qrs_off) / fs, fid.p_present.astype(float)], axis=1),
    ]
    groups = {"rr": np.arange(4), "intervals": np.arange(4, 7)}
    start = 7
    for lead in range(clean.shape[2]):
        columns.append(np.concatenate([clean[:, qrs, lead], clean[:, t_wave, lead]], axis=1))
        groups[f"lead{lead}"] = np.arange(start, start + QRS_POINTS + T_POINTS)
        start += QRS_POINTS + T_POINTS
    return np.concatenate(columns, axis=1), groups
