"""Stream events (beats, alarm starts/ends) and their outputs: JSON lines and WFDB annotations.

Times are signal time in seconds from the start of the stream; ``decision_time`` is the signal
time at which the pipeline emitted the event (it depends on the chunk size; ``time`` does not).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from ecgbench.records.io import write_annotations

#: WFDB rhythm aux notes written for each alarm kind while it is active.
RHYTHM_AUX: dict[str, str] = {"AF": "(AFIB", "VT": "(VT"}
#: Alarm kinds written as rhythm annotations, highest priority first (VT inside AF reads ``(VT``).
RHYTHM_PRIORITY: tuple[str, ...] = ("VT", "AF")


@dataclass(frozen=True, slots=True)
class _LabelledBeat:
    """Fields, latency and JSON form shared by final and provisional beat events."""

    sample: int
    time: float
    label: str
    confidence: float
    decision_time: float

    #: ``type`` of the JSON line.
    JSON_TYPE = "beat"

    @property
    def latency(self) -> float:
        """Algorithmic latency in seconds: signal time from the R peak to the decision."""
        return self.decision_time - self.time

    def to_dict(self) -> dict:
        """JSON-ready dict with ``type`` = :attr:`JSON_TYPE`."""
        return {
            "type": self.JSON_TYPE,
            "time": round(self.time, 4),
            "sample": self.sample,
            "label": self.label,
            "confidence": round(float(self.confidence), 4),
            "latency": round(self.latency, 4),
        }


@dataclass(frozen=True, slots=True)
class BeatEvent(_LabelledBeat):
    """One classified beat (its final label).

    Attributes
    ----------
    sample : int
        R-peak position in samples at the pipeline's sampling rate.
    time : float
        R-peak time in seconds.
    label : str
        AAMI class (``N``, ``S``, ``V``, ``F``, ``Q``).
    confidence : float
        Probability of ``label`` (0-1).
    decision_time : float
        Signal time (s) when the label was decided.
    """


@dataclass(frozen=True, slots=True)
class ProvisionalBeatEvent(_LabelledBeat):
    """A beat labelled before all of its classifier inputs were known (superseded by a BeatEvent).

    A classifier that needs the post-RR interval can only give its final label after the next
    beat is detected. The pipeline then first labels the beat as soon as its window is complete,
    with the post-RR interval imputed by the local mean RR, and emits this event; the final
    :class:`BeatEvent` for the same ``sample`` follows once the next beat is known. Provisional
    beats are not written to annotation files and do not drive alarms. It is deliberately not a
    subclass of :class:`BeatEvent`, so ``isinstance(event, BeatEvent)`` selects final labels only.

    Attributes
    ----------
    sample, time, label, confidence, decision_time
        As in :class:`BeatEvent`; ``latency`` is the time to the provisional decision.
    """

    JSON_TYPE = "provisional_beat"


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """An alarm starting or ending.

    Attributes
    ----------
    kind : str
        ``AF``, ``VT``, ``VF``, ``asystole`` or ``signal_quality``.
    state : str
        ``start`` or ``end``; ``suppressed`` for a VT alarm the rule would have raised while the
        signal quality was bad (:class:`~ecgbench.streaming.alarms.VTDetector`), which is not
        an alarm (it never becomes active) but is reported; ``unreliable`` for a raised VT alarm
        followed closely by a quality fault (``AlarmConfig.vt_unreliable_window``), which stays
        raised.
    time : float
        Signal time (s) of the onset/offset the evidence points to.
    decision_time : float
        Signal time (s) when the pipeline raised/cleared the alarm.
    evidence : dict
        What triggered it (irregularity, run length and rate, pause, quality reasons …).
    """

    kind: str
    state: str
    time: float
    decision_time: float
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dict with ``type="alarm"``."""
        return {
            "type": "alarm",
            "kind": self.kind,
            "state": self.state,
            "time": round(self.time, 4),
            "decision_time": round(self.decision_time, 4),
            "evidence": self.evidence,
        }


Event = BeatEvent | ProvisionalBeatEvent | AlarmEvent


class JsonLinesWriter:
    """Write events as one JSON object per line to a text stream (flushed per call)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, events: list[Event]) -> None:
        """Write and flush ``events``."""
        if not events:
            return
        self.stream.write("".join(json.dumps(e.to_dict()) + "\n" for e in events))
        self.stream.flush()


class AnnotationCollector:
    """Collect beats and rhythm alarms of one stream and write them as a WFDB annotation file.

    Beats get their AAMI class letter as the symbol. AF and VT alarms become rhythm annotations:
    a ``+`` with aux ``(VT``, ``(AFIB`` or ``(N`` wherever the rhythm in force changes (VT takes
    precedence over AF), so the EC57 scorer scores the stream like any annotator.
    """

    def __init__(self, rhythm: bool = True) -> None:
        self.rhythm = rhythm
        self._samples: list[int] = []
        self._symbols: list[str] = []
        self._aux: list[str] = []
        self.alarms: list[AlarmEvent] = []
        self._edges: list[tuple[int, str, int]] = []  # (sample, kind, +1 start / -1 end)
        self._open: dict[str, int] = {}

    def add(self, events: list[Event], fs: float) -> None:
        """Add events; ``fs`` (Hz) converts alarm times to samples. Provisional beats are skipped."""
        for event in events:
            if isinstance(event, BeatEvent):
                self._samples.append(event.sample)
                self._symbols.append(event.label)
                self._aux.append("")
            elif isinstance(event, AlarmEvent):
                self.alarms.append(event)
                if self.rhythm and event.kind in RHYTHM_PRIORITY:
                    self._rhythm_edge(event, fs)

    def alarm_intervals(self, kind: str, until: float) -> list[tuple[float, float]]:
        """Return ``(onset, end)`` in seconds of each ``kind`` alarm, paired as the rhythm annotations pair them.

        A start while the same kind is already open is ignored; an end closes the open alarm (never
        before its onset); an alarm still open at the end lasts ``until`` s (the record's end).
        """
        intervals: list[list[float]] = []
        open_onset: float | None = None
        for event in self.alarms:
            if event.kind != kind:
                continue
            if event.state == "start" and open_onset is None:
                open_onset = event.time
            elif event.state == "end" and open_onset is not None:
                intervals.append([open_onset, max(event.time, open_onset)])
                open_onset = None
        if open_onset is not None:
            intervals.append([open_onset, max(until, open_onset)])
        return [(float(a), float(b)) for a, b in intervals]

    def _rhythm_edge(self, event: AlarmEvent, fs: float) -> None:
        """Record where an AF/VT interval starts or ends (its ``time``, which may lie in the past)."""
        sample = int(round(event.time * fs))
        if event.state == "start":
            if event.kind in self._open:
                return
            self._open[event.kind] = sample
            self._edges.append((sample, event.kind, 1))
        elif event.state == "end" and event.kind in self._open:
            self._edges.append((max(sample, self._open.pop(event.kind)), event.kind, -1))

    def _rhythm_annotations(self) -> tuple[list[int], list[str]]:
        """``+`` annotations wherever the rhythm in force (VT over AF over normal) changes.

        Alarm onsets and offsets are dated back to where the evidence points, so an AF onset can
        arrive after a VT offset that lies later in signal time; the rhythm in force is therefore
        worked out from all interval edges in time order, not in arrival order.
        """
        samples, labels = [], []
        active = dict.fromkeys(RHYTHM_PRIORITY, 0)
        current = "(N"
        edges = sorted(self._edges)
        for k, (sample, kind, step) in enumerate(edges):
            active[kind] += step
            if k + 1 < len(edges) and edges[k + 1][0] == sample:
                continue  # settle every edge at this sample first
            label = next((RHYTHM_AUX[kind] for kind in RHYTHM_PRIORITY if active[kind] > 0), "(N")
            if label != current:
                samples.append(sample)
                labels.append(label)
                current = label
        return samples, labels

    def beats(self) -> tuple[np.ndarray, np.ndarray]:
        """Return beat samples (int64) and AAMI labels, sorted by sample."""
        samples = np.array([s for s, y in zip(self._samples, self._symbols) if y != "+"], dtype=np.int64)
        labels = np.array([y for y in self._symbols if y != "+"], dtype="<U1")
        order = np.argsort(samples, kind="stable")
        return samples[order], labels[order]

    def write(self, record: str, directory: str | os.PathLike, fs: float, extension: str = "stream", scale: float = 1.0) -> Path:
        """Write ``<directory>/<record>.<extension>``; ``scale`` maps pipeline samples to file samples.

        Parameters
        ----------
        fs : float
            Sampling rate (Hz) of the annotated record (the file's samples).
        scale : float
            Record rate / pipeline rate, when the pipeline ran on a resampled signal.
        """
        samples, symbols, aux = self.annotations(scale)
        return write_annotations(record, extension, samples, symbols, fs, directory, aux_note=aux)

    def annotations(self, scale: float = 1.0) -> tuple[np.ndarray, list[str], list[str]]:
        """Return (samples × ``scale``, symbols, aux notes) of beats and rhythm changes, sorted by sample."""
        rhythm_samples, rhythm_labels = self._rhythm_annotations()
        all_samples = np.asarray(self._samples + rhythm_samples, dtype=np.float64)
        symbols = self._symbols + ["+"] * len(rhythm_samples)
        aux = self._aux + rhythm_labels
        samples = np.round(all_samples * scale).astype(np.int64)
        order = np.argsort(samples, kind="stable")
        return samples[order], [symbols[i] for i in order], [aux[i] for i in order]
