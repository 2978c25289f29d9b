"""QRS detection benchmark on the MIT-BIH Arrhythmia Database: ecgbench (streaming) vs wfdb XQRS vs NeuroKit2.

Every detector runs on the first lead (MLII in 46 records; V5 in 102 and 104) of whole records (no
learning period: every reference beat from sample 0 is scored). Detections are scored beat by beat
with ``ecgbench.evaluation.compare_record`` (EC57/bxb rules, 150-ms window, VF and shutdown rules)
and pooled into gross Se/+P over all 48 records, DS1, DS2 and the 44 non-paced EC57 records.
The ecgbench detector is fed ``--chunk-s`` seconds at a time (streaming mode); ``--check-batch``
also runs it in one call and checks both outputs are identical. Throughput is signal time divided
by the detector's CPU time of this process (× real time on one core; wall time is printed too);
other processes sharing the CPU still make it noisy, so compare detectors by the ratio measured
in the same run.

Usage::

    python benchmarks/qrs.py                       # all 48 records, three detectors
    python benchmarks/qrs.py --records DS1 --methods ecgbench
    python benchmarks/qrs.py --records 100,105 --json

Quick scope (``--quick``): records 106 and 208 (DS1) and 105 and 233 (DS2) instead of ``--records``,
all three detectors: a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from ecgbench.evaluation import compare_record, score_records
from ecgbench.paths import database_dir, shared_data_dir
from ecgbench.records import DS1, DS2, MITDB_RECORDS, PACED_RECORDS, read_annotations, read_record
from ecgbench.signal import QRS_METHODS, OnlineQRSDetector, detect_qrs

RECORD_SETS = {"ALL": MITDB_RECORDS, "DS1": DS1, "DS2": DS2}
#: Records of the quick scope: two of DS1, two of DS2 (ectopy-rich and noisy ones).
QUICK_RECORDS = "106,208,105,233"
GROUPS = {
    "all records": lambda r: True,
    "DS1": lambda r: r in DS1,
    "DS2": lambda r: r in DS2,
    "non-paced (EC57)": lambda r: r not in PACED_RECORDS,
}


def _stream(x: np.ndarray, fs: float, chunk_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Run the online detector chunk by chunk; return R peaks and decision delays (s)."""
    det = OnlineQRSDetector(fs)
    step = max(1, int(round(chunk_s * fs)))
    parts = [det.process(x[i : i + step]) for i in range(0, x.size, step)]
    parts.append(det.flush())
    return np.concatenate(parts).astype(np.int64), det.decision_delays()


def _run(method: str, x: np.ndarray, fs: float, chunk_s: float) -> tuple[np.ndarray, np.ndarray | None, float, float]:
    """Detect; return peaks, decision delays (ecgbench only), CPU seconds and wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    if method == "ecgbench":
        peaks, delays = _stream(x, fs, chunk_s)
    else:
        peaks, delays = detect_qrs(x, fs, method=method), None
    return peaks, delays, time.process_time() - cpu, time.perf_counter() - wall


def _records(spec: str) -> list[str]:
    if spec.upper() in RECORD_SETS:
        return list(RECORD_SETS[spec.upper()])
    records = [r.strip() for r in spec.split(",") if r.strip()]
    unknown = [r for r in records if r not in MITDB_RECORDS]
    if unknown:
        valid = " ".join(MITDB_RECORDS)
        sys.exit(f"unknown MIT-BIH record(s) {', '.join(unknown)}; use ALL, DS1, DS2 or a comma list of {valid}")
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", default="ALL", help="ALL, DS1, DS2 or a comma-separated list (default ALL)")
    parser.add_argument("--methods", default=",".join(QRS_METHODS), help=f"comma list of {', '.join(QRS_METHODS)}")
    parser.add_argument("--chunk-s", type=float, default=1.0, help="streaming chunk length in seconds (default 1)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data root with mitdb/ (default ../shared/data)")
    parser.add_argument("--check-batch", action="store_true", help="also run ecgbench one-shot; require equality")
    parser.add_argument("--per-record", action="store_true", help="print a per-record FN/FP table")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--quick", action="store_true", help=f"records {QUICK_RECORDS} only (a smoke check)")
    args = parser.parse_args()
    if args.quick:
        args.records = QUICK_RECORDS

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    console, err = Console(width=160), Console(stderr=True)
    root = args.data_dir or shared_data_dir() or database_dir("mitdb").parent
    mitdb = Path(root) / "mitdb"
    records = _records(args.records)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in QRS_METHODS:
            sys.exit(f"unknown method {m!r}; valid: {', '.join(QRS_METHODS)}")

    comparisons: dict[str, list] = {m: [] for m in methods}
    seconds = {m: 0.0 for m in methods}
    wall_seconds = {m: 0.0 for m in methods}
    delays: list[np.ndarray] = []
    signal_s = 0.0
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("detecting", total=len(records) * len(methods))
        for name in records:
            rec = read_record(name, mitdb)
            ref = read_annotations(name, mitdb)
            x = rec.signal[:, 0].astype(np.float64)
            signal_s += rec.duration
            for method in methods:
                progress.update(task, description=f"{name} {method}")
                peaks, delay, took, took_wall = _run(method, x, rec.fs, args.chunk_s)
                if method == "ecgbench":
                    delays.append(delay)
                    if args.check_batch and not np.array_equal(peaks, detect_qrs(x, rec.fs)):
                        sys.exit(f"record {name}: streaming output differs from the one-shot output")
                seconds[method] += took
                wall_seconds[method] += took_wall
                comparisons[method].append(
                    compare_record(
                        name, ref.sample, ref.symbol, peaks, ["N"] * peaks.size, rec.fs,
                        ref_subtype=ref.subtype, n_samples=rec.n_samples,
                    )
                )  # fmt: skip
                progress.advance(task)

    results: dict = {"records": records, "chunk_s": args.chunk_s, "signal_s": signal_s, "methods": {}}
    for method in methods:
        entry: dict = {
            "speed_x_realtime_cpu": signal_s / max(seconds[method], 1e-9),
            "speed_x_realtime_wall": signal_s / max(wall_seconds[method], 1e-9),
            "groups": {},
        }
        for group, keep in GROUPS.items():
            kept = [c for c in comparisons[method] if keep(c.record)]
            if kept:
                qrs = score_records(kept, exclude_paced=False).gross["qrs"]
                entry["groups"][group] = {k: qrs[k] for k in ("se", "ppv", "tp", "fn", "fp")} | {"n_records": len(kept)}
        entry["per_record"] = {c.record: {"fn": c.fn, "fp": c.fp} for c in comparisons[method]}
        if method == "ecgbench" and delays:
            d = np.concatenate(delays)
            entry["decision_delay_s"] = {
                "nominal": OnlineQRSDetector(360.0).decision_delay,
                "median": float(np.median(d)), "p95": float(np.percentile(d, 95)), "max": float(d.max()),
            }  # fmt: skip
        results["methods"][method] = entry

    if args.json:
        import json

        print(json.dumps(results, indent=2))
        return
    table = Table(title=f"QRS detection, MIT-BIH first lead, EC57 150 ms, whole records ({len(records)} records)")
    table.add_column("detector")
    for group in GROUPS:
        table.add_column(f"{group}\nSe / +P (%)", justify="right")
    table.add_column("FN / FP\n(first group)", justify="right")
    table.add_column("× real time\nCPU (wall)", justify="right")
    for method, entry in results["methods"].items():
        cells = []
        for group in GROUPS:
            g = entry["groups"].get(group)
            cells.append(f"{g['se']:.2f} / {g['ppv']:.2f}" if g else "-")
        first = next(iter(entry["groups"].values()))
        label = method + (f" (stream {args.chunk_s:g} s)" if method == "ecgbench" else "")
        speed = f"{entry['speed_x_realtime_cpu']:.0f} ({entry['speed_x_realtime_wall']:.0f})"
        table.add_row(label, *cells, f"{first['fn']} / {first['fp']}", speed)
    console.print(table)
    if "ecgbench" in results["methods"] and "decision_delay_s" in results["methods"]["ecgbench"]:
        d = results["methods"]["ecgbench"]["decision_delay_s"]
        console.print(
            f"ecgbench decision delay (R peak → commit): nominal {d['nominal']:.3f} s, "
            f"median {d['median']:.3f} s, 95th pct {d['p95']:.3f} s, max {d['max']:.3f} s"
        )
    if args.per_record:
        per = Table(title="per record FN / FP")
        per.add_column("record")
        for method in methods:
            per.add_column(method, justify="right")
        for name in records:
            per.add_row(name, *[f"{results['methods'][m]['per_record'][name]['fn']} / "
                                f"{results['methods'][m]['per_record'][name]['fp']}" for m in methods])  # fmt: skip
        console.print(per)


if __name__ == "__main__":
    main()
