"""Fixtures of the streaming tests: test doubles with the ``ecgbench.signal`` streaming interface
(a small causal filter and peak picker), so one harness test (chunk invariance) does not depend on
the real detector. The other pipeline tests use the real ``ecgbench.signal`` components."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from scipy import signal as sps


class SosFilter:
    """Causal Butterworth band-pass with state, on [n] or [n, leads] (lfilter zi carried over)."""

    def __init__(self, sampling_rate: float, lowcut: float = 0.5, highcut: float = 40.0) -> None:
        self.sos = sps.butter(2, [lowcut, highcut], btype="band", fs=sampling_rate, output="sos")
        self.zi = None

    def process(self, chunk: np.ndarray) -> np.ndarray:
        x = np.asarray(chunk, dtype=np.float64)
        if self.zi is None:
            shape = (self.sos.shape[0], 2) + x.shape[1:]
            self.zi = np.zeros(shape)
        y, self.zi = sps.sosfilt(self.sos, x, axis=0, zi=self.zi)
        return y


class PeakPicker:
    """Commit the largest |band-passed| sample above an adaptive threshold, 0.25 s after it."""

    def __init__(self, sampling_rate: float) -> None:
        self.fs = sampling_rate
        self.filter = SosFilter(sampling_rate, 5.0, 25.0)
        self.decision_delay = 0.25
        self._lookahead = int(0.25 * sampling_rate)
        self._refractory = int(0.25 * sampling_rate)
        self._buf = np.zeros(0)
        self._buf0 = 0
        self._amps: deque[float] = deque([0.5], maxlen=8)
        self._last = -10**9

    def _threshold(self, position: int) -> float:
        thr = 0.4 * float(np.median(self._amps))
        silence = (position - self._last) / self.fs
        return thr * (0.5 ** max(0.0, silence - 2.0)) if silence > 2.0 else thr

    def process(self, chunk: np.ndarray) -> np.ndarray:
        e = np.abs(self.filter.process(chunk))
        self._buf = np.concatenate([self._buf, e])
        out = []
        i = 0
        n = self._buf.size
        while i + self._lookahead < n:
            pos = self._buf0 + i
            if pos - self._last >= self._refractory and self._buf[i] > self._threshold(pos):
                seg = self._buf[i : i + self._lookahead]
                k = i + int(np.argmax(seg))
                out.append(self._buf0 + k)
                self._amps.append(float(self._buf[k]))
                self._last = self._buf0 + k
                i = k + 1
                continue
            i += 1
        keep = max(0, n - self._lookahead)
        self._buf = self._buf[keep:]
        self._buf0 += keep
        return np.asarray(out, dtype=np.int64)

    def flush(self) -> np.ndarray:
        return np.zeros(0, np.int64)


@pytest.fixture()
def double_components():
    """Factory ``fs -> (filter, detector)`` of fresh test doubles."""
    return lambda fs: (SosFilter(fs), PeakPicker(fs))
