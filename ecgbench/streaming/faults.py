"""Signal faults for robustness tests of the streaming chain: gaps, flat lines, saturation, noise.

Each function returns a copy of a ``[samples, leads]`` ECG (mV) with one fault over
``[start, start + duration)`` seconds, on every lead:

``gap``
    Missing samples (NaN), as a dropped chunk or a radio outage.
``flat``
    The signal held at its value just before the fault (an electrode off, an amplifier stuck).
``saturation``
    The signal pinned at the ADC rail (``rail_mv``; MIT-BIH's 11-bit ADC spans ±5.12 mV).
``noise``
    A recorded NSTDB noise (``bw`` baseline wander, ``ma`` muscle artefact) scaled to a target SNR
    with the calibration of WFDB's ``nst`` (:func:`ecgbench.data.noise_stress.nst_gain`: the
    record's normal QRS peak-to-peak amplitude against the noise's RMS amplitude).

References
----------
Moody GB, Muldrow WE, Mark RG. A noise stress test for arrhythmia detectors. Computers in
Cardiology 11:381-384 (1984).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError

#: Fault kinds :func:`inject` knows.
FAULT_KINDS: tuple[str, ...] = ("gap", "flat", "saturation", "noise")

#: ADC rail (mV) used for saturation: MIT-BIH's ±5.12 mV range.
RAIL_MV = 5.12


@dataclass(frozen=True)
class Fault:
    """One injected fault: kind, start and duration (s), and for noise the NSTDB record and SNR (dB)."""

    kind: str
    start: float
    duration: float
    noise: str | None = None
    snr_db: float | None = None

    @property
    def end(self) -> float:
        """End of the fault (s)."""
        return self.start + self.duration

    @property
    def name(self) -> str:
        """Short label, e.g. ``gap``, ``ma 0 dB``."""
        return f"{self.noise} {self.snr_db:g} dB" if self.kind == "noise" else self.kind


def _span(signal: np.ndarray, fs: float, start: float, duration: float) -> slice:
    if duration <= 0 or start < 0:
        raise ConfigError(f"a fault needs start >= 0 s and duration > 0 s (got {start}, {duration})")
    lo = int(round(start * fs))
    hi = min(signal.shape[0], int(round((start + duration) * fs)))
    if lo >= hi:
        raise ConfigError(f"fault at {start} s lies beyond the signal's {signal.shape[0] / fs:.1f} s")
    return slice(lo, hi)


def _copy(signal: np.ndarray) -> np.ndarray:
    out = np.array(signal, dtype=np.float64, copy=True)
    return out[:, None] if out.ndim == 1 else out


def gap(signal: np.ndarray, fs: float, start: float, duration: float) -> np.ndarray:
    """Missing samples (NaN) over ``duration`` s from ``start`` s."""
    out = _copy(signal)
    out[_span(out, fs, start, duration)] = np.nan
    return out


def flat(signal: np.ndarray, fs: float, start: float, duration: float) -> np.ndarray:
    """The signal held at its last value before ``start`` s for ``duration`` s."""
    out = _copy(signal)
    span = _span(out, fs, start, duration)
    out[span] = out[max(span.start - 1, 0)]
    return out


def saturation(signal: np.ndarray, fs: float, start: float, duration: float, rail_mv: float = RAIL_MV) -> np.ndarray:
    """The signal pinned at the positive ADC rail (``rail_mv``, mV) for ``duration`` s from ``start`` s."""
    out = _copy(signal)
    out[_span(out, fs, start, duration)] = rail_mv
    return out


def noise(signal: np.ndarray, fs: float, start: float, duration: float, noise_signal: np.ndarray,
          snr_db: float, normal_beats: np.ndarray) -> np.ndarray:  # fmt: skip
    """Add ``noise_signal`` ``[samples, channels]`` (mV, same rate) at ``snr_db`` dB over the fault.

    The gain per lead is ``nst``'s (see the module notes); ``normal_beats`` are the record's normal
    beat samples (:func:`ecgbench.data.noise_stress.nst_normal_beats`). Lead ``i`` gets noise channel
    ``i mod channels``, from the noise record's start (repeated when the fault is longer).
    """
    from ecgbench.data.noise_stress import nst_gain, qrs_amplitude, rms_amplitude

    out = _copy(signal)
    noise_signal = _copy(noise_signal)
    span = _span(out, fs, start, duration)
    channels = [lead % noise_signal.shape[1] for lead in range(out.shape[1])]
    gain = nst_gain(snr_db, qrs_amplitude(out, normal_beats, fs), rms_amplitude(noise_signal, fs)[channels])
    n = span.stop - span.start
    piece = np.tile(noise_signal[:, channels], (-(-n // noise_signal.shape[0]), 1))[:n]
    out[span] += gain * (piece - piece[:1])  # starts at zero: no step at the fault's onset
    return out


def inject(signal: np.ndarray, fs: float, fault: Fault, *, noise_signals: dict[str, np.ndarray] | None = None,
           normal_beats: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Return ``signal`` with ``fault`` injected (``noise_signals`` by NSTDB name for noise faults)."""
    if fault.kind == "gap":
        return gap(signal, fs, fault.start, fault.duration)
    if fault.kind == "flat":
        return flat(signal, fs, fault.start, fault.duration)
    if fault.kind == "saturation":
        return saturation(signal, fs, fault.start, fault.duration)
    if fault.kind == "noise":
        if not noise_signals or fault.noise not in noise_signals or normal_beats is None or fault.snr_db is None:
            raise ConfigError(f"noise fault {fault.name!r} needs the NSTDB {fault.noise!r} signal, an SNR and the normal beats")
        return noise(signal, fs, fault.start, fault.duration, noise_signals[fault.noise], fault.snr_db, normal_beats)
    raise ConfigError(f"fault kind {fault.kind!r} is not one of {', '.join(FAULT_KINDS)}")
