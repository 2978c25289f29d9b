"""Synthetic ECG records for tests, dummy data and benchmarks (never for scoring models).

Beats are sums of Gaussian waves (P, Q, R, S, T) after McSharry et al. (2003), placed at given R-peak
times; ventricular beats get a wide QRS, no P wave and an inverted T wave. Records are written in
the MIT-BIH layout (format 212, gain 200 adu/mV, baseline 1024, leads MLII and V5) with a reference
``atr`` annotation file that includes rhythm (``+``) annotations, so every reader and builder can
be exercised without real data.

References
----------
McSharry PE, Clifford GD, Tarassenko L, Smith LA. A dynamical model for generating synthetic
electrocardiogram signals. IEEE Trans Biomed Eng 50(3):289-294 (2003).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import wfdb

# (offset from R in s, amplitude in mV, Gaussian width in s) for each wave.
_NORMAL_WAVES = ((-0.20, 0.15, 0.025), (-0.03, -0.12, 0.010), (0.0, 1.10, 0.010), (0.03, -0.25, 0.010), (0.30, 0.30, 0.050))
_VENTRICULAR_WAVES = ((0.0, 1.50, 0.035), (0.07, -0.40, 0.030), (0.32, -0.40, 0.070))
_LEAD_GAINS = (1.0, 0.6)  # relative amplitude of lead 2 (V5-like) to lead 1 (MLII-like)

MITDB_GAIN = 200.0  # adu per mV
MITDB_BASELINE = 1024  # adu


@dataclass(frozen=True)
class SyntheticECG:
    """A synthetic recording: signal (samples × leads, mV), sampling rate (Hz), R peaks (samples), beat symbols."""

    signal: np.ndarray
    fs: float
    r_peaks: np.ndarray
    symbols: np.ndarray


def synthetic_ecg(
    fs: float = 360.0,
    duration: float = 60.0,
    heart_rate: float = 72.0,
    symbols: str | list[str] | None = None,
    rr_jitter: float = 0.02,
    noise_mv: float = 0.01,
    n_leads: int = 2,
    seed: int = 0,
) -> SyntheticECG:
    """Generate a synthetic ECG.

    Parameters
    ----------
    fs : float
        Sampling frequency in Hz.
    duration : float
        Length in seconds.
    heart_rate : float
        Mean heart rate in beats per minute.
    symbols : str or list of str, optional
        Beat symbols repeated cyclically (``"NNNV"`` gives every fourth beat ventricular, coming
        early with a compensatory pause). Default all ``"N"``.
    rr_jitter : float
        Standard deviation of the RR interval as a fraction of the mean RR (irregular rhythms use
        0.15 or more).
    noise_mv : float
        Standard deviation of additive white noise in mV.
    n_leads : int
        Number of leads (1 or 2).
    seed : int
        Seed of the random generator.
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration * fs))
    pattern = list(symbols) if symbols else ["N"]
    rr_mean = 60.0 / heart_rate
    peaks, labels = [], []
    t = 0.5 * rr_mean + 0.3
    k = 0
    while t < duration - 0.5:
        sym = pattern[k % len(pattern)]
        peaks.append(t)
        labels.append(sym)
        rr = rr_mean * (1.0 + rr_jitter * rng.standard_normal())
        nxt = pattern[(k + 1) % len(pattern)]
        if nxt in "VAS":  # premature beat, then compensatory pause
            rr *= 0.65
        elif sym in "VAS":
            rr *= 1.35
        t += max(rr, 0.2)
        k += 1
    r_peaks = np.round(np.asarray(peaks) * fs).astype(np.int64)
    time = np.arange(n) / fs
    signal = np.zeros((n, n_leads), dtype=np.float64)
    for peak_s, sym in zip(np.asarray(peaks), labels):
        waves = _VENTRICULAR_WAVES if sym in "VEF" else _NORMAL_WAVES
        lo, hi = np.searchsorted(time, [peak_s - 0.4, peak_s + 0.6])
        seg = time[lo:hi] - peak_s
        beat = sum(a * np.exp(-0.5 * ((seg - mu) / w) ** 2) for mu, a, w in waves)
        for lead in range(n_leads):
            signal[lo:hi, lead] += _LEAD_GAINS[lead % 2] * beat
    signal += noise_mv * rng.standard_normal(signal.shape)
    return SyntheticECG(signal=signal.astype(np.float32), fs=fs, r_peaks=r_peaks, symbols=np.asarray(labels))


def write_synthetic_record(
    directory: str | os.PathLike,
    record: str,
    ecg: SyntheticECG | None = None,
    rhythm_changes: list[tuple[int, str]] | None = None,
    extra_annotations: list[tuple[int, str, str]] | None = None,
    **kwargs,
) -> SyntheticECG:
    """Write a synthetic record as WFDB files ``record.hea``, ``record.dat`` and ``record.atr``.

    Parameters
    ----------
    directory : path-like
        Output folder (created if missing).
    record : str
        Record name.
    ecg : SyntheticECG, optional
        The recording to write; default ``synthetic_ecg(**kwargs)``.
    rhythm_changes : list of (sample, rhythm), optional
        Rhythm annotations written as ``+`` with aux note ``"(" + rhythm``; default ``[(0, "N")]``.
    extra_annotations : list of (sample, symbol, aux_note), optional
        Further non-beat annotations (``"~"``, ``"|"`` …).
    """
    ecg = ecg if ecg is not None else synthetic_ecg(**kwargs)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    n_leads = ecg.signal.shape[1]
    lead_names = ["MLII", "V5"][:n_leads]
    digital = np.clip(np.round(ecg.signal * MITDB_GAIN) + MITDB_BASELINE, 0, 2047).astype(np.int32)
    wfdb.wrsamp(
        record,
        fs=ecg.fs,
        units=["mV"] * n_leads,
        sig_name=lead_names,
        d_signal=digital,
        fmt=["212"] * n_leads,
        adc_gain=[MITDB_GAIN] * n_leads,
        baseline=[MITDB_BASELINE] * n_leads,
        write_dir=str(directory),
    )
    events: list[tuple[int, str, str]] = [(int(s), str(sym), "") for s, sym in zip(ecg.r_peaks, ecg.symbols)]
    for sample, rhythm in rhythm_changes if rhythm_changes is not None else [(0, "N")]:
        events.append((int(sample), "+", "(" + rhythm))
    events.extend(extra_annotations or [])
    events.sort(key=lambda e: (e[0], e[1] != "+"))
    wfdb.wrann(
        record,
        "atr",
        np.array([e[0] for e in events], dtype=np.int64),
        symbol=[e[1] for e in events],
        aux_note=[e[2] for e in events],
        fs=ecg.fs,
        write_dir=str(directory),
    )
    return ecg
