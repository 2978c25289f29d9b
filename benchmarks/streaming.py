"""The streaming track's figures on DS2: detection, VEB, AF, VT alarms, latency, throughput.

Runs the full chain (quality → ecgbench.signal filter + online QRS detector → beat windows →
classifier → alarms) over the 22 DS2 records as fast as possible, twice: with ``--chunk`` (default
1 s) for throughput and all detection/alarm figures, and with ``--latency-chunk`` (default 0.1 s) for
the algorithmic latency a device with small buffers would see (decisions happen at chunk ends, so
latency includes up to one chunk of waiting). Also checks that record ``--invariance-record``
gives the same beats and labels in 1-s chunks as in one whole-record chunk.

    python benchmarks/streaming.py [--model rules] [--records DS2] [--chunk 1.0] [--latency-chunk 0.1] [--json]

On DS2 (the test split) only the number of VT onsets not alarmed is printed, never which ones:
development looks at DS1 (``--records DS1``). See ``benchmarks/streaming_latency.py`` for where
latency and compute go (per chunk size, model and inference backend).

Throughput is wall time of the whole chain on this machine (single process, one core used), noisy
when the machine is shared.

Quick scope (``--quick``): the first 3 records of ``--records`` instead of all 22 (both chunk
lengths and the invariance check still): a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from ecgbench.paths import shared_data_dir
from ecgbench.records import DS1, DS2
from ecgbench.runner.tf_environment import prepare_tensorflow_process
from ecgbench.streaming import RecordSource, StreamingPipeline, load_classifier
from ecgbench.streaming.events import BeatEvent
from ecgbench.streaming.track import run_track

#: The committed results tree: baseline names resolve to its trained models unless --results-dir says otherwise.
COMMITTED_RESULTS = Path(__file__).resolve().parents[1] / "leaderboards" / "results"

TARGETS = {
    "qrs.se": ">= 99.5", "qrs.ppv": ">= 99.5", "af.episode_se": ">= 90",
    "vt_alarm.median_delay_s": "<= 5 (goal 3)", "latency.algorithmic_p99_s": "<= 1",
    "latency.first_label_p99_s": "<= 1",
    "throughput_x_realtime": ">= 200 (goal 1000)",
}  # fmt: skip
#: Records of the quick scope (the first N of the split).
QUICK_RECORDS = 3


def chunk_invariance(record: str, directory, model: str, results_dir=None) -> bool:
    """True if 1-s chunks and one whole-record chunk give identical beats and labels."""
    source = RecordSource(record, directory, 360.0, 1.0)
    results = []
    for n in (int(360 * 1.0), source.signal.shape[0]):
        pipeline = StreamingPipeline(360.0, source.n_leads, load_classifier(model, results_dir=results_dir))
        events = []
        for start in range(0, source.signal.shape[0], n):
            events += pipeline.process(source.signal[start : start + n], start)
        events += pipeline.flush()
        results.append([(e.sample, e.label) for e in events if isinstance(e, BeatEvent)])
    return results[0] == results[1]


def main() -> None:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="rules")
    parser.add_argument("--records", default="DS2", choices=("DS1", "DS2"))
    parser.add_argument("--chunk", type=float, default=1.0)
    parser.add_argument("--latency-chunk", type=float, default=0.1)
    parser.add_argument("--invariance-record", default="208")
    parser.add_argument("--results-dir", type=Path, default=COMMITTED_RESULTS, help="Results tree searched for a baseline name's trained model (default: the committed leaderboards/results).")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help=f"The first {QUICK_RECORDS} records of the split only (a smoke check).")
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data/mitdb")
    mitdb = data / "mitdb"
    t0 = time.perf_counter()
    records = list(DS1 if args.records == "DS1" else DS2)[: QUICK_RECORDS if args.quick else None]
    main_run = run_track(records, mitdb, lambda: load_classifier(args.model, results_dir=args.results_dir), args.chunk)
    metrics = main_run.metrics()
    wall_main = time.perf_counter() - t0
    signal_s = main_run.latency.signal_seconds
    metrics["end_to_end_throughput_x_realtime"] = signal_s / wall_main  # incl. reading, resampling, scoring
    latency_run = run_track(records, mitdb, lambda: load_classifier(args.model, results_dir=args.results_dir), args.latency_chunk)
    lat = latency_run.latency.summary()
    metrics[f"latency.algorithmic_p50_s@{args.latency_chunk:g}s"] = lat.algorithmic_p50
    metrics[f"latency.algorithmic_p99_s@{args.latency_chunk:g}s"] = lat.algorithmic_p99
    metrics[f"latency.first_label_p99_s@{args.latency_chunk:g}s"] = lat.first_label_p99
    metrics[f"throughput_x_realtime@{args.latency_chunk:g}s"] = lat.throughput
    metrics["chunk_invariance_" + args.invariance_record] = float(chunk_invariance(args.invariance_record, mitdb, args.model, args.results_dir))
    missed_vt = [d for d in main_run.delays["VT"] if d["delay"] is None]
    shown = missed_vt if args.records != "DS2" else f"{len(missed_vt)} (not listed on the test split)"
    if args.json:
        delays = main_run.delays if args.records != "DS2" else None
        print(json.dumps({"metrics": metrics, "missed_vt": shown, "delays": delays}, indent=2))
        return
    split = f"{args.records} (first {len(records)}, --quick)" if args.quick else args.records
    table = Table(title=f"streaming track on {split} · model {args.model} · chunk {args.chunk:g} s (noisy shared machine)")
    for column in ("metric", "value", "target"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.3f}" if np.isfinite(value) else "–", TARGETS.get(key, ""))
    console = Console()
    console.print(table)
    console.print(f"VT onsets not alarmed: {shown}")


if __name__ == "__main__":
    main()
