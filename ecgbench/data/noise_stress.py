"""The MIT-BIH noise stress test: calibrated NSTDB noise added to a whole record, as WFDB's ``nst`` does.

A noise stress test record is an ECG record plus a recorded noise record (NSTDB ``bw``, ``ma``;
``em`` is not shipped here), switched on and off in the NSTDB protocol: clean for the first
:data:`NST_START_S` seconds, then alternately noisy and clean segments of :data:`NST_PERIOD_S`
seconds up to the end. Each lead ``i`` gets noise channel ``i mod channels`` at output sample
``t`` from noise sample ``t`` (the noise record repeats when shorter), scaled by one gain per lead:

    gain = 10^(-SNR/20) · √2/4 · A_qrs / A_noise

where ``A_qrs`` is the normal QRS peak-to-peak amplitude and ``A_noise`` the noise RMS amplitude,
both measured as WFDB's ``sigamp`` does (:func:`qrs_amplitude`, :func:`rms_amplitude`; "normal"
is every beat that WFDB's ``map1`` calls NORMAL, :data:`NST_NORMAL_SYMBOLS`). So the SNR is ``S/N``
in dB with ``S = A_qrs²/8`` (the power of a sinusoid of that peak-to-peak amplitude) and
``N = A_noise²``, the definition of ``nst`` and of the NSTDB records (118e24 … 119e_6).

As ``nst``, the output is kept continuous where the noise switches on or off (and where the noise
record wraps round): at each such sample a per-lead offset is re-set so that the first new output
sample follows the previous one, and the offset is held until the next switch. A clean segment
therefore carries a constant offset, never a step.

We write this ourselves because no maintained Python library provides it (wfdb-python has no
``nst``); the constants below are ``nst``'s and ``sigamp``'s defaults.

References
----------
Moody GB, Muldrow WE, Mark RG. A noise stress test for arrhythmia detectors. Computers in
Cardiology 11:381-384 (1984).
Moody GB. nst(1) and sigamp(1), WFDB Applications Guide, PhysioNet (2009).
ANSI/AAMI EC57:2012, Testing and reporting performance results of cardiac rhythm and ST segment
measurement algorithms (its noise stress test uses these records).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError

#: Seconds of clean signal before the first noisy segment (nst: 5:00).
NST_START_S = 300.0
#: Length of each noisy and each clean segment after the start, seconds (nst: 2:00).
NST_PERIOD_S = 120.0
#: QRS peak-to-peak window around each normal-beat annotation, seconds before and after (sigamp -d).
QRS_HALF_WINDOW_S = 0.05
#: Window of each noise RMS measurement, seconds (sigamp -w).
RMS_WINDOW_S = 1.0
#: Measurements averaged per amplitude, at most (sigamp -n: the first 300 beats or windows).
MAX_MEASUREMENTS = 300
#: Fraction of the measurements dropped at each end before averaging (sigamp: namp/20).
TRIM_FRACTION = 1.0 / 20.0
#: Beat symbols WFDB's ``map1`` maps to NORMAL (wfdb/ecgmap.h): sigamp measures these beats, which
#: include supraventricular, paced and unclassified beats; ventricular (V E ! r) and fusion (F) are left out.
NST_NORMAL_SYMBOLS = frozenset("NLRaJASj/QBenf")


def nst_normal_beats(sample: np.ndarray, symbol: np.ndarray) -> np.ndarray:
    """The samples of the beats ``sigamp`` measures (symbols in :data:`NST_NORMAL_SYMBOLS`)."""
    keep = np.array([str(s) in NST_NORMAL_SYMBOLS for s in np.asarray(symbol)], dtype=bool)
    return np.asarray(sample, dtype=np.int64)[keep] if keep.size else np.zeros(0, np.int64)


def _trimmed_mean(values: np.ndarray) -> np.ndarray:
    """sigamp's trimmed mean along axis 0: sort, drop ``n // 20`` at each end, average the rest."""
    values = np.sort(np.asarray(values, dtype=np.float64), axis=0)
    n = values.shape[0]
    low = int(n * TRIM_FRACTION)
    return values[low : n - low].mean(axis=0)


def qrs_amplitude(signal: np.ndarray, normal_beats: np.ndarray, fs: float) -> np.ndarray:
    """Normal QRS peak-to-peak amplitude of each lead, as ``sigamp -a``.

    Parameters
    ----------
    signal : numpy.ndarray
        ``[samples, leads]`` ECG (mV).
    normal_beats : numpy.ndarray
        Samples of the normal beats (:func:`nst_normal_beats`), sorted; the first
        :data:`MAX_MEASUREMENTS` whose window fits in the record are measured.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    numpy.ndarray
        ``[leads]`` trimmed mean of max − min over ``[R − 0.05 s, R + 0.05 s]``, both ends included
        as in sigamp (37 samples at 360 Hz), in mV.

    Raises
    ------
    ConfigError
        No normal beat with a full window (the SNR cannot be calibrated).
    """
    signal = _as_2d(signal, "signal")
    half = int(round(QRS_HALF_WINDOW_S * fs))
    beats = np.asarray(normal_beats, dtype=np.int64)
    beats = beats[(beats - half >= 0) & (beats + half < signal.shape[0])][:MAX_MEASUREMENTS]
    if beats.size == 0:
        raise ConfigError("no normal beat with a full ±50 ms window: the QRS amplitude (and so the SNR) is undefined")
    windows = signal[beats[:, None] + np.arange(-half, half + 1)[None, :]]  # [beats, window, leads]
    return _trimmed_mean(windows.max(axis=1) - windows.min(axis=1))


def rms_amplitude(noise: np.ndarray, fs: float) -> np.ndarray:
    """Noise RMS amplitude of each channel, as ``sigamp`` without annotations.

    Parameters
    ----------
    noise : numpy.ndarray
        ``[samples, channels]`` noise (mV).
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    numpy.ndarray
        ``[channels]`` trimmed mean, over the first :data:`MAX_MEASUREMENTS` consecutive 1-s windows,
        of each window's RMS about its own mean (mV).
    """
    noise = _as_2d(noise, "noise")
    width = int(round(RMS_WINDOW_S * fs))
    n_windows = min(noise.shape[0] // width, MAX_MEASUREMENTS)
    if n_windows == 0:
        raise ConfigError(f"noise shorter than one {RMS_WINDOW_S:g}-s RMS window ({noise.shape[0]} samples at {fs:g} Hz)")
    windows = noise[: n_windows * width].reshape(n_windows, width, -1).astype(np.float64)
    rms = np.sqrt(np.mean(np.square(windows - windows.mean(axis=1, keepdims=True)), axis=1))
    amplitude = _trimmed_mean(rms)
    if np.any(amplitude <= 0):
        raise ConfigError("a noise channel is flat (zero RMS amplitude); it cannot be scaled to an SNR")
    return amplitude


def nst_gain(snr_db: float, qrs_amp: np.ndarray, noise_rms: np.ndarray) -> np.ndarray:
    """Per-lead noise gain for a target SNR (dB): ``10^(-SNR/20) · √2/4 · A_qrs / A_noise`` (unitless)."""
    return 10.0 ** (-float(snr_db) / 20.0) * np.sqrt(2.0) / 4.0 * np.asarray(qrs_amp, np.float64) / np.asarray(noise_rms, np.float64)


def noisy_segments(n_samples: int, fs: float, start_s: float = NST_START_S, period_s: float = NST_PERIOD_S) -> np.ndarray:
    """Boolean ``[n_samples]``: True where the NSTDB protocol adds noise (from ``start_s``, ``period_s`` on, ``period_s`` off, …).

    The switch times are whole samples (``round(start_s · fs)``, then every ``round(period_s · fs)``).
    """
    start, period = int(round(start_s * fs)), int(round(period_s * fs))
    if start < 0 or period <= 0:
        raise ConfigError(f"noise stress protocol needs start_s >= 0 and period_s > 0 (got {start_s}, {period_s} s at {fs:g} Hz)")
    index = np.arange(int(n_samples)) - start
    return (index >= 0) & ((np.maximum(index, 0) // period) % 2 == 0)


@dataclass(frozen=True)
class NoiseStressRecord:
    """A noise stress test record.

    Attributes
    ----------
    signal : numpy.ndarray
        ``[samples, leads]`` ECG plus scaled noise (mV).
    noisy : numpy.ndarray
        ``[samples]`` True in the noisy segments.
    gain : numpy.ndarray
        ``[leads]`` noise gain applied in the noisy segments (unitless).
    snr_db : float
        Target SNR (dB).
    """

    signal: np.ndarray
    noisy: np.ndarray
    gain: np.ndarray
    snr_db: float


def noise_stress(
    signal: np.ndarray,
    normal_beats: np.ndarray,
    noise: np.ndarray,
    fs: float,
    snr_db: float,
    *,
    start_s: float = NST_START_S,
    period_s: float = NST_PERIOD_S,
) -> NoiseStressRecord:
    """Add calibrated noise to a record in the NSTDB protocol (module notes).

    Parameters
    ----------
    signal : numpy.ndarray
        ``[samples, leads]`` ECG (mV).
    normal_beats : numpy.ndarray
        Samples of the record's normal beats (:func:`nst_normal_beats` of its reference
        annotations), for ``A_qrs``.
    noise : numpy.ndarray
        ``[samples, channels]`` noise record at the same sampling rate (mV); its first
        :data:`MAX_MEASUREMENTS` one-second windows calibrate ``A_noise``, and it repeats when
        shorter than the record.
    fs : float
        Sampling rate of both, Hz.
    snr_db : float
        Target signal-to-noise ratio (dB); NSTDB uses 24, 18, 12, 6, 0 and -6.
    start_s, period_s : float
        Protocol timing (seconds).

    Returns
    -------
    NoiseStressRecord
    """
    signal = _as_2d(signal, "signal")
    noise = _as_2d(noise, "noise")
    if not np.isfinite(snr_db):
        raise ConfigError(f"SNR must be a finite number of dB (got {snr_db})")
    channels = [lead % noise.shape[1] for lead in range(signal.shape[1])]
    gain = nst_gain(snr_db, qrs_amplitude(signal, normal_beats, fs), rms_amplitude(noise, fs)[channels])
    n = signal.shape[0]
    repeats = -(-n // noise.shape[0])
    aligned = np.tile(noise[:, channels], (repeats, 1))[:n]
    noisy = noisy_segments(n, fs, start_s, period_s)
    # nst's segments: a new one begins wherever the gain switches or the noise record wraps round.
    switches = np.flatnonzero(np.diff(noisy.astype(np.int8))) + 1
    wraps = np.arange(noise.shape[0], n, noise.shape[0])
    bounds = np.concatenate([[0], np.union1d(switches, wraps), [n]]).astype(np.int64)
    switch_set = set(switches.tolist())
    mixed = np.empty_like(signal)
    offset = np.zeros(signal.shape[1])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        g = gain if noisy[lo] else np.zeros_like(gain)
        if lo in switch_set:  # nst: z = vin + gn·noise − vout of the last sample read, with the new gain
            offset = signal[lo - 1] + g * aligned[lo - 1] - mixed[lo - 1]
        elif lo > 0:  # noise wrap: nst re-reads the noise from its start and repeats the last output sample
            offset = signal[lo] + g * aligned[lo] - mixed[lo - 1]
        mixed[lo:hi] = signal[lo:hi] + g * aligned[lo:hi] - offset
    return NoiseStressRecord(signal=mixed, noisy=noisy, gain=gain, snr_db=float(snr_db))


def _as_2d(array: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0:
        raise ConfigError(f"{name} must be a non-empty [samples, leads] array (got shape {array.shape})")
    return array
