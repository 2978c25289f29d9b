"""24 hours of ECG through the streaming pipeline at full speed: memory must stay flat.

The 48 MIT-BIH records (30 min each) are concatenated into one continuous 24-h stream (one record
is loaded at a time) and fed in 1-s chunks to one pipeline with the rule-based classifier. Events
are counted, not kept. Prints the process RSS (psutil) after 1, 6, 12 and 24 h of signal
(tracemalloc is not used: it would slow the run several-fold).

    python benchmarks/streaming_memory.py [--hours 24] [--json] [--quick]

Quick scope (``--quick``): 2 hours of signal instead of ``--hours`` (RSS after 1 and 2 h): a smoke
check of the same code, not the published figure.
"""

from __future__ import annotations

import argparse
import json
import time

import psutil
from rich.console import Console
from rich.table import Table

from ecgbench.paths import shared_data_dir
from ecgbench.records import MITDB_RECORDS
from ecgbench.streaming import RecordSource, RuleClassifier, StreamingPipeline, concatenate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="2 hours of signal (a smoke check).")
    args = parser.parse_args()
    if args.quick:
        args.hours = 2.0
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data/mitdb")
    mitdb = data / "mitdb"
    fs = 360.0
    records = (RecordSource(r, mitdb, fs, 1.0) for r in MITDB_RECORDS * 2)
    pipeline = StreamingPipeline(fs, 2, RuleClassifier(fs))
    process = psutil.Process()
    marks = sorted({h for h in (1.0, 6.0, 12.0, args.hours) if h <= args.hours})
    rss: dict[float, float] = {}
    n_events, t0 = 0, time.perf_counter()
    rss_start = process.memory_info().rss
    for chunk in concatenate(records):
        n_events += len(pipeline.process(chunk.signal, chunk.start))
        hours = chunk.stop / fs / 3600.0
        for mark in marks:
            if hours >= mark and mark not in rss:
                rss[mark] = process.memory_info().rss / 2**20
        if hours >= args.hours:
            break
    wall = time.perf_counter() - t0
    result = {
        "hours_streamed": pipeline.time / 3600.0,
        "rss_start_mib": rss_start / 2**20,
        **{f"rss_after_{mark:g}h_mib": value for mark, value in rss.items()},
        "rss_growth_1h_to_end_mib": rss[marks[-1]] - rss[marks[0]],
        "events": n_events,
        "wall_s": wall,
        "throughput_x_realtime": pipeline.time / wall,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    table = Table(title=f"streaming memory over a {args.hours:g}-h stream (rules classifier, 1-s chunks)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    Console().print(table)


if __name__ == "__main__":
    main()
