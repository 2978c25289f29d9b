"""``ecgbench detect``: detect QRS complexes in a WFDB record and write them as an annotation file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import DataDirOption, JsonOption, console, err_console, print_json

app = typer.Typer()


@app.command()
def detect(
    record: Annotated[str, typer.Argument(help="Record name, e.g. 100.")],
    data_dir: DataDirOption = None,
    record_dir: Annotated[
        Path | None,
        typer.Option(help="Folder holding the record's .hea/.dat (overrides --data-dir/mitdb).", show_default=False),
    ] = None,
    lead: Annotated[str, typer.Option(help="Lead to run on; falls back to the first lead if absent.")] = "MLII",
    method: Annotated[str, typer.Option(help="Detector: ecgbench, xqrs or neurokit.")] = "ecgbench",
    out_ann: Annotated[str, typer.Option(help="Extension of the annotation file written.")] = "qrs",
    out_dir: Annotated[Path, typer.Option(help="Folder for the annotation file (created if missing).")] = Path("."),
    reference: Annotated[str, typer.Option(help="Reference annotator scored against when present.")] = "atr",
    as_json: JsonOption = False,
) -> None:
    """Detect beats, write RECORD.<out-ann> (symbol N at each R peak) and score it against the reference."""
    from ecgbench.errors import ConfigError
    from ecgbench.paths import database_dir
    from ecgbench.records import read_annotations, read_record, write_annotations
    from ecgbench.signal import QRS_METHODS, detect_qrs

    if out_ann == reference:
        raise ConfigError(f"--out-ann {out_ann!r} would overwrite the reference annotations; choose another extension")
    if method not in QRS_METHODS:
        from ecgbench.errors import unknown_choice

        raise unknown_choice("QRS method", method, QRS_METHODS)
    folder = record_dir if record_dir is not None else database_dir("mitdb", data_dir)
    rec = read_record(record, folder)
    used_lead = lead if lead in rec.lead_names else rec.lead_names[0]
    if used_lead != lead:
        leads = ", ".join(rec.lead_names)
        err_console.print(f"record {record} has no lead {lead!r}; using {used_lead!r} (leads: {leads})")
    peaks = detect_qrs(rec.lead(used_lead), rec.fs, method=method)
    path = write_annotations(rec.name, out_ann, peaks, ["N"] * peaks.size, rec.fs, out_dir)
    warning = _no_beats_reason(rec.n_samples / rec.fs, method) if peaks.size == 0 else None
    result = {
        "record": rec.name, "lead": used_lead, "method": method, "fs": rec.fs,
        "n_beats": int(peaks.size), "annotation_file": str(path), "score": None, "warning": warning,
    }  # fmt: skip
    if warning:
        err_console.print(f"[bold yellow]warning:[/] record {rec.name}: {warning}", highlight=False)
    if (Path(folder) / f"{record}.{reference}").is_file():
        from ecgbench.evaluation import compare_record

        ref = read_annotations(record, folder, reference)
        cmp = compare_record(
            rec.name, ref.sample, ref.symbol, peaks, ["N"] * peaks.size, rec.fs,
            ref_subtype=ref.subtype, n_samples=rec.n_samples,
        )  # fmt: skip
        result["score"] = {
            "se": cmp.sensitivity, "ppv": cmp.positive_predictivity, "tp": cmp.tp, "fn": cmp.fn, "fp": cmp.fp,
            "window_s": cmp.window,
        }  # fmt: skip
    if as_json:
        print_json(result)
        return
    console.print(f"{rec.name}: {peaks.size} beats ({method}, lead {used_lead}) written to {path}")
    score = result["score"]
    if score is not None:
        console.print(
            f"vs {reference} (EC57, {score['window_s'] * 1000:.0f} ms): Se {score['se']:.2f}%  +P {score['ppv']:.2f}%  "
            f"TP {score['tp']}  FN {score['fn']}  FP {score['fp']}"
        )


def _no_beats_reason(duration_s: float, method: str) -> str:
    """Why a detector found no beat: a record within the ecgbench detector's learning period, or the signal."""
    from ecgbench.signal.qrs_online import QRSDetectorConfig

    learning_s = QRSDetectorConfig().learning_s
    if method == "ecgbench" and duration_s <= learning_s:
        return (f"no beats found: the record is {duration_s:.2f} s long, no longer than the detector's {learning_s:g}-s "
                "learning period (it sets its thresholds from those first seconds before it reports any beat); "
                f"detect on a record longer than {learning_s:g} s")  # fmt: skip
    return f"no beats found in {duration_s:.1f} s: the lead may be flat, saturated or pure noise; try another lead (--lead)"
