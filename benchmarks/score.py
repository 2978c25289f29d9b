"""Benchmark: time to score all 48 MIT-BIH records with the EC57 scorer (target < 5 s).

Runs the reference annotations against a perturbed copy (seeded jitter of ±40 samples, 3 % of
beats dropped, 1 % extra beats) so matching does real work, with both matching methods, and
reports the time of reading the annotation files separately. Needs ../shared/data/mitdb (or
--mitdb-dir). Run: ``python benchmarks/score.py [--json] [--repeat 3] [--quick]``.

Quick scope (``--quick``): one timed repetition instead of ``--repeat`` (all 48 records still):
a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ecgbench.evaluation import compare_record, score_records
from ecgbench.paths import shared_data_dir
from ecgbench.records import MITDB_RECORDS, is_beat, read_annotations


def _perturbed(ann, rng):
    mask = is_beat(ann.symbol)
    sample, symbol = ann.sample[mask], ann.symbol[mask]
    keep = rng.random(sample.size) > 0.03
    extra = rng.integers(0, sample[-1], sample.size // 100)
    test = np.concatenate([sample[keep] + rng.integers(-40, 41, keep.sum()), extra])
    labels = np.concatenate([symbol[keep], np.full(extra.size, "N")])
    order = np.argsort(test, kind="stable")
    return test[order], labels[order]


def main(
    mitdb_dir: Annotated[Path | None, typer.Option(help="MIT-BIH folder; default ../shared/data/mitdb.")] = None,
    repeat: Annotated[int, typer.Option(help="Timed repetitions (the best is reported).")] = 3,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="One timed repetition (a smoke check).")] = False,
) -> None:
    """Time EC57 scoring of the 48 MIT-BIH records."""
    repeat = 1 if quick else repeat
    folder = mitdb_dir or ((shared_data_dir() or Path(".")) / "mitdb")
    t0 = time.perf_counter()
    anns = [read_annotations(r, folder) for r in MITDB_RECORDS]
    read_s = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    tests = [_perturbed(a, rng) for a in anns]
    figures = {"records": len(anns), "beats": int(sum(is_beat(a.symbol).sum() for a in anns)), "read_s": read_s}
    for method in ("bxb", "nearest"):
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            cmps = [
                compare_record(a.record, a.sample, a.symbol, t[0], t[1], fs=a.fs, ref_aux=a.aux_note,
                               test_aux=[""] * t[0].size, ref_subtype=a.subtype, method=method)
                for a, t in zip(anns, tests)
            ]  # fmt: skip
            result = score_records(cmps)
            best = min(best, time.perf_counter() - t0)
        figures[f"score_{method}_s"] = best
        figures[f"qrs_se_{method}"] = result.gross["qrs"]["se"]
    if json_output:
        print(json.dumps(figures, indent=2))
        return
    table = Table(title=f"EC57 scoring of {figures['records']} records, {figures['beats']} beats (best of {repeat})")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("note")
    table.add_row("read .atr files", f"{read_s:.3f}", "wfdb.rdann")
    for method in ("bxb", "nearest"):
        table.add_row(
            f"compare + score ({method})",
            f"{figures[f'score_{method}_s']:.3f}",
            f"gross QRS Se {figures[f'qrs_se_{method}']:.3f} %; target < 5 s",
        )
    Console().print(table)


if __name__ == "__main__":
    typer.run(main)
