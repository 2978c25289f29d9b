"""Streaming P/QRS/T delineation: chunks and beat positions in, each beat's fiducials out.

:class:`StreamingDelineator` keeps only the samples still needed. A beat is delineated, with the
very function the batch :func:`~ecgbench.signal.delineation.delineate` uses, as soon as

* the signal has arrived up to ``R + context_after_s`` (the beat's analysis window), and
* the next beat is known, or the caller has declared that no further beat will appear before the
  end of that window (``beats_final_until``; by default beats are taken to be pushed together
  with the chunk that holds them).

After :meth:`StreamingDelineator.flush` the concatenated output equals the batch result on the
whole signal with the same R peaks. The latency of a beat's fiducials is therefore
``context_after_s`` (1 s by default) plus whatever the beat detector adds.
"""

from __future__ import annotations

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.signal.delineation import (
    FIDUCIALS,
    METHODS,
    Delineation,
    WaveletConfig,
    beat_window,
    check_r_peaks,
    check_signal,
    delineate_beat,
)


class StreamingDelineator:
    """Delineate a single-lead ECG chunk by chunk (same result as the batch delineator).

    Parameters
    ----------
    sampling_rate : float
        Hz of the incoming samples.
    method : str
        ``"wavelet"`` (see :func:`ecgbench.signal.delineation.delineate`).
    config : WaveletConfig, optional
        Parameters; the same object must be given to the batch function for equal results.

    Examples
    --------
    >>> stream = StreamingDelineator(500.0)
    >>> parts = [stream.push(chunk, beats_in_chunk) for chunk, beats_in_chunk in source]  # doctest: +SKIP
    >>> parts.append(stream.flush())  # doctest: +SKIP
    """

    def __init__(self, sampling_rate: float, method: str = "wavelet", config: WaveletConfig | None = None) -> None:
        if method not in METHODS:
            raise unknown_choice("delineation method", method, METHODS)
        check_signal(np.zeros(1), sampling_rate)
        self.sampling_rate = float(sampling_rate)
        self.config = config or WaveletConfig()
        self._after = int(round(self.config.context_after_s * self.sampling_rate))
        self._buffer = np.zeros(0, dtype=np.float64)
        self._buffer_start = 0  # absolute index of self._buffer[0]
        self._pending: list[int] = []  # beats not yet delineated, increasing
        self._previous_r: int | None = None  # last beat delineated
        self._last_r = -1  # last beat ever pushed (to check ordering)
        self._final_until = 0
        self._closed = False

    @property
    def n_received(self) -> int:
        """Samples received so far."""
        return self._buffer_start + self._buffer.size

    def push(self, chunk: np.ndarray, r_peaks: np.ndarray | None = None, beats_final_until: int | None = None) -> Delineation:
        """Add samples (and beat positions) and return the beats that became complete.

        Parameters
        ----------
        chunk : numpy.ndarray
            Next samples of the lead (1-D, any length including 0), same units as batch.
        r_peaks : numpy.ndarray, optional
            New beat positions in absolute samples (from the start of the stream), increasing
            and after every beat pushed before. They may lie ahead of the samples received.
        beats_final_until : int, optional
            Absolute sample before which every beat has now been pushed. Default: the number
            of samples received (beats are pushed with the chunk that holds them). A detector
            with a decision delay ``d`` passes ``n_received - d``.

        Returns
        -------
        Delineation
            Zero or more beats, in order, with the same values the batch function gives.
        """
        if self._closed:
            raise ConfigError("this StreamingDelineator was flushed; create a new one for a new stream")
        chunk = np.asarray(chunk, dtype=np.float64).reshape(-1)
        self._buffer = np.concatenate([self._buffer, chunk]) if chunk.size else self._buffer
        if r_peaks is not None and np.size(r_peaks):
            new = check_r_peaks(np.asarray(r_peaks).reshape(-1), None)
            if new[0] <= self._last_r:
                raise ConfigError(
                    f"r_peaks must keep increasing across pushes: got {int(new[0])} after {self._last_r}"
                )
            self._pending.extend(int(r) for r in new)
            self._last_r = int(new[-1])
        final = self.n_received if beats_final_until is None else int(beats_final_until)
        self._final_until = max(self._final_until, final)
        return self._emit(at_end=False)

    def flush(self) -> Delineation:
        """Delineate the remaining beats as the batch function does at the end of a signal."""
        if self._closed:
            return Delineation.from_array(np.zeros((0, len(FIDUCIALS))), self.sampling_rate)
        out = self._emit(at_end=True)
        self._closed = True
        return out

    def _emit(self, at_end: bool) -> Delineation:
        rows = []
        n = self.n_received
        while self._pending:
            r = self._pending[0]
            if r >= n and at_end:
                raise ConfigError(f"beat at sample {r} lies beyond the {n} samples received; push its samples first")
            window_end = r + self._after + 1
            next_r = self._pending[1] if len(self._pending) > 1 else None
            if not at_end and (n < window_end or (next_r is None and self._final_until < window_end)):
                break
            rows.append(
                delineate_beat(self._buffer, r, self._previous_r, next_r, self.sampling_rate, self.config,
                               offset=self._buffer_start)  # fmt: skip
            )
            self._previous_r = self._pending.pop(0)
        self._trim()
        return Delineation.from_array(np.asarray(rows, dtype=np.int64).reshape(-1, len(FIDUCIALS)), self.sampling_rate)

    def _trim(self) -> None:
        """Drop samples no pending or future beat can need."""
        oldest = self._pending[0] if self._pending else max(self._final_until, self._last_r + 1)
        keep_from, _ = beat_window(oldest, self.sampling_rate, self.config, oldest + 1)
        drop = min(keep_from - self._buffer_start, self._buffer.size)
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._buffer_start += drop
