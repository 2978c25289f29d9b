"""ECG filters: zero-phase batch cleaning and a causal streaming filter that keeps its state.

:func:`clean` is the batch entry point (NeuroKit2 style, ``method=`` dispatch). With
``zero_phase=False`` it returns exactly what :class:`StreamingFilter` returns when fed the same
samples in chunks of any size: both run the same second-order sections with :func:`scipy.signal.sosfilt`,
starting from the steady state of the first sample (so a DC offset does not ring at start-up).

Non-finite input (NaN, ±inf: lead off, dropped packets) must not poison an IIR filter's state
forever, so the filter is fed the last finite sample instead and the output is NaN at those
positions: downstream steps see the gap, and the filter recovers as soon as data returns.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004) (median baseline removal).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage, signal

from ecgbench.errors import ConfigError, unknown_choice

#: Valid ``method`` values of :func:`clean`.
CLEAN_METHODS = ("butterworth", "median")
#: Valid ``method`` values of :func:`remove_baseline`.
BASELINE_METHODS = ("median", "highpass")

DEFAULT_LOWCUT_HZ = 0.5
DEFAULT_HIGHCUT_HZ = 40.0
DEFAULT_ORDER = 2  # per band edge: a 4th-order band-pass
NOTCH_QUALITY = 30.0  # notch bandwidth = frequency / quality (Hz)
MEDIAN_WINDOWS_S = (0.2, 0.6)  # de Chazal et al. (2004): removes QRS/P, then T, leaving the baseline


def _check_rate(sampling_rate: float) -> float:
    fs = float(sampling_rate)
    if not np.isfinite(fs) or fs <= 0:
        raise ConfigError(f"sampling_rate must be a positive number of Hz, got {sampling_rate!r}")
    return fs


def bandpass_sos(
    sampling_rate: float,
    lowcut: float | None = DEFAULT_LOWCUT_HZ,
    highcut: float | None = DEFAULT_HIGHCUT_HZ,
    order: int = DEFAULT_ORDER,
) -> np.ndarray:
    """Design a Butterworth band-pass (or high/low-pass when one edge is None) as second-order sections.

    Parameters
    ----------
    sampling_rate : float
        Sampling frequency in Hz.
    lowcut, highcut : float or None
        Band edges in Hz; ``None`` drops that edge. A ``highcut`` at or above Nyquist is dropped too,
        so one default works from 128 Hz to 1000 Hz.
    order : int
        Butterworth order per edge.

    Raises
    ------
    ConfigError
        Edges that are not positive, or ``lowcut >= highcut``.
    """
    fs = _check_rate(sampling_rate)
    nyquist = fs / 2.0
    if highcut is not None and highcut >= nyquist:
        highcut = None
    if lowcut is not None and lowcut <= 0:
        raise ConfigError(f"lowcut must be > 0 Hz (or None), got {lowcut}")
    if lowcut is not None and lowcut >= nyquist:
        raise ConfigError(f"lowcut {lowcut} Hz must be below Nyquist ({nyquist} Hz at sampling_rate {fs} Hz)")
    if highcut is not None and highcut <= 0:
        raise ConfigError(f"highcut must be > 0 Hz (or None), got {highcut}")
    if lowcut is not None and highcut is not None:
        if lowcut >= highcut:
            raise ConfigError(f"lowcut ({lowcut} Hz) must be below highcut ({highcut} Hz)")
        return signal.butter(order, [lowcut, highcut], btype="bandpass", fs=fs, output="sos")
    if lowcut is not None:
        return signal.butter(order, lowcut, btype="highpass", fs=fs, output="sos")
    if highcut is not None:
        return signal.butter(order, highcut, btype="lowpass", fs=fs, output="sos")
    raise ConfigError("give at least one of lowcut/highcut (Hz)")


def notch_sos(sampling_rate: float, frequency: float = 50.0, quality: float = NOTCH_QUALITY) -> np.ndarray:
    """Design a powerline notch (``scipy.signal.iirnotch``) at ``frequency`` Hz as one second-order section."""
    fs = _check_rate(sampling_rate)
    if not 0 < frequency < fs / 2:
        raise ConfigError(f"powerline frequency {frequency} Hz must lie between 0 and Nyquist ({fs / 2} Hz)")
    b, a = signal.iirnotch(frequency, quality, fs=fs)
    return signal.tf2sos(b, a)


def design_sos(
    sampling_rate: float,
    lowcut: float | None = DEFAULT_LOWCUT_HZ,
    highcut: float | None = DEFAULT_HIGHCUT_HZ,
    order: int = DEFAULT_ORDER,
    powerline: float | None = None,
) -> np.ndarray:
    """Band-pass sections followed by an optional notch at ``powerline`` Hz (50 or 60)."""
    sos = bandpass_sos(sampling_rate, lowcut, highcut, order)
    if powerline is not None:
        sos = np.vstack([sos, notch_sos(sampling_rate, powerline)])
    return sos


def _as_signal(x: np.ndarray, name: str = "signal") -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ConfigError(f"{name} must be one lead (1-D array of samples), got shape {arr.shape}")
    return arr


def _hold_last_finite(x: np.ndarray, previous: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Replace non-finite samples by the last finite one (``previous`` before the chunk).

    Returns the filled array, the mask of non-finite samples and the last finite value.
    """
    bad = ~np.isfinite(x)
    if not bad.any():
        return x, bad, float(x[-1]) if x.size else previous
    idx = np.where(bad, 0, np.arange(1, x.size + 1))
    np.maximum.accumulate(idx, out=idx)
    filled = np.concatenate([[previous], x])[idx]
    return filled, bad, float(filled[-1])


def _first_finite(x: np.ndarray) -> float:
    finite = np.flatnonzero(np.isfinite(x))
    return float(x[finite[0]]) if finite.size else 0.0


class StreamingFilter:
    """Causal IIR filter for chunk-by-chunk use; carries its state between chunks.

    Fed in chunks of any size it returns exactly ``clean(x, fs, zero_phase=False, ...)`` of the whole
    stream. Non-finite samples come out as NaN and do not disturb the state (the last finite
    sample is held instead).

    Parameters
    ----------
    sampling_rate : float
        Sampling frequency in Hz.
    lowcut, highcut : float or None
        Band edges in Hz (default 0.5-40 Hz); ``None`` drops an edge.
    order : int
        Butterworth order per edge.
    powerline : float, optional
        Also notch this frequency (Hz), e.g. 50 or 60.
    sos : numpy.ndarray, optional
        Use these second-order sections instead of designing them.

    Examples
    --------
    >>> f = StreamingFilter(360.0)
    >>> y = np.concatenate([f.process(chunk) for chunk in np.array_split(x, 30)])
    """

    def __init__(
        self,
        sampling_rate: float,
        lowcut: float | None = DEFAULT_LOWCUT_HZ,
        highcut: float | None = DEFAULT_HIGHCUT_HZ,
        order: int = DEFAULT_ORDER,
        powerline: float | None = None,
        sos: np.ndarray | None = None,
    ) -> None:
        self.sampling_rate = _check_rate(sampling_rate)
        self.sos = np.asarray(sos, dtype=np.float64) if sos is not None else design_sos(
            sampling_rate, lowcut, highcut, order, powerline
        )
        self._zi_unit = signal.sosfilt_zi(self.sos)
        self.reset()

    def reset(self) -> None:
        """Forget the state: the next sample starts a new stream."""
        self._zi: np.ndarray | None = None
        self._last_finite = 0.0

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Filter the next chunk of samples (any length, 1-D) and return the same number of samples."""
        x = _as_signal(chunk, "chunk")
        if x.size == 0:
            return x.copy()
        if self._zi is None:  # samples before the first finite one leave the filter untouched
            finite = np.flatnonzero(np.isfinite(x))
            if finite.size == 0:
                return np.full(x.size, np.nan)
            lead = int(finite[0])
            self._zi = self._zi_unit * x[lead]
            self._last_finite = float(x[lead])
            if lead:
                return np.concatenate([np.full(lead, np.nan), self.process(x[lead:])])
        filled, bad, self._last_finite = _hold_last_finite(x, self._last_finite)
        y, self._zi = signal.sosfilt(self.sos, filled, zi=self._zi)
        if bad.any():
            y[bad] = np.nan
        return y


def causal_filter(signal_: np.ndarray, sampling_rate: float, sos: np.ndarray) -> np.ndarray:
    """Run ``sos`` causally over a whole signal from the steady state of its first finite sample."""
    f = StreamingFilter(sampling_rate, sos=sos)
    return f.process(signal_)


def remove_baseline(signal_: np.ndarray, sampling_rate: float, method: str = "median") -> np.ndarray:
    """Remove baseline wander.

    Parameters
    ----------
    signal_ : numpy.ndarray
        One lead (mV).
    sampling_rate : float
        Hz.
    method : {"median", "highpass"}
        ``"median"``: subtract the output of 200-ms then 600-ms median filters (de Chazal et al. 2004);
        ``"highpass"``: zero-phase 0.5-Hz Butterworth high-pass.
    """
    x = _as_signal(signal_)
    fs = _check_rate(sampling_rate)
    if method == "median":
        baseline = x
        for width_s in MEDIAN_WINDOWS_S:
            width = max(1, int(round(width_s * fs)) | 1)  # odd window
            baseline = ndimage.median_filter(baseline, size=width, mode="nearest")
        return x - baseline
    if method == "highpass":
        return _zero_phase(x, bandpass_sos(fs, DEFAULT_LOWCUT_HZ, None))
    raise unknown_choice("baseline method", method, BASELINE_METHODS)


def _zero_phase(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Forward-backward filtering (``sosfiltfilt``); non-finite samples held for the pass, NaN after."""
    filled, bad, _ = _hold_last_finite(x, _first_finite(x))
    padlen = min(3 * (2 * len(sos) + 1), max(filled.size - 1, 0))
    y = signal.sosfiltfilt(sos, filled, padlen=padlen) if filled.size > 1 else filled.copy()
    y[bad] = np.nan
    return y


def clean(
    signal_: np.ndarray,
    sampling_rate: float,
    method: str = "butterworth",
    lowcut: float | None = DEFAULT_LOWCUT_HZ,
    highcut: float | None = DEFAULT_HIGHCUT_HZ,
    zero_phase: bool = True,
    order: int = DEFAULT_ORDER,
    powerline: float | None = None,
) -> np.ndarray:
    """Clean one ECG lead: band-pass, optional powerline notch, optional median baseline removal.

    Parameters
    ----------
    signal_ : numpy.ndarray
        One lead, samples (mV).
    sampling_rate : float
        Sampling frequency in Hz.
    method : {"butterworth", "median"}
        ``"butterworth"``: Butterworth band-pass ``lowcut``-``highcut`` Hz.
        ``"median"``: median-filter baseline removal (de Chazal et al. 2004), then a low-pass at
        ``highcut`` Hz (``lowcut`` is ignored).
    lowcut, highcut : float or None
        Band edges in Hz (default 0.5-40 Hz).
    zero_phase : bool
        True: forward-backward filtering (no delay, not causal). False: causal, identical to
        :class:`StreamingFilter` over the same samples.
    order : int
        Butterworth order per edge.
    powerline : float, optional
        Notch frequency in Hz (50 or 60) applied after the band-pass.

    Returns
    -------
    numpy.ndarray
        float64, same length; NaN where the input was not finite.

    Raises
    ------
    ConfigError
        Unknown method, bad band edges or a non 1-D signal.
    """
    x = _as_signal(signal_)
    fs = _check_rate(sampling_rate)
    if method == "butterworth":
        sos = design_sos(fs, lowcut, highcut, order, powerline)
    elif method == "median":
        x = remove_baseline(x, fs, "median")
        sos = design_sos(fs, None, highcut, order, powerline)
    else:
        raise unknown_choice("clean method", method, CLEAN_METHODS)
    return _zero_phase(x, sos) if zero_phase else causal_filter(x, fs, sos)
