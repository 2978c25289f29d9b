"""Accuracy of the wavelet P/QRS/T delineator on LUDB (lead II), split into tuning and held-out halves.

LUDB records 1-100 (500 Hz, 10 s) are delineated from the raw lead II, with QRS complexes found by
the delineator's own wavelet detector (``--r-peaks reference`` uses the annotated QRS peaks
instead). The few parameters that were tuned (``WaveletConfig.qrs_significance_before``,
``qrs_max_slope_gap_s``, ``min_p_slope_mv_per_s``) were chosen on records 1-50 only; records
51-100 are held out. All three groups are printed.

Scoring rules (``ecgbench.evaluation.delineation``):

* a detected wave matches the nearest unmatched reference wave of the same type whose peak is
  within ``--tolerance-ms`` (150 ms), one-to-one;
* LUDB annotates only part of each record (the first/last beats often are not): detections whose
  peak lies outside the annotated span (first to last annotation of the lead file) are ignored;
* errors are detected − reference (ms) for matched waves, pooled over beats; Se/+P pooled counts;
* the CSE tolerances σ_CSE are P on 10.2, P off 12.7, QRS on 6.5, QRS off 11.6, T off 30.6 ms; a
  boundary "meets 2σ" when its error SD ≤ 2 σ_CSE.

    python benchmarks/delineation.py [--data-dir ../shared/data] [--r-peaks detected|reference] [--json] [--quick]

Quick scope (``--quick``): records 1-10 (tuning) and 51-60 (held-out) instead of 1-100: a smoke
check of the same code, not the published figure.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
GROUPS = {"tuning 1-50": range(1, 51), "held-out 51-100": range(51, 101), "all 1-100": range(1, 101)}
QUICK_GROUPS = {"tuning 1-10": range(1, 11), "held-out 51-60": range(51, 61), "both (20 records)": [*range(1, 11), *range(51, 61)]}


def score_records(ludb_data: Path, records: list[int], lead: str, reference_r: bool, tolerance_s: float, progress):
    """Delineate and score each record; return per-record scores and the delineation time (s)."""
    from ecgbench.records import read_record
    from ecgbench.records.ludb import read_ludb_waves
    from ecgbench.signal.delineation import delineate
    from ecgbench.evaluation.delineation import score_delineation

    scores, seconds, n_beats = {}, 0.0, 0
    task = progress.add_task("delineating LUDB", total=len(records))
    for k in records:
        rec = read_record(str(k), ludb_data)
        reference, span = read_ludb_waves(str(k), ludb_data, lead)
        r_peaks = reference["qrs"].peak if reference_r else None
        start = time.perf_counter()
        result = delineate(rec.lead(lead), rec.fs, r_peaks=r_peaks)
        seconds += time.perf_counter() - start
        n_beats += len(result)
        scores[k] = score_delineation(result, reference, span, tolerance_s)
        progress.advance(task)
    return scores, seconds, n_beats


@app.command()
def main(
    data_dir: Annotated[Path | None, typer.Option(help="Root with ludb/data (default ../shared/data).")] = None,
    lead: Annotated[str, typer.Option(help="LUDB lead (annotation extension).")] = "ii",
    r_peaks: Annotated[str, typer.Option(help="detected (own wavelet QRS detector) or reference (annotated QRS peaks).")] = "detected",
    tolerance_ms: Annotated[float, typer.Option(help="Peak matching tolerance (ms).")] = 150.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="Records 1-10 and 51-60 only (a smoke check).")] = False,
) -> None:
    """Print per-fiducial error mean ± SD (ms), the CSE 2σ check and Se/+P of P, QRS, T on LUDB."""
    from ecgbench.cli._common import print_json
    from ecgbench.paths import shared_data_dir
    from ecgbench.evaluation.delineation import DelineationScore

    root = data_dir or shared_data_dir()
    ludb = (root / "ludb" / "data") if root is not None else None
    if ludb is None or not ludb.is_dir():
        raise SystemExit("LUDB not found: pass --data-dir with ludb/data inside (e.g. ../shared/data)")
    if r_peaks not in ("detected", "reference"):
        raise SystemExit(f"--r-peaks must be detected or reference, got {r_peaks!r}")
    groups = QUICK_GROUPS if quick else GROUPS
    err = Console(stderr=True)
    with Progress(console=err, transient=True) as progress:
        every = list(list(groups.values())[-1])  # the last group holds every record
        scores, seconds, n_beats = score_records(ludb, every, lead, r_peaks == "reference", tolerance_ms / 1000, progress)
    results = {}
    for name, records in groups.items():
        total = DelineationScore()
        for k in records:
            total = total + scores[k]
        results[name] = total.summary()
    timing = {"beats": n_beats, "seconds": seconds, "ms_per_beat": 1000 * seconds / max(n_beats, 1)}
    if json_output:
        print_json({"lead": lead, "r_peaks": r_peaks, "tolerance_ms": tolerance_ms, "groups": results, "timing": timing})
        return
    console = Console()
    for name, summary in results.items():
        table = Table(title=f"LUDB {name}, lead {lead}, R peaks {r_peaks}, tolerance {tolerance_ms:g} ms")
        for col in ("fiducial", "n", "mean (ms)", "SD (ms)", "2σ_CSE (ms)", "SD ≤ 2σ"):
            table.add_column(col, justify="left" if col == "fiducial" else "right")
        for fid, row in summary["fiducials"].items():
            tol = row.get("tolerance_2sigma_ms")
            table.add_row(fid, str(row["n"]), f"{row['mean_ms']:.1f}", f"{row['sd_ms']:.1f}",
                          "" if tol is None else f"{tol:.1f}", "" if tol is None else ("yes" if row["meets_2sigma"] else "NO"))  # fmt: skip
        console.print(table)
        waves = Table(title=f"wave detection, LUDB {name}")
        for col in ("wave", "TP", "FP", "FN", "Se", "+P"):
            waves.add_column(col, justify="left" if col == "wave" else "right")
        for wave, row in summary["waves"].items():
            waves.add_row(wave.upper(), str(row["tp"]), str(row["fp"]), str(row["fn"]), f"{row['se']:.3f}", f"{row['ppv']:.3f}")
        console.print(waves)
    console.print(f"delineation time: {timing['ms_per_beat']:.2f} ms/beat over {n_beats} beats "
                  "(2 shared cores, noisy)")  # fmt: skip


if __name__ == "__main__":
    app()
