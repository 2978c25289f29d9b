"""Streaming chain under signal faults: NaN gaps, flat lines, saturation, NSTDB bw/ma noise.

Each MIT-BIH record is streamed clean and then once per fault condition through the default
streaming chain (``--model``, default the built-in ``rules`` classifier, which needs no
TensorFlow). Gaps, flat lines and saturation are injected as three faults per record (5, 10 and
30 s, at 120, 420 and 720 s); noise follows the NSTDB protocol with a shorter period (noise on
from 60 s, 60 s on and 60 s off) at each SNR, calibrated as WFDB's ``nst``. Printed per
condition (a Rich table):

* false VT alarms per hour of fault: VT alarms with no reference ventricular run behind them
  (``ecgbench.streaming.track.vt_alarm_truth``) whose onset lies in a fault or within 10 s after it,
  per hour of fault time; and the same over the whole record, per hour of record (the clean row
  shows the classifier's own rate);
* VT alarms suppressed for bad quality;
* false S beats within 10 s after a fault: beats labelled S by the stream, in the 10 s after
  each fault's end, with no reference S beat within 150 ms (the clean row counts the same windows
  of the clean stream);
* signal-quality sensitivity: share of the faults of at least 5 s during which the
  signal-quality alarm was raised (active at some point inside the fault);
* alarmable VT onsets alarmed (clean row only): the onsets the VT rule can alarm;
* VT alarms marked unreliable (``AlarmConfig.vt_unreliable_window``): the false ones in the
  faults, and the true ones over the records; and the false VT alarms per hour of fault that are
  *not* so marked (what a monitor would show as a trustworthy VT alarm);
* the signal-quality alarm's rate and flagged time per hour of record (the clean row: how much
  clean signal it flags).

Targets (issue 29): 0 false S beats after a gap; at most 1 false VT alarm per hour at 0 dB ``ma``
noise; every fault of at least 5 s flagged.

Run from the repository root, e.g.::

    python benchmarks/stream_faults.py                      # DS2 (reported)
    python benchmarks/stream_faults.py --split ds1          # DS1 (thresholds are chosen here)
    python benchmarks/stream_faults.py --split ds1 --noise-ratio 0.1 --vt-guard 5 --conditions clean,ma0

Quick scope (``--quick``): DS2 records 200 and 233 (both with ventricular runs) under clean, gap,
flat, saturation and NSTDB noise at 0 dB only (``bw0``, ``ma0``): a smoke check of the same code,
not the published figure.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecgbench.data.noise_stress import noise_stress, nst_normal_beats
from ecgbench.records import DS1, DS2
from ecgbench.records.io import read_annotations, read_record
from ecgbench.records.symbols import AAMI_CLASSES, aami_labels, is_beat
from ecgbench.runner.tf_environment import prepare_tensorflow_process
from ecgbench.streaming import faults
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.streaming.classifier import classifier_factory
from ecgbench.streaming.events import AlarmEvent, AnnotationCollector, BeatEvent
from ecgbench.streaming.latency import LatencyTracker
from ecgbench.streaming.pipeline import PipelineConfig
from ecgbench.streaming.quality import QualityConfig
from ecgbench.streaming.track import StreamedRecord, alarm_delays, stream_array, vt_alarm_truth

#: Injected faults per record for the gap, flat and saturation conditions: (start s, duration s).
SHORT_FAULTS: tuple[tuple[float, float], ...] = ((120.0, 5.0), (420.0, 10.0), (720.0, 30.0))
#: Noise protocol of the noise conditions (s): on from NOISE_START, NOISE_PERIOD on, NOISE_PERIOD off.
NOISE_START, NOISE_PERIOD = 60.0, 60.0
#: Seconds after a fault in which false S beats and false VT alarms are attributed to it.
AFTER_S = 10.0
#: Match window (s) between a streamed S beat and a reference S beat.
MATCH_S = 0.15
#: Shortest fault (s) the quality alarm must flag.
MIN_FLAGGED_S = 5.0
CONDITIONS = ("clean", "gap", "flat", "saturation", "bw12", "bw6", "bw0", "ma12", "ma6", "ma0")
#: Records and conditions of the quick scope.
QUICK_RECORDS, QUICK_CONDITIONS = "200,233", "clean,gap,flat,saturation,bw0,ma0"


@dataclass
class Tally:
    """Counts of one condition summed over records."""

    fault_seconds: float = 0.0
    record_seconds: float = 0.0
    false_vt_in_faults: int = 0
    false_vt_in_faults_unreliable: int = 0
    false_vt: int = 0
    true_vt: int = 0
    true_vt_unreliable: int = 0
    quality_alarms: int = 0
    quality_seconds: float = 0.0
    suppressed_vt: int = 0
    false_s_after: int = 0
    faults_long: int = 0
    faults_flagged: int = 0
    vt_alarmable: int = 0
    vt_alarmable_alarmed: int = 0
    records: list[str] = field(default_factory=list)


def fault_spans(condition: str, n_samples: int, fs: float) -> list[tuple[float, float]]:
    """(start, end) s of the faults of ``condition`` in a record of ``n_samples``."""
    duration = n_samples / fs
    if condition == "clean":
        return []
    if condition in ("gap", "flat", "saturation"):
        return [(a, a + d) for a, d in SHORT_FAULTS if a + d < duration]
    spans, t = [], NOISE_START
    while t < duration:
        spans.append((t, min(t + NOISE_PERIOD, duration)))
        t += 2 * NOISE_PERIOD
    return spans


def inject_condition(condition: str, signal: np.ndarray, fs: float, normal_beats: np.ndarray, noises: dict) -> np.ndarray:
    """The record with the condition's faults."""
    if condition == "clean":
        return signal
    if condition in ("gap", "flat", "saturation"):
        out = signal
        for start, end in fault_spans(condition, signal.shape[0], fs):
            out = faults.inject(out, fs, faults.Fault(condition, start, end - start))
        return out
    name, snr = condition[:2], float(condition[2:])
    return noise_stress(signal, normal_beats, noises[name], fs, snr, start_s=NOISE_START, period_s=NOISE_PERIOD).signal


def score(events: list, spans: list[tuple[float, float]], reference, record: str, fs: float, n_samples: int,
          alarms: AlarmConfig, tally: Tally, clean_spans: list[tuple[float, float]] | None = None) -> None:  # fmt: skip
    """Add one stream's counts to ``tally`` (``clean_spans``: the fault windows to count on a clean stream)."""
    collector = AnnotationCollector()
    collector.add(events, fs)
    streamed = StreamedRecord(record, fs, n_samples, collector, 1.0, LatencyTracker(), alarms)
    truth = vt_alarm_truth(streamed, reference)
    windows = spans or (clean_spans or [])
    tally.record_seconds += n_samples / fs
    tally.fault_seconds += sum(b - a for a, b in spans)
    tally.false_vt += sum(not row["true"] for row in truth)
    in_faults = [row for row in truth if not row["true"] and any(a <= row["onset"] <= b + AFTER_S for a, b in spans)]
    tally.false_vt_in_faults += len(in_faults)
    tally.false_vt_in_faults_unreliable += sum(not row["reliable"] for row in in_faults)
    tally.true_vt += sum(row["true"] for row in truth)
    tally.true_vt_unreliable += sum(row["true"] and not row["reliable"] for row in truth)
    tally.suppressed_vt += sum(isinstance(e, AlarmEvent) and e.kind == "VT" and e.state == "suppressed" for e in events)
    beats = is_beat(reference.symbol)
    ref_s = reference.sample[beats][np.asarray(AAMI_CLASSES)[aami_labels(reference.symbol[beats])] == "S"] / fs
    s_times = np.array([e.time for e in events if isinstance(e, BeatEvent) and e.label == "S"])
    for _, end in windows:
        after = s_times[(s_times > end) & (s_times <= end + AFTER_S)]
        tally.false_s_after += int(sum(not np.any(np.abs(ref_s - t) <= MATCH_S) for t in after))
    quality = collector.alarm_intervals("signal_quality", until=n_samples / fs)
    tally.quality_alarms += len(quality)
    tally.quality_seconds += sum(b - a for a, b in quality)
    for a, b in spans:
        if b - a >= MIN_FLAGGED_S:
            tally.faults_long += 1
            tally.faults_flagged += any(qa < b and qb > a for qa, qb in quality)
    tally.records.append(record)


def run(records: list[str], conditions: list[str], model: str, config: PipelineConfig, data_dir: Path, chunk: float,
        on_record=None) -> dict[str, Tally]:  # fmt: skip
    """Stream every record under every condition; return the tallies per condition."""
    mitdb, nstdb = data_dir / "mitdb", data_dir / "nstdb"
    noises = {name: read_record(name, nstdb).signal.astype(np.float64) for name in ("bw", "ma") if any(c.startswith(name) for c in conditions)}
    make = classifier_factory(model)
    tallies = {c: Tally() for c in conditions}
    for record in records:
        rec = read_record(record, mitdb)
        reference = read_annotations(record, mitdb)
        fs, signal = rec.fs, rec.signal.astype(np.float64)
        normal = nst_normal_beats(reference.sample, reference.symbol)
        short_spans = fault_spans("gap", signal.shape[0], fs)
        for condition in conditions:
            spans = fault_spans(condition, signal.shape[0], fs)
            events = stream_array(inject_condition(condition, signal, fs, normal, noises), fs, make(), config, chunk)
            score(events, spans, reference, record, fs, signal.shape[0], config.alarms, tallies[condition],
                  clean_spans=short_spans)  # fmt: skip
            if condition == "clean":
                collector = AnnotationCollector()
                collector.add(events, fs)
                streamed = StreamedRecord(record, fs, signal.shape[0], collector, 1.0, LatencyTracker(), config.alarms)
                rows = [r for r in alarm_delays(streamed, mitdb, reference=reference)["VT"] if r.get("meets_rule")]
                tallies[condition].vt_alarmable += len(rows)
                tallies[condition].vt_alarmable_alarmed += sum(r["delay"] is not None for r in rows)
        if on_record:
            on_record(record)
    return tallies


def rows(tallies: dict[str, Tally]) -> list[dict]:
    """One dict of figures per condition."""
    out = []
    for condition, t in tallies.items():
        fault_h, record_h = t.fault_seconds / 3600.0, t.record_seconds / 3600.0
        out.append({
            "condition": condition,
            "fault_hours": round(fault_h, 3),
            "false_vt_per_fault_hour": round(t.false_vt_in_faults / fault_h, 2) if fault_h else None,
            "false_vt_per_hour": round(t.false_vt / record_h, 2) if record_h else None,
            "false_vt_unreliable": t.false_vt_in_faults_unreliable if fault_h else None,
            "false_vt_reliable_per_fault_hour": (
                round((t.false_vt_in_faults - t.false_vt_in_faults_unreliable) / fault_h, 2) if fault_h else None
            ),
            "true_vt_unreliable": f"{t.true_vt_unreliable}/{t.true_vt}",
            "quality_alarms_per_hour": round(t.quality_alarms / record_h, 2) if record_h else None,
            "quality_s_per_hour": round(t.quality_seconds / record_h, 1) if record_h else None,
            "vt_suppressed": t.suppressed_vt,
            "false_s_10s_after": t.false_s_after,
            "faults_5s": t.faults_long,
            "quality_sensitivity_pct": round(100.0 * t.faults_flagged / t.faults_long, 1) if t.faults_long else None,
            "alarmable_vt_alarmed": f"{t.vt_alarmable_alarmed}/{t.vt_alarmable}" if condition == "clean" else None,
        })  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("ds1", "ds2"), default="ds2", help="Record list (ds1: for choosing thresholds).")
    parser.add_argument("--records", help="Comma-separated records (overrides --split).")
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help=f"Comma-separated, of {', '.join(CONDITIONS)}.")
    parser.add_argument("--model", default="rules", help="Beat classifier (as `ecgbench stream --model`).")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"), help="Folder holding mitdb/ and nstdb/.")
    parser.add_argument("--chunk", type=float, default=1.0, help="Chunk length (s).")
    parser.add_argument("--noise-ratio", type=float, help="QualityConfig.noise_ratio (default: the library's); <= 0 turns the noise check off.")
    parser.add_argument("--noise-reference-blocks", type=int, help="QualityConfig.noise_reference_blocks (default: the library's); 0: each block's own 99th percentile.")
    parser.add_argument("--vt-guard", type=float, help="AlarmConfig.vt_quality_guard in s (default: the library's); < 0 never suppresses.")
    parser.add_argument("--vt-recent-noise", choices=("on", "off"), help="AlarmConfig.vt_recent_noise (default: the library's).")
    parser.add_argument("--vt-quality-wait", choices=("on", "off"), help="AlarmConfig.vt_quality_wait (default: the library's).")
    parser.add_argument("--baseline-min", type=float, help="QualityConfig.baseline_min, basSQI (default: the library's); <= 0 turns it off.")
    parser.add_argument("--spectrum-min", type=float, help="QualityConfig.spectrum_min, pSQI (default: the library's); <= 0 turns it off.")
    parser.add_argument("--vt-run-psqi", type=float, help="AlarmConfig.vt_run_psqi (default: the library's); <= 0 turns it off.")
    parser.add_argument("--vt-reasons", help="AlarmConfig.vt_quality_reasons, comma-separated (default: the library's).")
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON to this file.")
    parser.add_argument("--quick", action="store_true", help=f"Records {QUICK_RECORDS}, conditions {QUICK_CONDITIONS} (a smoke check).")
    args = parser.parse_args(argv)
    from _stream_tables import print_rows
    from rich.console import Console
    from rich.progress import Progress

    if args.quick:
        args.records, args.conditions = QUICK_RECORDS, QUICK_CONDITIONS
    records = args.records.split(",") if args.records else list(DS1 if args.split == "ds1" else DS2)
    conditions = args.conditions.split(",")
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown:
        parser.error(f"unknown conditions {unknown}; choose from {', '.join(CONDITIONS)}")
    quality_options = {} if args.noise_ratio is None else {"noise_ratio": args.noise_ratio if args.noise_ratio > 0 else None}
    if args.noise_reference_blocks is not None:
        quality_options["noise_reference_blocks"] = args.noise_reference_blocks
    for name in ("baseline_min", "spectrum_min"):
        if getattr(args, name) is not None:
            quality_options[name] = getattr(args, name) if getattr(args, name) > 0 else None
    quality = QualityConfig(**quality_options)
    options = {} if args.vt_guard is None else {"vt_quality_guard": args.vt_guard if args.vt_guard >= 0 else None}
    if args.vt_recent_noise is not None:
        options["vt_recent_noise"] = args.vt_recent_noise == "on"
    if args.vt_quality_wait is not None:
        options["vt_quality_wait"] = args.vt_quality_wait == "on"
    if args.vt_run_psqi is not None:
        options["vt_run_psqi"] = args.vt_run_psqi if args.vt_run_psqi > 0 else None
    if args.vt_reasons is not None:
        options["vt_quality_reasons"] = tuple(args.vt_reasons.split(","))
    alarms = AlarmConfig(**options)
    config = PipelineConfig(alarms=alarms, quality=quality)
    err = Console(stderr=True)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"streaming {len(records)} records × {len(conditions)} conditions", total=len(records))
        tallies = run(records, conditions, args.model, config, args.data_dir, args.chunk, lambda r: progress.advance(task))
    figures = rows(tallies)
    title = f"Streaming faults · model {args.model} · {args.records or args.split.upper()} · noise ratio {quality.noise_ratio} (reference {quality.noise_reference_blocks} blocks) · VT guard {alarms.vt_quality_guard} s · recent-noise check {'on' if alarms.vt_recent_noise else 'off'} · VT quality wait {'on' if alarms.vt_quality_wait else 'off'} · basSQI min {quality.baseline_min} · pSQI min {quality.spectrum_min} · VT run pSQI {alarms.vt_run_psqi} · VT reasons {','.join(alarms.vt_quality_reasons)}"
    columns = [("condition", "condition"), ("fault h", "fault_hours"), ("false VT / fault h", "false_vt_per_fault_hour"),
               ("false VT / h (record)", "false_vt_per_hour"), ("false VT unreliable", "false_vt_unreliable"),
               ("false VT not marked / fault h", "false_vt_reliable_per_fault_hour"),
               ("true VT unreliable", "true_vt_unreliable"), ("VT suppressed", "vt_suppressed"),
               ("false S ≤10 s after", "false_s_10s_after"), ("faults ≥5 s", "faults_5s"),
               ("quality Se %", "quality_sensitivity_pct"), ("quality alarms / h", "quality_alarms_per_hour"),
               ("flagged s / h", "quality_s_per_hour"), ("alarmable VT alarmed", "alarmable_vt_alarmed")]  # fmt: skip
    print_rows(title, columns, figures, ("condition",), args.json, vars(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
