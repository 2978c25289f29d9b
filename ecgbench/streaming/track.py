"""The streaming track: replay records through the pipeline and score what came out.

For each record: replay it in chunks (as fast as possible), collect beat and alarm events, convert
positions back to the record's sampling rate, and score them with :mod:`ecgbench.evaluation` —
EC57 beat statistics on the detected beats, AF episode and duration Se/+P, ventricular runs — plus
the delay of the first VT / AF alarm after each annotated onset, the VT alarms with no ventricular
run behind them (false alarms), and latency and throughput.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ecgbench.evaluation.ec57 import DEFAULT_WINDOW
from ecgbench.evaluation.rhythm import RunAnnotator
from ecgbench.records.io import Annotations, read_annotations
from ecgbench.records.rhythm import rhythm_intervals
from ecgbench.records.symbols import AAMI_CLASSES, aami_labels, is_beat
from ecgbench.streaming.alarms import AlarmConfig, VTDetector
from ecgbench.streaming.classifier import BeatClassifier
from ecgbench.streaming.events import AlarmEvent, AnnotationCollector, Event
from ecgbench.streaming.latency import LatencyTracker
from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
from ecgbench.streaming.source import RecordSource

#: Annotated rhythm → alarm kind whose delay is measured after each annotated onset.
ONSET_ALARMS: dict[str, str] = {"VT": "VT", "AFIB": "AF"}

#: Annotated rhythms during which a VT alarm is a true alarm (besides annotated ventricular runs).
VENTRICULAR_RHYTHMS = ("VT", "VFL")

PipelineFactory = Callable[[float, int, BeatClassifier], StreamingPipeline]


@dataclass
class StreamedRecord:
    """What one record's stream produced.

    Attributes
    ----------
    record : str
        Record name.
    fs : float
        The record's sampling rate (Hz); ``beat_sample`` and the annotation file use it.
    n_samples : int
        Record length in samples at ``fs``.
    collector : AnnotationCollector
        Beats and rhythm annotations (pipeline-rate samples; scale by ``scale``).
    scale : float
        Record rate / pipeline rate.
    latency : LatencyTracker
        Algorithmic and compute latency of this stream.
    alarms : AlarmConfig
        The alarm rules the stream ran with (the VT truth and alarmable onsets are judged by them).
    """

    record: str
    fs: float
    n_samples: int
    collector: AnnotationCollector
    scale: float
    latency: LatencyTracker
    alarms: AlarmConfig = field(default_factory=AlarmConfig)

    def test_annotations(self) -> tuple[np.ndarray, list[str], list[str]]:
        """Return (samples at ``fs``, symbols, aux notes) of beats and rhythm changes, sorted."""
        return self.collector.annotations(self.scale)


def stream_array(signal: np.ndarray, fs: float, classifier: BeatClassifier, config: PipelineConfig | None = None,
                 chunk: float = 1.0) -> list[Event]:  # fmt: skip
    """Stream an in-memory ``signal`` [n, leads] (mV, at ``fs`` = the classifier's rate) through a fresh pipeline; return every event.

    For excerpts and fault-injected copies of records (``benchmarks/stream_faults.py``,
    ``benchmarks/cold_start.py``); chunks of ``chunk`` s, as fast as possible.
    """
    signal = np.asarray(signal, dtype=np.float32)
    signal = signal[:, None] if signal.ndim == 1 else signal
    pipeline = StreamingPipeline(fs, signal.shape[1], classifier, config=config or PipelineConfig())
    n = max(1, int(round(chunk * fs)))
    events: list[Event] = []
    for start in range(0, signal.shape[0], n):
        events += pipeline.process(signal[start : start + n], start)
    return events + pipeline.flush()


def stream_record(
    record: str,
    directory: str | os.PathLike,
    classifier: BeatClassifier,
    chunk: float = 1.0,
    make_pipeline: PipelineFactory | None = None,
    on_events: Callable[[list[Event]], None] | None = None,
) -> StreamedRecord:
    """Replay one record through a fresh pipeline as fast as possible.

    Parameters
    ----------
    record, directory : str, path-like
        The WFDB record.
    classifier : BeatClassifier
        Beat classifier (its ``sampling_rate`` sets the pipeline rate).
    chunk : float
        Chunk length in seconds.
    make_pipeline : callable, optional
        ``(fs, n_leads, classifier) -> StreamingPipeline``; default uses ``ecgbench.signal``.
    on_events : callable, optional
        Called with each chunk's events (e.g. a JSON-lines writer).
    """
    source = RecordSource(record, directory, classifier.sampling_rate, chunk)
    pipeline = (make_pipeline or ConfiguredPipeline())(source.fs, source.n_leads, classifier)
    collector = AnnotationCollector()
    for piece in source:
        events = pipeline.process(piece.signal, piece.start)
        collector.add(events, source.fs)
        if on_events:
            on_events(events)
    events = pipeline.flush()
    collector.add(events, source.fs)
    if on_events:
        on_events(events)
    scale = source.source_fs / source.fs
    return StreamedRecord(
        record=record,
        fs=source.source_fs,
        n_samples=int(round(source.signal.shape[0] * scale)),
        collector=collector,
        scale=scale,
        latency=pipeline.latency,
        alarms=pipeline.config.alarms,
    )


def alarm_delays(
    streamed: StreamedRecord, reference_dir: str | os.PathLike, grace: float = 10.0, *, reference=None
) -> dict[str, list[dict]]:
    """Delay (s) from each annotated VT / AF onset to the first matching alarm's decision.

    An onset counts as alarmed when an alarm of the matching kind is raised (``decision_time``)
    between the onset and ``grace`` s after the episode ends; an alarm already active at the onset
    counts with delay 0. Returns ``{"VT": [{"onset": s, "duration": s, "delay": s or None,
    "rate_bpm": bpm, "meets_rule": bool}], "AF": [{"onset", "duration", "delay"}]}``. For a VT
    episode, ``rate_bpm`` and ``meets_rule`` come from :func:`vt_rule_check` of its reference beats:
    whether the stream's VT rule (:class:`ecgbench.streaming.alarms.VTDetector` with
    ``streamed.alarms``, fed those beats as ventricular) would alarm it at all: an annotated VT
    slower than the rule's rate is missed by design.
    ``reference`` (the record's ``atr`` annotations) avoids reading them again when already loaded.
    """
    ref = reference if reference is not None else read_annotations(streamed.record, reference_dir)
    intervals = rhythm_intervals(ref, streamed.n_samples)
    beat_samples = ref.sample[is_beat(ref.symbol)]
    out: dict[str, list[dict]] = {kind: [] for kind in ONSET_ALARMS.values()}
    for interval in intervals:
        kind = ONSET_ALARMS.get(interval.label)
        if kind is None:
            continue
        onset, end = interval.start / streamed.fs, interval.end / streamed.fs
        delay = _first_alarm_delay(streamed.collector.alarms, kind, onset, end + grace)
        row = {"onset": round(onset, 3), "duration": round(end - onset, 3), "delay": delay}
        if kind == "VT":
            inside = beat_samples[(beat_samples >= interval.start) & (beat_samples < interval.end)] / streamed.fs
            rate, alarmable = vt_rule_check(inside, streamed.alarms)
            row.update(rate_bpm=round(rate, 1), meets_rule=alarmable)
        out[kind].append(row)
    return out


def vt_rule_check(times: np.ndarray, config: AlarmConfig) -> tuple[float, bool]:
    """Feed a run of ventricular beats at ``times`` (s) to the stream's VT rule; return (highest rate bpm, alarmed).

    The rate is the largest :meth:`ecgbench.streaming.alarms.VTDetector.rule_rate` over the run
    (0 for fewer than ``vt_min_beats`` beats); ``alarmed`` says whether the detector, with
    ``config``, raised VT on it. Both come from the detector itself, so they cannot disagree.
    """
    detector = VTDetector(config)
    rate, alarmed = 0.0, False
    for time in np.asarray(times, dtype=float):
        alarmed |= detector.update(float(time), True) is not None
        rate = max(rate, detector.rule_rate(float(time)))
    return rate, alarmed


def _first_alarm_delay(alarms: list[AlarmEvent], kind: str, onset: float, until: float) -> float | None:
    from ecgbench.streaming.alarm_scoring import first_alarm_delay

    return first_alarm_delay(alarms, (kind,), onset, until)


def reference_ventricular_intervals(
    reference: Annotations, n_samples: int, fs: float, config: AlarmConfig | None = None
) -> np.ndarray:
    """Where the reference says the rhythm is ventricular: ``(k, 2)`` intervals in seconds.

    The union of the annotated VT / VFL rhythm episodes and every run of at least
    ``config.vt_min_beats`` (EC57: three) consecutive reference beats whose AAMI class is one of
    ``config.vt_labels`` (V, F), first to last R peak, whatever its rate: a monitor's VT alarm on
    a slow ventricular run has the rate wrong, not the rhythm. Runs are found with the EC57 run
    scorer's streaks (:meth:`ecgbench.evaluation.rhythm.RunAnnotator.streaks`).
    """
    cfg = config or AlarmConfig()
    intervals = [(i.start / fs, i.end / fs) for i in rhythm_intervals(reference, n_samples) if i.label in VENTRICULAR_RHYTHMS]
    beats = is_beat(reference.symbol)
    times = reference.sample[beats] / fs
    labels = np.asarray(AAMI_CLASSES)[aami_labels(reference.symbol[beats])]
    none = np.zeros((0, 2), np.int64)
    streak = RunAnnotator(reference.sample[beats], np.isin(labels, list(cfg.vt_labels)), none, none[:, 0]).streaks()
    ends = np.flatnonzero((streak >= cfg.vt_min_beats) & (np.append(streak[1:], 0) == 0))
    intervals += [(float(times[k - streak[k] + 1]), float(times[k])) for k in ends.tolist()]
    return np.array(sorted(intervals), dtype=float).reshape(-1, 2)


def vt_alarm_truth(streamed: StreamedRecord, reference: Annotations, tolerance: float = DEFAULT_WINDOW) -> list[dict]:
    """Judge each VT alarm of a stream against the reference: true if the rhythm was ventricular.

    An alarm spans its onset (the first beat of the run) to its end (or the end of the record),
    as :meth:`ecgbench.streaming.events.AnnotationCollector.alarm_intervals` pairs them. It is
    true when that span, widened by ``tolerance`` s (the EC57 match window) on each side, overlaps
    :func:`reference_ventricular_intervals`; otherwise it is a false alarm.

    Returns
    -------
    list of dict
        ``{"onset": s, "end": s, "true": bool, "reliable": bool}`` per VT alarm, in time order;
        ``reliable`` is False when the stream marked the alarm unreliable (a quality fault near
        its run, ``AlarmConfig.vt_unreliable_window``).
    """
    truth = reference_ventricular_intervals(reference, streamed.n_samples, streamed.fs, streamed.alarms)
    unreliable = {round(e.time, 3) for e in streamed.collector.alarms if e.kind == "VT" and e.state == "unreliable"}
    out = []
    for onset, end in streamed.collector.alarm_intervals("VT", until=streamed.n_samples / streamed.fs):
        lo, hi = onset - tolerance, end + tolerance
        hit = bool(np.any((truth[:, 0] <= hi) & (truth[:, 1] >= lo)))
        out.append({"onset": round(onset, 3), "end": round(end, 3), "true": hit, "reliable": round(onset, 3) not in unreliable})
    return out


def suppressed_vt_alarms(streamed: StreamedRecord, reference: Annotations, tolerance: float = DEFAULT_WINDOW) -> list[dict]:
    """The VT alarms suppressed for bad signal quality, each judged as :func:`vt_alarm_truth` judges a raised one.

    Returns ``{"onset": s, "decision": s, "true": bool}`` per suppressed alarm: ``true`` when a
    reference ventricular run lies within ``tolerance`` s of its onset (a real VT that the
    quality check silenced).
    """
    truth = reference_ventricular_intervals(reference, streamed.n_samples, streamed.fs, streamed.alarms)
    out = []
    for event in streamed.collector.alarms:
        if event.kind == "VT" and event.state == "suppressed":
            lo, hi = event.time - tolerance, event.decision_time + tolerance
            hit = bool(np.any((truth[:, 0] <= hi) & (truth[:, 1] >= lo)))
            out.append({"onset": round(event.time, 3), "decision": round(event.decision_time, 3), "true": hit})
    return out


def score_stream(streamed: StreamedRecord, reference_dir: str | os.PathLike, learning_period: float = 0.0, *, reference=None):
    """Compare a stream's annotations with the record's reference (``atr``, or ``reference`` if given) using EC57."""
    from ecgbench.evaluation.ec57 import compare_record

    ref = reference if reference is not None else read_annotations(streamed.record, reference_dir)
    samples, symbols, aux = streamed.test_annotations()
    return compare_record(
        streamed.record,
        ref.sample,
        ref.symbol,
        samples,
        symbols,
        streamed.fs,
        learning_period=learning_period,
        ref_aux=list(ref.aux_note),
        test_aux=aux,
        ref_subtype=ref.subtype,
        n_samples=streamed.n_samples,
    )


def summarise_delays(delays: Iterable[dict]) -> dict:
    """Count onsets, alarmed onsets, and the median / max delay (s) of the alarmed ones."""
    delays = list(delays)
    found = [d["delay"] for d in delays if d["delay"] is not None]
    return {
        "onsets": len(delays),
        "alarmed": len(found),
        "median_delay_s": float(np.median(found)) if found else float("nan"),
        "max_delay_s": float(np.max(found)) if found else float("nan"),
    }


def ectopic_f1(veb_f1: float | None, sveb_f1: float | None) -> float:
    """The streaming board's ranking figure: the mean of the gross VEB and SVEB F1 (percent).

    F1 = 2 TP / (2 TP + FP + FN) of the EC57 VEB and SVEB statistics of the streamed beats; NaN
    when either is undefined (no reference and no detected beat of that class).
    """
    values = [float("nan") if v is None else float(v) for v in (veb_f1, sveb_f1)]
    return float(np.mean(values)) if all(np.isfinite(values)) else float("nan")


@dataclass
class TrackResult:
    """The streaming track over a record list: EC57 result, alarm delays, latency, per-record streams."""

    ec57: object
    delays: dict[str, list[dict]]
    latency: LatencyTracker
    streams: list[StreamedRecord]
    chunk: float
    vt_alarms: list[dict] = field(default_factory=list)
    alarms: AlarmConfig = field(default_factory=AlarmConfig)
    vt_suppressed: list[dict] = field(default_factory=list)

    def hours(self) -> float:
        """Signal duration streamed, in hours."""
        return sum(s.n_samples / s.fs for s in self.streams) / 3600.0

    def metrics(self) -> dict[str, float]:
        """Flat metric name → value (percent for Se/+P, seconds for delays/latency, × for throughput)."""
        gross = self.ec57.gross
        out = {
            "qrs.se": gross["qrs"]["se"], "qrs.ppv": gross["qrs"]["ppv"],
            "veb.se": gross["veb"]["se"], "veb.ppv": gross["veb"]["ppv"],
            "sveb.se": gross["sveb"]["se"], "sveb.ppv": gross["sveb"]["ppv"],
            "veb.f1": gross["veb"]["f1"], "sveb.f1": gross["sveb"]["f1"],
        }  # fmt: skip
        out["ectopic.f1"] = ectopic_f1(out["veb.f1"], out["sveb.f1"])
        af = gross.get("af") or {}
        for key in ("episode_se", "episode_ppv", "duration_se", "duration_ppv"):
            out[f"af.{key}"] = af.get(key, float("nan"))
        for run in ("couplet", "short_run", "long_run"):
            out[f"vrun.{run}.se"] = gross["runs"][run]["se"]
            out[f"vrun.{run}.ppv"] = gross["runs"][run]["ppv"]
        for kind in ("VT", "AF"):
            s = summarise_delays(self.delays.get(kind, []))
            key = kind.lower()
            out[f"{key}_alarm.onsets"] = s["onsets"]
            out[f"{key}_alarm.alarmed"] = s["alarmed"]
            out[f"{key}_alarm.median_delay_s"] = s["median_delay_s"]
            out[f"{key}_alarm.max_delay_s"] = s["max_delay_s"]
        by_rule = [row for row in self.delays.get("VT", []) if row.get("meets_rule")]
        out["vt_alarm.onsets_meeting_rule"] = len(by_rule)
        out["vt_alarm.alarmed_meeting_rule"] = sum(row["delay"] is not None for row in by_rule)
        false_vt = sum(not row["true"] for row in self.vt_alarms)
        out["vt_alarm.raised"] = len(self.vt_alarms)
        out["vt_alarm.false"] = false_vt
        hours = self.hours()
        out["vt_alarm.false_per_hour"] = false_vt / hours if hours > 0 else float("nan")
        out["vt_alarm.suppressed"] = len(self.vt_suppressed)
        vf_raised = sum(e.kind == "VF" and e.state == "start" for s in self.streams for e in s.collector.alarms)
        out["vf_alarm.raised"] = vf_raised  # MIT-BIH has ventricular flutter in record 207 only (DS1): on DS2 each is false
        out["vf_alarm.raised_per_hour"] = vf_raised / hours if hours > 0 else float("nan")
        lat = self.latency.summary()
        out["latency.algorithmic_p50_s"] = lat.algorithmic_p50
        out["latency.algorithmic_p99_s"] = lat.algorithmic_p99
        out["latency.first_label_p50_s"] = lat.first_label_p50
        out["latency.first_label_p99_s"] = lat.first_label_p99
        out["latency.provisional_agreement_pct"] = lat.provisional_agreement
        out["latency.chunk_compute_p50_s"] = lat.chunk_compute_p50
        out["latency.chunk_compute_p99_s"] = lat.chunk_compute_p99
        out["throughput_x_realtime"] = lat.throughput
        return {k: float(v) if v is not None else float("nan") for k, v in out.items()}


@dataclass
class RecordOutcome:
    """One record's share of the track: its stream and everything scored on it alone.

    The per-record half of the track (:func:`evaluate_record`); :func:`combine_outcomes` pools a
    list of them. Everything here pickles, so a Beam worker can send it back to the launcher.

    Attributes
    ----------
    streamed : StreamedRecord
        What the stream produced.
    comparison : ecgbench.evaluation.ec57.RecordComparison
        EC57 comparison of the stream's annotations with the reference.
    delays : dict
        ``{"VT": [...], "AF": [...]}`` rows of :func:`alarm_delays`, each with its ``record``.
    vt_alarms, vt_suppressed : list of dict
        Rows of :func:`vt_alarm_truth` and :func:`suppressed_vt_alarms`, each with its ``record``.
    """

    streamed: StreamedRecord
    comparison: object
    delays: dict[str, list[dict]]
    vt_alarms: list[dict]
    vt_suppressed: list[dict]


@dataclass(frozen=True)
class ConfiguredPipeline:
    """``(fs, n_leads, classifier) -> StreamingPipeline`` with a fixed :class:`PipelineConfig` (a picklable factory)."""

    config: PipelineConfig = field(default_factory=PipelineConfig)

    def __call__(self, fs: float, n_leads: int, classifier: BeatClassifier) -> StreamingPipeline:
        return StreamingPipeline(fs, n_leads, classifier, config=self.config)


def evaluate_record(
    record: str,
    directory: str | os.PathLike,
    make_classifier: Callable[[], BeatClassifier],
    chunk: float = 1.0,
    learning_period: float = 0.0,
    make_pipeline: PipelineFactory | None = None,
) -> RecordOutcome:
    """Stream one record through a fresh pipeline and classifier and score it on its own.

    The per-record step of :func:`run_track`, whichever engine runs it (this process or a Beam
    worker, :func:`ecgbench.beam.map_records`). Parameters as :func:`run_track`'s.
    """
    streamed = stream_record(record, directory, make_classifier(), chunk, make_pipeline or ConfiguredPipeline())
    reference = read_annotations(record, directory)
    delays = {kind: [{"record": record, **row} for row in rows]
              for kind, rows in alarm_delays(streamed, directory, reference=reference).items()}  # fmt: skip
    return RecordOutcome(
        streamed=streamed,
        comparison=score_stream(streamed, directory, learning_period, reference=reference),
        delays=delays,
        vt_alarms=[{"record": record, **row} for row in vt_alarm_truth(streamed, reference)],
        vt_suppressed=[{"record": record, **row} for row in suppressed_vt_alarms(streamed, reference)],
    )


def combine_outcomes(outcomes: Iterable[RecordOutcome], chunk: float, alarms: AlarmConfig | None = None) -> TrackResult:
    """Pool per-record outcomes (in record order) into the track's EC57 statistics, alarm rows and latency.

    Parameters
    ----------
    outcomes : iterable of RecordOutcome
        One per record, in the order the records were listed (the pooled lists keep that order).
    chunk : float
        Chunk length (s) the records were streamed with.
    alarms : AlarmConfig, optional
        Alarm configuration to report when there are no outcomes (else the streams' own).
    """
    from ecgbench.evaluation.result import score_records

    outcomes = list(outcomes)
    delays: dict[str, list[dict]] = {kind: [] for kind in ONSET_ALARMS.values()}
    latency = LatencyTracker()
    for outcome in outcomes:
        for kind, rows in outcome.delays.items():
            delays[kind] += rows
        latency.merge(outcome.streamed.latency)
    streams = [o.streamed for o in outcomes]
    return TrackResult(
        ec57=score_records([o.comparison for o in outcomes]),
        delays=delays,
        latency=latency,
        streams=streams,
        chunk=chunk,
        vt_alarms=[row for o in outcomes for row in o.vt_alarms],
        alarms=streams[0].alarms if streams else (alarms or AlarmConfig()),
        vt_suppressed=[row for o in outcomes for row in o.vt_suppressed],
    )


def run_track(
    records: Iterable[str],
    directory: str | os.PathLike,
    make_classifier: Callable[[], BeatClassifier],
    chunk: float = 1.0,
    learning_period: float = 0.0,
    make_pipeline: PipelineFactory | None = None,
    on_record: Callable[[str], None] | None = None,
    alarms: AlarmConfig | None = None,
    runner: str = "local",
    beam_options: str | None = None,
) -> TrackResult:
    """Stream every record through a fresh pipeline and classifier, then score them together.

    Each record is one call of :func:`evaluate_record`, in this process or on a Beam worker
    (``runner``); :func:`combine_outcomes` pools them in record order, so both engines give the
    same figures (timing figures aside).

    Parameters
    ----------
    records : iterable of str
        Record names (DS2 for the leaderboard).
    directory : path-like
        Folder of the MIT-BIH records (for Beam: a path every worker can read).
    make_classifier : callable
        Returns a fresh classifier per record (classifiers may keep per-stream state). For Beam it
        must pickle: :func:`ecgbench.streaming.classifier.classifier_factory` gives one that does.
    chunk : float
        Chunk length in seconds.
    learning_period : float
        Seconds at the start of each record not scored in the EC57 beat statistics.
    make_pipeline : callable, optional
        ``(fs, n_leads, classifier) -> StreamingPipeline``; default :class:`ConfiguredPipeline` with ``alarms``.
    on_record : callable, optional
        Called with each record name once it is done (progress bars).
    alarms : AlarmConfig, optional
        Alarm thresholds and AF detector of the default pipeline (ignored with ``make_pipeline``,
        whose pipelines carry their own); default :class:`AlarmConfig`.
    runner : {"local", "beam"}
        ``"local"``: record by record in this process; ``"beam"``: one Beam element per record.
    beam_options : str, optional
        ``--beam-options`` text for ``runner="beam"`` (:func:`ecgbench.beam.pipeline_options`).
    """
    from ecgbench.beam.records import map_records

    if make_pipeline is None:
        make_pipeline = ConfiguredPipeline(PipelineConfig(alarms=alarms or AlarmConfig()))
    evaluate = functools.partial(evaluate_record, directory=directory, make_classifier=make_classifier, chunk=chunk,
                                 learning_period=learning_period, make_pipeline=make_pipeline)  # fmt: skip
    outcomes = map_records(evaluate, list(records), runner, beam_options, on_result=on_record)
    return combine_outcomes(outcomes, chunk, alarms)
