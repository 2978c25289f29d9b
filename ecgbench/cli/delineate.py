"""``ecgbench delineate``: P/QRS/T waves of one lead → WFDB wave annotations (+ scores vs a reference)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import JsonOption, console, err_console, print_json

app = typer.Typer()


@app.command()
def delineate(
    record: Annotated[str, typer.Argument(help="Record name, e.g. 1 (LUDB) or 100 (MIT-BIH).")],
    record_dir: Annotated[Path, typer.Option("--record-dir", help="Folder holding the record's .hea/.dat files.")] = Path("."),
    lead: Annotated[str, typer.Option("--lead", help="Lead (signal name in the header) to delineate.")] = "ii",
    out_ann: Annotated[str, typer.Option("--out-ann", help="Extension of the wave annotation file written.")] = "dln",
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder the annotation file is written to.")] = Path("."),
    ref_ann: Annotated[
        str | None,
        typer.Option("--ref-ann", help="Reference wave annotation extension (default: the lead name, LUDB style)."),
    ] = None,
    beats_ann: Annotated[
        str | None,
        typer.Option("--beats-ann", help="Take beat positions from this beat annotation file (e.g. atr) "
                     "instead of detecting QRS complexes."),
    ] = None,  # fmt: skip
    tolerance_ms: Annotated[float, typer.Option(help="Peak distance (ms) within which a wave matches a reference wave.")] = 150.0,
    json_output: JsonOption = False,
) -> None:
    """Delineate P, QRS and T waves of one lead; write `(`, peak (p/N/t), `)` annotations; score if a reference exists.

    Scoring (when RECORD.<ref-ann> exists): detections whose peak lies outside the annotated span
    (first to last reference annotation) are ignored, since LUDB annotates only part of each record.
    """
    import numpy as np

    from ecgbench.errors import ConfigError
    from ecgbench.records import is_beat, read_annotations, read_record, write_annotations
    from ecgbench.records.ludb import Waves, read_ludb_waves, waves_to_annotations
    from ecgbench.signal.delineation import delineate as run_delineation
    from ecgbench.evaluation.delineation import WAVE_FIELDS, score_delineation

    rec = read_record(record, record_dir)
    if lead not in rec.lead_names:
        raise ConfigError(f"record {record} in {record_dir} has no lead {lead!r}; --lead one of: {', '.join(rec.lead_names)}")
    r_peaks = None
    if beats_ann is not None:
        ann = read_annotations(record, record_dir, beats_ann)
        r_peaks = np.unique(ann.sample[is_beat(ann.symbol)])
    result = run_delineation(rec.lead(lead), rec.fs, r_peaks=r_peaks)
    waves = {w: Waves(*(getattr(result, f) for f in fields)) for w, fields in WAVE_FIELDS.items()}
    sample, symbol = waves_to_annotations(waves)
    path = write_annotations(record, out_ann, sample, symbol, rec.fs, out_dir)
    err_console.print(f"wrote {len(result)} beats ({sample.size} annotations) to {path}")

    ref_ext = ref_ann or lead
    ref_file = record_dir / f"{record}.{ref_ext}"
    summary = None
    if ref_file.is_file() and ref_ext != out_ann:
        reference, span = read_ludb_waves(record, record_dir, ref_ext)
        summary = score_delineation(result, reference, span, tolerance_ms / 1000.0).summary()
    elif ref_ann is not None:
        raise ConfigError(f"reference annotation file {ref_file} not found; check --ref-ann and --record-dir")

    if json_output:
        print_json({"record": record, "lead": lead, "annotation_file": path, "n_beats": len(result),
                    "delineation": result.to_dict(), "score": summary})  # fmt: skip
        return
    if summary is None:
        counts = {w: int((getattr(result, fields[1]) >= 0).sum()) for w, fields in WAVE_FIELDS.items()}
        console.print(f"{record} lead {lead}: {len(result)} beats; waves found: " + ", ".join(f"{w.upper()} {n}" for w, n in counts.items()))
        return
    _print_summary(summary, f"{record} lead {lead} vs .{ref_ext} (tolerance {tolerance_ms:g} ms, annotated span only)")


def _print_summary(summary: dict, title: str) -> None:
    """Rich tables: per-fiducial error mean ± SD (ms) with the CSE check, then wave Se/+P."""
    from rich.table import Table

    errors = Table(title=title)
    for col in ("fiducial", "n", "mean ± SD (ms)", "2σ_CSE (ms)", "SD ≤ 2σ_CSE"):
        errors.add_column(col, justify="left" if col == "fiducial" else "right")
    for name, row in summary["fiducials"].items():
        tol = row.get("tolerance_2sigma_ms")
        meets = "" if tol is None else ("yes" if row["meets_2sigma"] else "no")
        errors.add_row(name, str(row["n"]), f"{row['mean_ms']:.1f} ± {row['sd_ms']:.1f}", "" if tol is None else f"{tol:.1f}", meets)
    console.print(errors)
    waves = Table(title="wave detection")
    for col in ("wave", "TP", "FP", "FN", "Se", "+P"):
        waves.add_column(col, justify="left" if col == "wave" else "right")
    for name, row in summary["waves"].items():
        waves.add_row(name.upper(), str(row["tp"]), str(row["fp"]), str(row["fn"]), f"{row['se']:.3f}", f"{row['ppv']:.3f}")
    console.print(waves)
