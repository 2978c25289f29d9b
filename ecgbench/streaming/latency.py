"""Latency and throughput bookkeeping in constant memory (log-spaced histograms, no per-beat lists).

Algorithmic latency is signal time from an R peak to the (final) decision on that beat (seconds of
ECG); first-label latency is the same for the earliest label of each beat, which is the provisional
label when the pipeline emitted one (a classifier that needs the next beat, see
:class:`ecgbench.streaming.events.ProvisionalBeatEvent`) and the final label otherwise; compute
latency is wall time spent processing one chunk. Both go into histograms with 200 bins per
decade from 1 µs to 1000 s, so a percentile is exact to within ±0.6 % and memory does not grow
over a 24-hour stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

_LOG_MIN, _LOG_MAX, _BINS_PER_DECADE = -6.0, 3.0, 200


class LogHistogram:
    """Counts of positive values (seconds) in log-spaced bins; exact count, sum and max."""

    def __init__(self) -> None:
        n_bins = int((_LOG_MAX - _LOG_MIN) * _BINS_PER_DECADE)
        self._counts = np.zeros(n_bins + 2, dtype=np.int64)  # + underflow and overflow bins
        self.count = 0
        self.total = 0.0
        self.max = float("nan")

    def add(self, values: np.ndarray | float) -> None:
        """Add one value or an array of values (seconds; values ≤ 1 µs land in the underflow bin)."""
        values = np.atleast_1d(np.asarray(values, dtype=np.float64))
        values = values[np.isfinite(values)]
        if values.size == 0:
            return
        logs = np.log10(np.maximum(values, 1e-12))
        index = np.clip(np.floor((logs - _LOG_MIN) * _BINS_PER_DECADE).astype(np.int64) + 1, 0, self._counts.size - 1)
        np.add.at(self._counts, index, 1)
        self.count += int(values.size)
        self.total += float(values.sum())
        self.max = float(values.max()) if not np.isfinite(self.max) else max(self.max, float(values.max()))

    def percentile(self, q: float) -> float:
        """Return the ``q``-th percentile (0-100) as the geometric centre of its bin (NaN if empty)."""
        if self.count == 0:
            return float("nan")
        rank = int(np.ceil(q / 100.0 * self.count))
        index = int(np.searchsorted(np.cumsum(self._counts), max(rank, 1)))
        if index == 0:
            return 10.0**_LOG_MIN
        if index == self._counts.size - 1:
            return self.max
        return float(min(10.0 ** (_LOG_MIN + (index - 0.5) / _BINS_PER_DECADE), self.max))

    @property
    def mean(self) -> float:
        """Mean value (NaN if empty)."""
        return self.total / self.count if self.count else float("nan")

    def merge(self, other: LogHistogram) -> None:
        """Add the counts of ``other`` to this histogram."""
        self._counts += other._counts
        self.count += other.count
        self.total += other.total
        if np.isfinite(other.max):
            self.max = other.max if not np.isfinite(self.max) else max(self.max, other.max)


@dataclass
class LatencySummary:
    """Latency and throughput figures of a stream (seconds, × real time)."""

    beats: int
    algorithmic_p50: float
    algorithmic_p99: float
    algorithmic_max: float
    first_label_p50: float
    first_label_p99: float
    provisional_beats: int
    provisional_agreement: float
    chunk_compute_p50: float
    chunk_compute_p99: float
    chunk_compute_max: float
    signal_seconds: float
    wall_seconds: float

    @property
    def throughput(self) -> float:
        """Signal seconds processed per wall second (× real time)."""
        return self.signal_seconds / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    def to_dict(self) -> dict:
        """JSON-ready dict, including the throughput."""
        return {**self.__dict__, "throughput_x_realtime": self.throughput}


class LatencyTracker:
    """Collect per-beat algorithmic latency and per-chunk compute time.

    Use :meth:`time_chunk` as a context manager around one chunk's processing.
    """

    def __init__(self) -> None:
        self.algorithmic = LogHistogram()
        self.first_label = LogHistogram()
        self.provisional_checked = 0
        self.provisional_agreed = 0
        self.compute = LogHistogram()
        self.signal_seconds = 0.0
        self.wall_seconds = 0.0

    def add_beats(self, latencies: np.ndarray | list[float]) -> None:
        """Record algorithmic latencies (s) of decided beats."""
        self.algorithmic.add(np.asarray(latencies, dtype=np.float64))

    def add_first_label(self, latencies: np.ndarray | list[float]) -> None:
        """Record latencies (s) of beats' earliest labels (provisional, or final without one)."""
        self.first_label.add(np.asarray(latencies, dtype=np.float64))

    def add_agreement(self, agreed: bool) -> None:
        """Count one provisional label compared with its final label."""
        self.provisional_checked += 1
        self.provisional_agreed += int(bool(agreed))

    def add_chunk(self, wall: float, signal: float) -> None:
        """Record one chunk: ``wall`` s of compute for ``signal`` s of ECG."""
        self.compute.add(wall)
        self.wall_seconds += wall
        self.signal_seconds += signal

    def merge(self, other: LatencyTracker) -> None:
        """Fold another tracker (another record) into this one."""
        self.algorithmic.merge(other.algorithmic)
        self.first_label.merge(other.first_label)
        self.provisional_checked += other.provisional_checked
        self.provisional_agreed += other.provisional_agreed
        self.compute.merge(other.compute)
        self.signal_seconds += other.signal_seconds
        self.wall_seconds += other.wall_seconds

    def summary(self) -> LatencySummary:
        """Return the percentiles and throughput so far (agreement in %, NaN without provisional labels)."""
        a, f, c = self.algorithmic, self.first_label, self.compute
        agreement = 100.0 * self.provisional_agreed / self.provisional_checked if self.provisional_checked else float("nan")
        return LatencySummary(
            beats=a.count,
            algorithmic_p50=a.percentile(50),
            algorithmic_p99=a.percentile(99),
            algorithmic_max=a.max,
            first_label_p50=f.percentile(50),
            first_label_p99=f.percentile(99),
            provisional_beats=self.provisional_checked,
            provisional_agreement=agreement,
            chunk_compute_p50=c.percentile(50),
            chunk_compute_p99=c.percentile(99),
            chunk_compute_max=c.max,
            signal_seconds=self.signal_seconds,
            wall_seconds=self.wall_seconds,
        )


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.elapsed`` (wall seconds, ``time.perf_counter``)."""

    def __enter__(self) -> Stopwatch:
        self._t0 = time.perf_counter()
        self.elapsed = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self._t0
