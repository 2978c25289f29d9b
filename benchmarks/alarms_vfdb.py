"""Throughput of the ``alarms-vfdb`` replay, with the VF alarm and without it (the reference, same run).

Streams VFDB records (250 → 360 Hz, as the task) through the chain with a built-in classifier,
once with the default alarms (VF alarm and its veto on) and once with ``vf_method=None`` (the chain
of the ``streaming`` task before the VF alarm), alternating per record so both see the same machine
load; prints the compute throughput (× real time, the pipeline's own chunk timing) of each and
their ratio. The task's figures themselves come from ``ecgbench run alarms-vfdb`` (its board);
this only times the chain.

    python benchmarks/alarms_vfdb.py [--records 418,419,420] [--model rules] [--json]

Throughput is machine-dependent and noisy on a shared machine; the ratio is the stabler figure.

Quick scope (``--quick``): record 418 only instead of ``--records``: a smoke check of the same
code, not the published figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json

from rich.console import Console
from rich.table import Table

from ecgbench.paths import shared_data_dir
from ecgbench.runner.tf_environment import prepare_tensorflow_process
from ecgbench.streaming import AlarmConfig, LatencyTracker, PipelineConfig, StreamingPipeline
from ecgbench.streaming.classifier import classifier_factory
from ecgbench.streaming.track import stream_record

TARGET = ">= 1000"


def main() -> None:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", default="418,419,420")
    parser.add_argument("--model", default="rules")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="Record 418 only (a smoke check).")
    args = parser.parse_args()
    if args.quick:
        args.records = "418"
    root = args.data_dir or shared_data_dir()
    if root is None:
        raise SystemExit("no data: pass --data-dir (the folder holding vfdb/)")
    make_classifier = classifier_factory(args.model)
    configs = {"with VF alarm (task default)": AlarmConfig(), "without VF alarm (reference)": dataclasses.replace(AlarmConfig(), vf_method=None)}
    trackers = {label: LatencyTracker() for label in configs}
    for record in args.records.split(","):
        for label, alarms in configs.items():
            config = PipelineConfig(alarms=alarms)
            streamed = stream_record(record, f"{root}/vfdb", make_classifier(), 1.0,
                                     lambda fs, n, clf, c=config: StreamingPipeline(fs, n, clf, config=c))  # fmt: skip
            trackers[label].merge(streamed.latency)
    figures = {label: tracker.summary().throughput for label, tracker in trackers.items()}
    labels = list(figures)
    ratio = figures[labels[0]] / figures[labels[1]]
    if args.json:
        print(json.dumps({"throughput_x_realtime": figures, "ratio": ratio, "records": args.records}))
        return
    table = Table(title=f"alarms-vfdb replay throughput · {args.model} · VFDB {args.records} · 1-s chunks", title_justify="left")
    table.add_column("chain")
    table.add_column("× real time (compute)", justify="right")
    table.add_column("target", justify="right")
    for label, value in figures.items():
        table.add_row(label, f"{value:.0f}", TARGET if label == labels[0] else "")
    table.caption = f"ratio with / without the VF alarm: {ratio:.2f}"
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
