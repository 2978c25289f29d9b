"""Cold start: AF alarms on short excerpts, each streamed through a fresh chain from its first sample.

A monitor attached to a new patient must work in its first minute. Excerpts of ``--lengths``
seconds (default 30 and 60) are cut from MIT-BIH records: positives lie wholly inside an annotated
AF episode (``(AFIB``; every non-overlapping window of each episode), negatives overlap no AF or
atrial flutter (up to ``--negatives`` windows per record, evenly spread over its non-AF stretches;
PVC-rich ones are counted separately: at least 10 % of their reference beats ventricular). Each
excerpt is streamed alone, as fast as possible, through a fresh pipeline and classifier; an
excerpt is called AF when the AF alarm is raised (started) anywhere in it. Printed per
configuration (classifier × AF detector): excerpt Se (positives called AF), Sp (negatives not
called AF), Sp on the PVC-rich negatives, and the median time (s) from the excerpt's start to the
AF alarm on the positives called AF.

Choose on DS1 (``--split ds1``: records 201 and 203 hold its AF), report DS2 (202, 210, 219, 221,
222). Run from the repository root, e.g.::

    python benchmarks/cold_start.py --split ds1 --models rules --af-start-dwell 8
    python benchmarks/cold_start.py --models rules,cnn1d,cnn1d-context

Quick scope (``--quick``): DS2 records 202 and 219 (both hold AF), 30-s excerpts, at most 3
negatives per record (both AF detectors still): a smoke check of the same code, not the published
figure.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgbench.records import DS1, DS2
from ecgbench.records.io import read_annotations, read_record
from ecgbench.records.rhythm import rhythm_intervals
from ecgbench.records.symbols import AAMI_CLASSES, aami_labels, is_beat
from ecgbench.runner.tf_environment import prepare_tensorflow_process
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.streaming.classifier import classifier_factory
from ecgbench.streaming.events import AlarmEvent
from ecgbench.streaming.pipeline import PipelineConfig
from ecgbench.streaming.track import stream_array

#: Reference rhythms a negative excerpt must not overlap.
ATRIAL = ("AFIB", "AFL")
#: A negative excerpt is PVC-rich when at least this share of its reference beats is V.
PVC_RICH = 0.10
#: Records, excerpt lengths (s) and negatives per record of the quick scope.
QUICK_RECORDS, QUICK_LENGTHS, QUICK_NEGATIVES = "202,219", "30", 3


@dataclass(frozen=True)
class Excerpt:
    """One excerpt: record, start (s), length (s), whether it is AF, and whether it is PVC-rich."""

    record: str
    start: float
    length: float
    af: bool
    pvc_rich: bool = False


def excerpts(record: str, mitdb: Path, length: float, negatives: int) -> list[Excerpt]:
    """The positive and negative excerpts of one record (see the module notes)."""
    reference = read_annotations(record, mitdb)
    header = read_record(record, mitdb)
    fs, n = header.fs, header.signal.shape[0]
    intervals = rhythm_intervals(reference, n)
    out = []
    for interval in intervals:
        if interval.label == "AFIB":
            t = interval.start / fs
            while t + length <= interval.end / fs:
                out.append(Excerpt(record, round(t, 3), length, True))
                t += length
    atrial = [(i.start / fs, i.end / fs) for i in intervals if i.label in ATRIAL]
    candidates = [t for t in np.arange(0.0, n / fs - length, length)
                  if not any(a < t + length and b > t for a, b in atrial)]  # fmt: skip
    if candidates and negatives > 0:
        picks = np.unique(np.linspace(0, len(candidates) - 1, min(negatives, len(candidates))).round().astype(int))
        beats = is_beat(reference.symbol)
        times = reference.sample[beats] / fs
        ventricular = np.asarray(AAMI_CLASSES)[aami_labels(reference.symbol[beats])] == "V"
        for k in picks.tolist():
            t = float(candidates[k])
            inside = (times >= t) & (times < t + length)
            share = float(ventricular[inside].mean()) if inside.any() else 0.0
            out.append(Excerpt(record, round(t, 3), length, False, share >= PVC_RICH))
    return out


def af_alarm_time(events: list) -> float | None:
    """Decision time (s) of the first AF alarm start, or None."""
    for event in events:
        if isinstance(event, AlarmEvent) and event.kind == "AF" and event.state == "start":
            return float(event.decision_time)
    return None


def evaluate(records: list[str], lengths: list[float], model: str, alarms: AlarmConfig, mitdb: Path, negatives: int,
             chunk: float = 1.0, on_excerpt=None) -> list[dict]:  # fmt: skip
    """Se, Sp and alarm times of one configuration, one row per excerpt length."""
    from scipy import signal as sps

    from ecgbench.signal.resample import resampling_ratio

    make = classifier_factory(model)
    config = PipelineConfig(alarms=alarms)
    signals: dict[str, tuple[np.ndarray, float]] = {}
    rows = []
    for length in lengths:
        found = {"pos": 0, "tp": 0, "neg": 0, "tn": 0, "pvc": 0, "pvc_tn": 0}
        delays = []
        for record in records:
            for ex in excerpts(record, mitdb, length, negatives):
                if record not in signals:
                    rec = read_record(record, mitdb)
                    signals[record] = (rec.signal, rec.fs)
                signal, fs = signals[record]
                piece = signal[int(round(ex.start * fs)) : int(round((ex.start + ex.length) * fs))]
                classifier = make()
                if abs(classifier.sampling_rate - fs) > 1e-6:
                    up, down = resampling_ratio(fs, classifier.sampling_rate)
                    piece = sps.resample_poly(piece, up, down, axis=0)
                when = af_alarm_time(stream_array(piece, classifier.sampling_rate, classifier, config, chunk))
                if ex.af:
                    found["pos"] += 1
                    found["tp"] += when is not None
                    if when is not None:
                        delays.append(when)
                else:
                    found["neg"] += 1
                    found["tn"] += when is None
                    found["pvc"] += ex.pvc_rich
                    found["pvc_tn"] += ex.pvc_rich and when is None
                if on_excerpt:
                    on_excerpt()
        pct = lambda a, b: round(100.0 * a / b, 1) if b else None  # noqa: E731
        rows.append({
            "length_s": length, "positives": found["pos"], "negatives": found["neg"], "pvc_rich": found["pvc"],
            "se": pct(found["tp"], found["pos"]), "sp": pct(found["tn"], found["neg"]),
            "sp_pvc_rich": pct(found["pvc_tn"], found["pvc"]),
            "median_alarm_s": round(float(np.median(delays)), 1) if delays else None,
        })  # fmt: skip
    return rows


def _af_configs(spec: str, start_dwell: int | None) -> list[tuple[str, AlarmConfig]]:
    configs = []
    for name in spec.split(","):
        if name == "petrenas":
            configs.append((f"petrenas, dwell 32{'' if start_dwell is None else f' (start {start_dwell})'}",
                            AlarmConfig(af_method="petrenas", af_start_dwell=start_dwell)))  # fmt: skip
        elif name == "median":
            configs.append(("median", AlarmConfig(af_method="median")))
        else:
            raise SystemExit(f"--af-detectors: {name!r} is not petrenas or median")
    return configs


def main(argv: list[str] | None = None) -> int:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("ds1", "ds2"), default="ds2", help="Record list (ds1: for choosing parameters).")
    parser.add_argument("--records", help="Comma-separated records (overrides --split).")
    parser.add_argument("--models", default="rules", help="Comma-separated classifiers (as `ecgbench stream --model`).")
    parser.add_argument("--af-detectors", default="petrenas,median", help="Comma-separated: petrenas, median.")
    parser.add_argument("--af-start-dwell", default="default",
                        help="petrenas cold-start dwell (beats): 'default' (AlarmConfig's), 'none', or a number.")
    parser.add_argument("--lengths", default="30,60", help="Excerpt lengths (s), comma-separated.")
    parser.add_argument("--negatives", type=int, default=6, help="Negative excerpts per record, at most.")
    parser.add_argument("--chunk", type=float, default=1.0, help="Chunk length (s); the beats and alarms do not depend on it, only the speed.")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"), help="Folder holding mitdb/.")
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON to this file.")
    parser.add_argument("--quick", action="store_true", help=f"Records {QUICK_RECORDS}, {QUICK_LENGTHS}-s excerpts, {QUICK_NEGATIVES} negatives (a smoke check).")
    args = parser.parse_args(argv)
    from _stream_tables import print_rows
    from rich.console import Console
    from rich.progress import Progress

    if args.quick:
        args.records, args.lengths, args.negatives = QUICK_RECORDS, QUICK_LENGTHS, QUICK_NEGATIVES
    records = args.records.split(",") if args.records else list(DS1 if args.split == "ds1" else DS2)
    lengths = [float(x) for x in args.lengths.split(",")]
    start_dwell = AlarmConfig().af_start_dwell if args.af_start_dwell == "default" else (
        None if args.af_start_dwell == "none" else int(args.af_start_dwell))  # fmt: skip
    mitdb = args.data_dir / "mitdb"
    configs = [(m, label, alarms) for m in args.models.split(",") for label, alarms in _af_configs(args.af_detectors, start_dwell)]
    n_excerpts = sum(len(excerpts(r, mitdb, length, args.negatives)) for r in records for length in lengths)
    results = []
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"{len(configs)} configurations × {n_excerpts} excerpts", total=len(configs) * n_excerpts)
        for model, label, alarms in configs:
            for row in evaluate(records, lengths, model, alarms, mitdb, args.negatives, args.chunk, lambda: progress.advance(task)):
                results.append({"model": model, "af_detector": label, **row})
    title = f"Cold start · AF on excerpts streamed from their first sample · {args.records or args.split.upper()}"
    columns = [("classifier", "model"), ("AF detector", "af_detector"), ("excerpt (s)", "length_s"), ("AF excerpts", "positives"),
               ("non-AF", "negatives"), ("PVC-rich", "pvc_rich"), ("Se %", "se"), ("Sp %", "sp"),
               ("Sp PVC-rich %", "sp_pvc_rich"), ("median alarm (s)", "median_alarm_s")]  # fmt: skip
    print_rows(title, columns, results, ("classifier", "AF detector"), args.json, vars(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
