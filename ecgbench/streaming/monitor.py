"""A Rich live monitor: heart rate, rhythm, recent beat labels, a scrolling braille ECG trace, alarms."""

from __future__ import annotations

from collections import deque

import numpy as np
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ecgbench.streaming.events import AlarmEvent, Event
from ecgbench.streaming.pipeline import StreamingPipeline

# Braille dot bits for (row 0-3, column 0-1) inside one character cell (Unicode U+2800 block).
_DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]])
_LABEL_STYLE = {"N": "green", "S": "yellow", "V": "bold red", "F": "magenta", "Q": "cyan"}


def braille_trace(values: np.ndarray, width: int = 72, height: int = 6) -> list[str]:
    """Draw ``values`` as a line plot ``width`` × ``height`` characters of braille dots.

    Each character holds 2 × 4 dots; each dot column spans the min-max of its samples and joins the
    previous column, so QRS spikes stay visible at any zoom. NaN values are drawn at the median.
    """
    cols, rows = 2 * width, 4 * height
    canvas = np.zeros((rows, cols), dtype=bool)
    values = np.asarray(values, dtype=np.float64)
    if values.size >= 2 and np.isfinite(values).any():
        values = np.nan_to_num(values, nan=float(np.nanmedian(values)))
        lo, hi = float(values.min()), float(values.max())
        span = hi - lo if hi > lo else 1.0

        def row(v: float) -> int:
            return int(np.clip(round((hi - v) / span * (rows - 1)), 0, rows - 1))

        prev = None
        for c, segment in enumerate(np.array_split(values, cols)):
            if segment.size == 0:
                continue
            top, bottom = row(float(segment.max())), row(float(segment.min()))
            if prev is not None:  # join to the previous column so the line has no gaps
                top, bottom = min(top, prev), max(bottom, prev)
            canvas[top : bottom + 1, c] = True
            prev = row(float(segment[-1]))
    lines = []
    for r in range(height):
        block = canvas[4 * r : 4 * r + 4].reshape(4, width, 2)
        codes = (block * _DOTS[:, None, :]).sum(axis=(0, 2))
        lines.append("".join(chr(0x2800 + int(c)) for c in codes))
    return lines


class LiveMonitor:
    """Keeps the display state of a stream and renders it as a Rich renderable.

    Parameters
    ----------
    name : str
        Record or stream name shown in the title.
    trace_seconds : float
        Seconds of ECG in the scrolling trace.
    """

    def __init__(self, name: str, trace_seconds: float = 6.0, width: int = 72) -> None:
        self.name = name
        self.trace_seconds = trace_seconds
        self.width = width
        self.log: deque[AlarmEvent] = deque(maxlen=6)

    def add(self, events: list[Event]) -> None:
        """Remember alarm events for the log."""
        self.log.extend(e for e in events if isinstance(e, AlarmEvent))

    def render(self, pipeline: StreamingPipeline) -> Group:
        """Return the monitor for the pipeline's current state."""
        hr = pipeline.rhythm.heart_rate
        rhythm = pipeline.rhythm.rhythm
        minutes, seconds = divmod(pipeline.time, 60.0)
        head = Table.grid(padding=(0, 3))
        head.add_row(
            Text(f"{self.name}", style="bold"),
            Text(f"t {int(minutes):02d}:{seconds:05.2f}"),
            Text(f"HR {hr:5.0f} bpm" if np.isfinite(hr) else "HR   --- bpm", style="bold"),
            Text(f"rhythm {rhythm}", style="bold red" if rhythm != "N" else "bold green"),
            Text("signal OK" if not pipeline.quality.in_fault else "SIGNAL QUALITY", style="green" if not pipeline.quality.in_fault else "bold yellow"),
        )
        trace = Text("\n".join(braille_trace(pipeline.recent_trace(self.trace_seconds), self.width, 6)), style="bright_green")
        beats = Text("beats ")
        for beat in list(pipeline.recent_beats)[-24:]:
            beats.append(beat.label + " ", style=_LABEL_STYLE.get(beat.label, "white"))
        active = Text("alarms ")
        if pipeline.active_alarms:
            for kind, alarm in pipeline.active_alarms.items():
                active.append(f" {kind.upper()} since {alarm.time:.1f}s ", style="bold white on red")
                active.append(" ")
        else:
            active.append("none", style="dim")
        log = Text()
        for alarm in self.log:
            log.append(f"{alarm.decision_time:8.1f}s  {alarm.kind:<15} {alarm.state:<5} {alarm.evidence}\n",
                       style="red" if alarm.state == "start" else "dim")  # fmt: skip
        return Group(Panel(Group(head, trace, beats, active), title=f"ecgbench stream · {self.name}"), log)
