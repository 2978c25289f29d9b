"""Streaming evaluation: replay records in chunks, detect and classify beats online, raise rhythm alarms.

Data flow: :mod:`~ecgbench.streaming.source` (record replay, stdin) → :class:`StreamingPipeline`
(quality → ``ecgbench.signal`` filter and online QRS detector → beat windows → classifier →
:mod:`~ecgbench.streaming.alarms`) → events (JSON lines, WFDB annotations) →
:mod:`~ecgbench.streaming.track` (EC57 scoring, alarm delays, latency).
"""

from ecgbench.streaming.alarms import AlarmConfig, RhythmMonitor
from ecgbench.streaming.classifier import BeatClassifier, PriorClassifier, RuleClassifier, load_classifier
from ecgbench.streaming.events import AlarmEvent, AnnotationCollector, BeatEvent, JsonLinesWriter, ProvisionalBeatEvent
from ecgbench.streaming.latency import LatencyTracker
from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
from ecgbench.streaming.quality import QualityConfig, QualityMonitor
from ecgbench.streaming.source import Chunk, RecordSource, StdinSource, StreamResampler, concatenate

__all__ = [
    "AlarmConfig", "AlarmEvent", "AnnotationCollector", "BeatClassifier", "BeatEvent", "Chunk", "JsonLinesWriter",
    "LatencyTracker", "PipelineConfig", "PriorClassifier", "ProvisionalBeatEvent", "QualityConfig", "QualityMonitor", "RecordSource",
    "RhythmMonitor", "RuleClassifier", "StdinSource", "StreamResampler", "StreamingPipeline", "concatenate",
    "load_classifier",
]  # fmt: skip
