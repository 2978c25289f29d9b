"""Bounded ring buffers addressed by absolute sample index, so memory stays flat on endless streams."""

from __future__ import annotations

import numpy as np


class SampleRing:
    """The most recent ``capacity`` samples of a multi-lead stream, addressed by absolute sample index.

    Parameters
    ----------
    capacity : int
        Samples kept (per lead). A chunk longer than the free history grows the buffer to hold it
        plus the history, so memory is bounded by the largest chunk, not by the stream length.
    n_leads : int
        Number of leads.

    Examples
    --------
    >>> ring = SampleRing(4, 1)
    >>> ring.append(np.arange(6, dtype=np.float32)[:, None])
    >>> ring.start, ring.end, ring.get(3, 6)[:, 0].tolist()
    (2, 6, [3.0, 4.0, 5.0])
    """

    def __init__(self, capacity: int, n_leads: int) -> None:
        if capacity < 1 or n_leads < 1:
            raise ValueError(f"SampleRing needs capacity >= 1 and n_leads >= 1, got {capacity}, {n_leads}")
        self._history = int(capacity)
        self._data = np.zeros((int(capacity), int(n_leads)), dtype=np.float32)
        self._end = 0  # absolute index one past the newest sample

    @property
    def capacity(self) -> int:
        """Samples the buffer can hold right now."""
        return int(self._data.shape[0])

    @property
    def end(self) -> int:
        """Absolute index one past the newest sample."""
        return self._end

    @property
    def start(self) -> int:
        """Absolute index of the oldest sample still held."""
        return max(0, self._end - self.capacity)

    def append(self, chunk: np.ndarray) -> None:
        """Append samples ``[n, leads]``."""
        n = int(chunk.shape[0])
        if n == 0:
            return
        if n + self._history > self.capacity:
            self._grow(n + self._history)
        cap = self.capacity
        pos = self._end % cap
        first = min(n, cap - pos)
        self._data[pos : pos + first] = chunk[:first]
        if first < n:
            self._data[: n - first] = chunk[first:]
        self._end += n

    def _grow(self, capacity: int) -> None:
        keep = min(self._end, self.capacity)
        old = self.get(self._end - keep, self._end)
        self._data = np.zeros((capacity, self._data.shape[1]), dtype=np.float32)
        self._data[np.arange(self._end - keep, self._end) % capacity] = old

    def get(self, start: int, stop: int) -> np.ndarray:
        """Return a copy of absolute samples ``start`` to ``stop`` (exclusive), ``[stop-start, leads]``.

        Raises
        ------
        IndexError
            Part of the range was already overwritten or has not arrived yet.
        """
        if start < self.start or stop > self._end or stop < start:
            raise IndexError(f"samples {start}:{stop} not in ring buffer (holds {self.start}:{self._end})")
        cap = self.capacity
        a, b = start % cap, stop % cap
        if stop - start == 0:
            return self._data[:0].copy()
        if a < b:
            return self._data[a:b].copy()
        return np.concatenate([self._data[a:], self._data[:b]])
