"""The alarm track: replay rhythm-annotated records (VFDB) through the pipeline and score VT, VF and asystole alarms.

Each record is replayed at the classifier's rate (VFDB's 250 Hz resampled to 360 Hz by
:class:`ecgbench.streaming.source.RecordSource` with ``scipy.signal.resample_poly``, the
polyphase filter the dataset builders use), chunk by chunk as fast as possible, through a fresh
pipeline; its alarm events are scored in seconds against the record's rhythm annotations
(:mod:`ecgbench.streaming.alarm_scoring`). The records carry no beat annotations, so there are
no beat statistics.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ecgbench.records.io import read_annotations
from ecgbench.records.rhythm import rhythm_intervals
from ecgbench.streaming.alarm_scoring import RecordAlarmScore, score_record, summarise
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.streaming.classifier import BeatClassifier
from ecgbench.streaming.latency import LatencyTracker
from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
from ecgbench.streaming.track import StreamedRecord, stream_record


@dataclass
class AlarmTrackResult:
    """Scored alarm track: per-record scores and streams, pooled latency, the settings it ran with."""

    scores: list[RecordAlarmScore]
    streams: list[StreamedRecord]
    latency: LatencyTracker
    chunk: float
    alarms: AlarmConfig = field(default_factory=AlarmConfig)
    n_resamples: int = 2000
    seed: int = 0

    def metrics(self) -> dict[str, dict[str, float | None]]:
        """The task's metrics ``{key: {"value", "ci_low", "ci_high"}}`` plus latency and throughput (no intervals)."""
        out = summarise(self.scores, self.n_resamples, self.seed)
        lat = self.latency.summary()
        for key, value in (("latency.algorithmic_p50_s", lat.algorithmic_p50), ("latency.algorithmic_p99_s", lat.algorithmic_p99),
                           ("throughput_x_realtime", lat.throughput)):  # fmt: skip
            out[key] = {"value": float(value) if value is not None else float("nan"), "ci_low": None, "ci_high": None}
        return out

    def delays(self) -> dict[str, list[dict]]:
        """Every episode's delay row, with its record, by kind."""
        kinds = self.scores[0].delays.keys() if self.scores else ()
        return {kind: [{"record": s.record, **row} for s in self.scores for row in s.delays[kind]] for kind in kinds}

    def judged_alarms(self) -> list[dict]:
        """Every raised alarm with its record and verdict."""
        return [{"record": s.record, **row} for s in self.scores for row in s.alarms]


def run_alarm_track(
    records: Iterable[str],
    directory: str | os.PathLike,
    make_classifier: Callable[[], BeatClassifier],
    chunk: float = 1.0,
    alarms: AlarmConfig | None = None,
    on_record: Callable[[str], None] | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
) -> AlarmTrackResult:
    """Stream every record through a fresh pipeline and classifier, then score the alarms together.

    Parameters
    ----------
    records : iterable of str
        Record names (the 22 VFDB records for the task).
    directory : path-like
        Folder of the WFDB records (``.hea``, ``.dat``, ``.atr`` with rhythm annotations).
    make_classifier : callable
        Returns a fresh classifier per record; its ``sampling_rate`` is the pipeline's rate.
    chunk : float
        Chunk length (s).
    alarms : AlarmConfig, optional
        Alarm settings; default :class:`AlarmConfig`.
    on_record : callable, optional
        Called with each record name once it is done.
    n_resamples, seed : int
        Subject-bootstrap resamples and seed of the AHA window intervals.
    """
    config = PipelineConfig(alarms=alarms or AlarmConfig())
    make_pipeline = lambda fs, n, clf: StreamingPipeline(fs, n, clf, config=config)  # noqa: E731
    scores, streams = [], []
    latency = LatencyTracker()
    for record in records:
        streamed = stream_record(record, directory, make_classifier(), chunk, make_pipeline)
        reference = read_annotations(record, directory)
        intervals = rhythm_intervals(reference, streamed.n_samples)
        scores.append(score_record(record, intervals, streamed.n_samples, streamed.fs, streamed.collector.alarms))
        latency.merge(streamed.latency)
        streams.append(streamed)
        if on_record:
            on_record(record)
    return AlarmTrackResult(scores, streams, latency, chunk, config.alarms, n_resamples, seed)
