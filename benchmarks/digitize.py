"""Digitisation benchmark: render ~20 DS2 segments (10 s, 300 dpi), digitise them back, score SNR.

Prints median/mean/min Challenge-2024 SNR per condition (clean renders; renders rotated ±3°,
blurred σ = 1 px and JPEG-compressed at quality 60), QRS Se/+P on the digitised first lead (with the
same detector on the original signal for reference) and the time per page. Needs the MIT-BIH data
(``--data-dir``, default ``../shared/data`` beside the checkout).

    python benchmarks/digitize.py [--segments 20] [--seed 0] [--json] [--quick]

Quick scope (``--quick``): 4 segments instead of ``--segments`` (both conditions still): a smoke
check of the same code, not the published figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ecgbench.digitize.task import run_digitize_task
from ecgbench.paths import shared_data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="root holding mitdb/ (default ../shared/data)")
    parser.add_argument("--segments", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dpi", type=float, default=300.0)
    parser.add_argument("--conditions", default="clean,degraded", help="comma-separated: clean, degraded, harsh")
    parser.add_argument("--json", action="store_true", help="print the full results JSON instead of a table")
    parser.add_argument("--quick", action="store_true", help="4 segments only (a smoke check)")
    args = parser.parse_args(argv)
    if args.quick:
        args.segments = 4
    conditions = tuple(args.conditions.split(","))
    root = args.data_dir or shared_data_dir()
    if root is None or not (root / "mitdb").is_dir():
        Console(stderr=True).print("error: MIT-BIH data not found; pass --data-dir ROOT (holding mitdb/)")
        return 2
    err = Console(stderr=True)
    began = time.perf_counter()
    with Progress(TextColumn("digitize"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"), console=err) as bar:
        task = bar.add_task("pages", total=len(conditions) * args.segments, info="")
        result = run_digitize_task(
            root / "mitdb", n_segments=args.segments, seed=args.seed, dpi=args.dpi, conditions=conditions,
            on_segment=lambda done, total, s: bar.update(task, completed=done, info=f"{s.record} {s.condition}"),
        )  # fmt: skip
    seconds = time.perf_counter() - began
    payload = result.to_dict()
    payload["seconds_per_page"] = seconds / (len(conditions) * args.segments)
    if args.json:
        sys.stdout.write(json.dumps(payload, indent=2, default=float) + "\n")
        return 0
    table = Table(title=f"Digitisation: {args.segments} DS2 segments × 10 s, {args.dpi:g} dpi, seed {args.seed}")
    for column in ("condition", "leads", "median SNR dB", "mean SNR dB", "min SNR dB", "QRS Se", "QRS +P", "QRS Se/+P on original", "failures"):
        table.add_column(column, justify="right")
    for condition, s in payload["summary"].items():
        q, o = s.get("qrs"), s.get("qrs_on_original")
        table.add_row(
            condition, str(s["n_leads"]), f"{s['median_snr_db']:.2f}", f"{s['mean_snr_db']:.2f}", f"{s['min_snr_db']:.2f}",
            f"{q['sensitivity']:.4f}" if q else "n/a", f"{q['positive_predictivity']:.4f}" if q else "n/a",
            f"{o['sensitivity']:.4f} / {o['positive_predictivity']:.4f}" if o else "n/a", str(s["failures"]),
        )  # fmt: skip
    Console().print(table)
    Console().print(f"{payload['seconds_per_page']:.2f} s per page (render + degrade + digitise + score; machine shared, noisy)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
