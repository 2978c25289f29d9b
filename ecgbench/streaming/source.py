"""Stream sources: replay of WFDB records in chunks, and a live stream read from stdin.

Replay reads the whole record, resamples it once to the pipeline's rate with
``scipy.signal.resample_poly`` (exact polyphase filtering, no edge effects between chunks), then
cuts it into chunks. A live stdin stream cannot be resampled up front, so :class:`StreamResampler`
does the same polyphase filtering chunk by chunk with state; its output equals
``resample_poly`` on the whole signal (pinned by a test) and lags by the filter's half length.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
from scipy import signal as sps

from ecgbench.errors import ConfigError, CorruptDataError, unknown_choice
from ecgbench.records.io import read_record
from ecgbench.signal.resample import resampling_ratio


@dataclass(frozen=True)
class Chunk:
    """A block of consecutive samples: ``start`` (absolute sample index) and ``signal`` [n, leads] (mV)."""

    start: int
    signal: np.ndarray

    @property
    def stop(self) -> int:
        """Absolute index one past the last sample."""
        return self.start + int(self.signal.shape[0])


def chunk_length(chunk_duration: float, fs: float) -> int:
    """Samples per chunk for ``chunk_duration`` seconds at ``fs`` Hz (at least 1)."""
    if not chunk_duration > 0:
        raise ConfigError(f"--chunk must be a positive duration in seconds, got {chunk_duration}")
    return max(1, int(round(chunk_duration * fs)))


class RecordSource:
    """Replay a WFDB record in chunks at the pipeline's sampling rate.

    Parameters
    ----------
    record : str
        Record name.
    directory : path-like
        Folder of the record's files.
    sampling_rate : float, optional
        Pipeline rate in Hz; the record is resampled to it when it differs. Default: the record's.
    chunk_duration : float
        Chunk length in seconds.
    n_leads : int, optional
        Keep only the first ``n_leads`` leads.
    """

    def __init__(self, record: str, directory: str | os.PathLike, sampling_rate: float | None = None,
                 chunk_duration: float = 1.0, n_leads: int | None = None) -> None:  # fmt: skip
        rec = read_record(record, directory)
        self.name = rec.name
        self.source_fs = rec.fs
        self.fs = float(sampling_rate or rec.fs)
        if n_leads is not None and not 1 <= n_leads <= rec.signal.shape[1]:
            raise ConfigError(f"record {record} has {rec.signal.shape[1]} leads; --leads {n_leads} asks for "
                              f"{'more' if n_leads > rec.signal.shape[1] else 'none'} (give 1 to {rec.signal.shape[1]})")  # fmt: skip
        signal = rec.signal if n_leads is None else rec.signal[:, :n_leads]
        if self.fs != self.source_fs:
            up, down = resampling_ratio(self.source_fs, self.fs)
            signal = sps.resample_poly(signal, up, down, axis=0).astype(np.float32)
        self.signal = np.ascontiguousarray(signal, dtype=np.float32)
        self.lead_names = rec.lead_names[: self.signal.shape[1]]
        self.chunk_samples = chunk_length(chunk_duration, self.fs)

    @property
    def n_leads(self) -> int:
        """Number of leads streamed."""
        return int(self.signal.shape[1])

    @property
    def duration(self) -> float:
        """Duration in seconds."""
        return self.signal.shape[0] / self.fs

    def __iter__(self) -> Iterator[Chunk]:
        for start in range(0, self.signal.shape[0], self.chunk_samples):
            yield Chunk(start, self.signal[start : start + self.chunk_samples])


def concatenate(sources: Iterable[Iterable[Chunk]]) -> Iterator[Chunk]:
    """Chain sources into one stream with continuous sample numbering (e.g. a 24-h stream of records)."""
    offset = 0
    for source in sources:
        end = offset
        for chunk in source:
            end = offset + chunk.stop
            yield Chunk(offset + chunk.start, chunk.signal)
        offset = end


class StreamResampler:
    """Polyphase resampling chunk by chunk, equal to ``scipy.signal.resample_poly`` on the whole signal.

    Parameters
    ----------
    up, down : int
        Rate change ``up/down`` (reduced by their gcd).

    Notes
    -----
    Uses scipy's filter design (``firwin`` with a Kaiser(5.0) window, half length ``10*max(up,
    down)``) and ``scipy.signal.upfirdn`` on each chunk plus the input history the filter needs.
    Output sample ``m`` is emitted once every input it depends on has arrived, so the output lags by
    about ``10*max(up, down)/up`` input samples; :meth:`flush` emits the rest (zero-padded, as
    ``resample_poly`` does).
    """

    def __init__(self, up: int, down: int) -> None:
        g = np.gcd(up, down)
        self.up, self.down = up // g, down // g
        max_rate = max(self.up, self.down)
        half_len = 10 * max_rate
        h = sps.firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * self.up
        pre_pad = self.down - half_len % self.down
        self._h = np.concatenate([np.zeros(pre_pad), h])
        self._shift = half_len + pre_pad  # multiple of down
        self._x: np.ndarray | None = None
        self._x0 = 0  # absolute input index of self._x[0]
        self._n_in = 0
        self._m_next = 0

    def _first_input(self, m: int) -> int:
        """Largest multiple of ``down`` (≥ 0) at or before the first input that output ``m`` needs."""
        lowest = (m * self.down + self._shift - (self._h.size - 1)) // self.up
        return max(0, (lowest // self.down) * self.down)

    def _emit(self, m_max: int) -> np.ndarray:
        assert self._x is not None
        if m_max < self._m_next:
            return np.zeros((0,) + self._x.shape[1:], np.float32)
        a = self._first_input(self._m_next)  # a*up is a multiple of down: output grids line up
        y = sps.upfirdn(self._h, self._x[a - self._x0 :], self.up, self.down, axis=0)
        j0 = self._m_next + (self._shift - a * self.up) // self.down
        out = y[j0 : j0 + (m_max - self._m_next + 1)]
        self._m_next = m_max + 1
        keep_from = self._first_input(self._m_next)
        if keep_from > self._x0:
            self._x = self._x[keep_from - self._x0 :]
            self._x0 = keep_from
        return out.astype(np.float32)

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Feed input samples ``[n, ...]``; return the output samples that are now final."""
        chunk = np.asarray(chunk, dtype=np.float64)
        self._x = chunk.copy() if self._x is None else np.concatenate([self._x, chunk])
        self._n_in += chunk.shape[0]
        m_max = (self._n_in * self.up - 1 - self._shift) // self.down
        return self._emit(int(m_max))

    def flush(self) -> np.ndarray:
        """Return the remaining output (the input is taken to be zero after its end)."""
        if self._x is None:
            return np.zeros(0, np.float32)
        n_out = -(-self._n_in * self.up // self.down)
        pad = np.zeros((self._h.size // self.up + 2,) + self._x.shape[1:])
        self._x = np.concatenate([self._x, pad])
        return self._emit(n_out - 1)


STDIN_FORMATS: tuple[str, ...] = ("int16", "float32", "csv")

#: int16 input: this ADC value marks a missing sample (WFDB's invalid-sample value for format 16).
INT16_MISSING = -32768

#: csv input: a line starting with this marks missing samples: ``#gap N`` (N samples at the input rate).
GAP_MARKER = "#gap"

#: csv input: garbage lines (not numbers, wrong count of values) tolerated before the stream is refused.
MAX_BAD_LINES = 100


class StdinSource:
    """Read a live stream of interleaved leads from a binary or text stream (default stdin).

    Missing samples never shift the timeline: each becomes a NaN sample (all leads), which the
    pipeline holds and flags as a quality fault. They are marked as follows:

    * ``int16``: the value :data:`INT16_MISSING` (-32768, WFDB's invalid sample) in any lead;
    * ``float32``: NaN;
    * ``csv``: an empty line (or empty fields) is one missing sample; ``#gap N`` stands for N
      missing samples (N at the input rate); ``nan`` is accepted as a value; with ``timestamps``,
      the first column is the sample time in seconds and a jump of more than 1.5 sample periods
      is filled with missing samples (a time going backwards is a garbage line). A garbage line
      (not numbers, the wrong number of values) is reported in :attr:`warnings`, counted as one
      missing sample, and skipped; more than ``max_bad_lines`` of them refuse the stream
      (``CorruptDataError``).

    Parameters
    ----------
    sampling_rate : float
        Rate of the incoming samples in Hz.
    n_leads : int
        Interleaved leads per sample.
    fmt : str
        ``"int16"`` or ``"float32"`` (little-endian, interleaved), or ``"csv"`` (one sample per
        line, leads separated by commas).
    gain : float
        ADC units per mV: values are divided by it after subtracting ``baseline``.
    baseline : float
        ADC value of 0 mV.
    chunk_duration : float
        Seconds per chunk.
    target_rate : float, optional
        Pipeline rate in Hz; incoming samples are resampled with :class:`StreamResampler`.
    stream : binary file, optional
        Default ``sys.stdin.buffer``.
    timestamps : bool
        csv: the first column is the time in seconds.
    max_bad_lines : int
        csv: garbage lines tolerated (:data:`MAX_BAD_LINES`).
    """

    def __init__(self, sampling_rate: float, n_leads: int = 1, fmt: str = "int16", gain: float = 200.0,
                 baseline: float = 0.0, chunk_duration: float = 1.0, target_rate: float | None = None,
                 stream: IO[bytes] | None = None, timestamps: bool = False, max_bad_lines: int = MAX_BAD_LINES) -> None:  # fmt: skip
        if fmt not in STDIN_FORMATS:
            raise unknown_choice("stdin format", fmt, STDIN_FORMATS)
        if not gain or not np.isfinite(gain):
            raise ConfigError(f"--gain must be a non-zero number of ADC units per mV, got {gain}")
        if n_leads < 1:
            raise ConfigError(f"--leads must be >= 1, got {n_leads}")
        if timestamps and fmt != "csv":
            raise ConfigError("--timestamps needs --format csv (the binary formats mark missing samples by value)")
        self.source_fs = float(sampling_rate)
        self.fs = float(target_rate or sampling_rate)
        self.n_leads, self.fmt, self.gain, self.baseline = n_leads, fmt, float(gain), float(baseline)
        self.timestamps, self.max_bad_lines = bool(timestamps), int(max_bad_lines)
        self.name = "stdin"
        self.lead_names = tuple(f"lead{i + 1}" for i in range(n_leads))
        self.chunk_samples = chunk_length(chunk_duration, self.source_fs)
        self.stream = stream if stream is not None else sys.stdin.buffer
        self._resampler = StreamResampler(*resampling_ratio(self.source_fs, self.fs)) if self.fs != self.source_fs else None
        #: Problems met while reading (garbage lines, a trailing partial frame), in order.
        self.warnings: list[str] = []
        self.bad_lines = 0
        self.missing_samples = 0

    def _garbage(self, line_no: int, message: str) -> None:
        self.bad_lines += 1
        if self.bad_lines > self.max_bad_lines:
            raise CorruptDataError(
                f"stdin line {line_no}: {message}; more than {self.max_bad_lines} garbage lines, stream refused "
                f"(check --format, --leads{' and --timestamps' if self.timestamps else ''})"
            )
        self.warnings.append(f"stdin line {line_no}: {message}; read as one missing sample")

    def _csv_rows(self) -> Iterator[list[float]]:
        """One list of lead values per sample (NaN for missing samples), in input order."""
        text = io.TextIOWrapper(self.stream, encoding="utf-8", errors="replace") if not isinstance(self.stream, io.TextIOBase) else self.stream
        missing = [float("nan")] * self.n_leads
        width = self.n_leads + (1 if self.timestamps else 0)
        last_time: float | None = None
        period = 1.0 / self.source_fs
        for line_no, line in enumerate(text, start=1):
            line = line.strip()
            if line.lower().startswith(GAP_MARKER):
                try:
                    n = int(line[len(GAP_MARKER):].strip())
                    if n < 0:
                        raise ValueError
                except ValueError:
                    self._garbage(line_no, f"{line[:40]!r} is not '{GAP_MARKER} N' with N >= 0 samples")
                    yield missing
                    continue
                self.missing_samples += n
                if last_time is not None:
                    last_time += n * period
                for _ in range(n):
                    yield missing
                continue
            fields = line.split(",") if line else [""] * width
            if all(not f.strip() for f in fields) and not self.timestamps:
                self.missing_samples += 1
                yield missing
                continue
            try:
                values = [float(v) if v.strip() else float("nan") for v in fields]
            except ValueError:
                self._garbage(line_no, f"{line[:40]!r} is not comma-separated numbers")
                yield missing
                continue
            if len(values) != width:
                self._garbage(line_no, f"{len(values)} values where --leads {self.n_leads}"
                                       f"{' plus a time column' if self.timestamps else ''} makes {width}")  # fmt: skip
                yield missing
                continue
            if self.timestamps:
                t = values.pop(0)
                if not np.isfinite(t) or (last_time is not None and t <= last_time):
                    self._garbage(line_no, f"time {t} s does not follow {last_time} s")
                    continue
                if last_time is not None:
                    skipped = int(round((t - last_time) / period)) - 1
                    if (t - last_time) > 1.5 * period and skipped > 0:
                        self.missing_samples += skipped
                        for _ in range(skipped):
                            yield missing
                last_time = t
            yield values

    def _raw_chunks(self) -> Iterator[np.ndarray]:
        if self.fmt == "csv":
            rows: list[list[float]] = []
            for values in self._csv_rows():
                rows.append(values)
                if len(rows) == self.chunk_samples:
                    yield np.asarray(rows, dtype=np.float64)
                    rows = []
            if rows:
                yield np.asarray(rows, dtype=np.float64)
            return
        dtype = np.dtype("<i2" if self.fmt == "int16" else "<f4")
        frame = dtype.itemsize * self.n_leads
        want = frame * self.chunk_samples
        pending = b""
        while True:
            data = self.stream.read(want - len(pending))
            if not data:
                break
            pending += data
            if len(pending) >= want:
                yield self._decode(pending, dtype)
                pending = b""
        usable = len(pending) - len(pending) % frame
        if usable:
            yield self._decode(pending[:usable], dtype)
        if len(pending) % frame:
            self.warnings.append(f"stdin ended with {len(pending) % frame} bytes that do not fill a sample of "
                                 f"{self.n_leads} {self.fmt} leads; dropped (is --leads right?)")  # fmt: skip

    def _decode(self, data: bytes, dtype: np.dtype) -> np.ndarray:
        """Interleaved binary samples as ``[n, leads]`` float64, missing samples (see the class notes) as NaN."""
        raw = np.frombuffer(data, dtype=dtype).reshape(-1, self.n_leads)
        values = raw.astype(np.float64)
        bad = (raw == INT16_MISSING) if self.fmt == "int16" else ~np.isfinite(values)
        rows = bad.any(axis=1)
        if rows.any():
            values[rows] = np.nan
            self.missing_samples += int(rows.sum())
        return values

    def __iter__(self) -> Iterator[Chunk]:
        start = 0
        for raw in self._raw_chunks():
            mv = ((raw - self.baseline) / self.gain).astype(np.float32)
            if self._resampler is not None:
                mv = self._resampler.process(mv)
            if mv.shape[0]:
                yield Chunk(start, mv)
                start += mv.shape[0]
        if self._resampler is not None:
            rest = self._resampler.flush()
            if rest.shape[0]:
                yield Chunk(start, rest)
