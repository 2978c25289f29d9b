"""Where the streaming latency and compute go: per model, chunk size and inference backend, in one run.

For each record (default: three DS1 records, the development split) and each chunk size, streams
the first ``--seconds`` of the record through the full chain with every model in ``--models``
(interleaved, so a loaded machine slows all of them alike) and reports:

* compute throughput (× real time: signal seconds / wall seconds of ``StreamingPipeline.process``);
* final-label algorithmic latency p50/p99 (R peak → decision, signal seconds; what the track reports);
* first-label latency p50/p99 (the provisional label when one was emitted) and how often the
  provisional label equals the final one;
* for the slowest 1 % of final decisions, the median post-RR interval (s): waiting for the next
  beat is a component of the latency of a classifier that needs it.

    taskset -c 0 python benchmarks/streaming_latency.py [--models cnn1d,rules] [--records 208,119,203]
        [--seconds 300] [--chunks 1.0,0.25,0.1] [--backends auto] [--json]

``--backends onnx,tf`` compares the two inference backends of a trained model. Run it pinned to
one core (``taskset -c 0``); figures are noisy on a shared machine, ratios less so.

Quick scope (``--quick``): record 208 only, its first 60 s, chunks of 1 and 0.1 s (every model and
backend still): a smoke check of the same code, not the published figure.
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
from ecgbench.runner.tf_environment import prepare_tensorflow_process
from ecgbench.streaming import RecordSource, StreamingPipeline, load_classifier
from ecgbench.streaming.classifier import BUILTIN_CLASSIFIERS
from ecgbench.streaming.events import BeatEvent


#: The committed results tree: baseline names resolve to its trained models unless --results-dir says otherwise.
COMMITTED_RESULTS = Path(__file__).resolve().parents[1] / "leaderboards" / "results"


def make_classifier(model: str, backend: str, results_dir=None):
    """A fresh classifier; ``backend`` only matters for trained models."""
    if model in BUILTIN_CLASSIFIERS:
        return load_classifier(model)
    from ecgbench.streaming.model_adapter import load_model_classifier

    return load_model_classifier(model, backend=backend, results_dir=results_dir)


def stream_segment(source: RecordSource, classifier, chunk: float, seconds: float) -> dict:
    """Stream the first ``seconds`` of ``source`` in ``chunk``-s pieces; return the figures."""
    pipeline = StreamingPipeline(source.fs, source.n_leads, classifier)
    n = max(1, int(round(chunk * source.fs)))
    stop = min(source.signal.shape[0], int(round(seconds * source.fs)))
    events = []
    for start in range(0, stop, n):
        events += pipeline.process(source.signal[start : min(start + n, stop)], start)
    events += pipeline.flush()
    beats = [e for e in events if isinstance(e, BeatEvent)]
    times = np.array([b.time for b in beats])
    latency = np.array([b.latency for b in beats])
    post_rr = np.append(np.diff(times), np.nan)
    slowest = latency >= np.percentile(latency, 99) if latency.size else np.zeros(0, bool)
    s = pipeline.latency.summary()
    return {
        "beats": s.beats,
        "throughput": s.throughput,
        "final_p50": s.algorithmic_p50,
        "final_p99": s.algorithmic_p99,
        "first_p50": s.first_label_p50,
        "first_p99": s.first_label_p99,
        "provisional_agreement": s.provisional_agreement,
        "slowest_post_rr": float(np.nanmedian(post_rr[slowest])) if slowest.any() else float("nan"),
        "median_post_rr": float(np.nanmedian(post_rr)) if post_rr.size > 1 else float("nan"),
        "signal_s": s.signal_seconds,
        "wall_s": s.wall_seconds,
    }


def main() -> None:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="cnn1d,rules")
    parser.add_argument("--records", default="208,119,203")
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--chunks", default="1.0,0.25,0.1")
    parser.add_argument("--backends", default="auto", help="Inference backends of trained models: auto, onnx, tf (comma-separated).")
    parser.add_argument("--results-dir", type=Path, default=COMMITTED_RESULTS, help="Results tree searched for a baseline name's trained model (default: the committed leaderboards/results).")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="Record 208, 60 s, chunks 1 and 0.1 s (a smoke check).")
    args = parser.parse_args()
    if args.quick:
        args.records, args.seconds, args.chunks = "208", 60.0, "1.0,0.1"
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data/mitdb")
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    variants = [(m, b) for m in models for b in (args.backends.split(",") if m not in BUILTIN_CLASSIFIERS else ["-"])]
    for model, backend in variants:  # load, convert and trace once before timing
        make_classifier(model, backend, args.results_dir)
    rows: dict[tuple, list[dict]] = {}
    t0 = time.perf_counter()
    for record in args.records.split(","):
        source = RecordSource(record, data / "mitdb", 360.0, 1.0)
        for chunk in (float(c) for c in args.chunks.split(",")):
            for model, backend in variants:
                figures = stream_segment(source, make_classifier(model, backend, args.results_dir), chunk, args.seconds)
                rows.setdefault((model, backend, chunk), []).append(figures)
    summary = []
    for (model, backend, chunk), runs in rows.items():
        signal, wall = sum(r["signal_s"] for r in runs), sum(r["wall_s"] for r in runs)
        summary.append({
            "model": model, "backend": backend, "chunk_s": chunk, "beats": sum(r["beats"] for r in runs),
            "throughput_x": signal / wall if wall else float("inf"),
            # percentiles are per record; report the worst record (conservative)
            **{k: float(np.nanmax([r[k] for r in runs])) for k in ("final_p50", "final_p99", "first_p50", "first_p99")},
            "provisional_agreement": float(np.nanmean([r["provisional_agreement"] for r in runs])) if any(np.isfinite(r["provisional_agreement"]) for r in runs) else float("nan"),
            "slowest_post_rr": float(np.nanmedian([r["slowest_post_rr"] for r in runs])),
            "median_post_rr": float(np.nanmedian([r["median_post_rr"] for r in runs])),
        })  # fmt: skip
    if args.json:
        print(json.dumps({"records": args.records, "seconds": args.seconds, "wall_s": time.perf_counter() - t0, "rows": summary}, indent=2))
        return
    table = Table(title=f"streaming latency/compute · records {args.records} · first {args.seconds:g} s each (noisy shared machine)")
    for column in ("model", "backend", "chunk s", "beats", "× real time", "final p50", "final p99", "first-label p50",
                   "first-label p99", "prov.=final %", "post-RR of slowest 1 %", "median post-RR"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("model", "backend") else "right")
    for row in summary:
        table.add_row(row["model"], row["backend"], f"{row['chunk_s']:g}", str(row["beats"]), f"{row['throughput_x']:.0f}",
                      *(f"{row[k]:.2f}" for k in ("final_p50", "final_p99", "first_p50", "first_p99")),
                      f"{row['provisional_agreement']:.1f}" if np.isfinite(row["provisional_agreement"]) else "–",
                      f"{row['slowest_post_rr']:.2f}", f"{row['median_post_rr']:.2f}")  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
