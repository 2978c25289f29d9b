"""``ecgbench digitize IMAGE`` / ``ecgbench render RECORD``: ECG image ↔ WFDB record, and the
digitisation benchmark (``digitize_run_app``: attach to ``ecgbench run`` as ``run digitize``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import DataDirOption, JsonOption, ResultsDirOption, console, err_console, print_json, rerender_leaderboards

app = typer.Typer(no_args_is_help=True)


@app.command("digitize")
def digitize(
    image: Annotated[Path, typer.Argument(help="ECG image (PNG, JPEG, TIFF …) of printed ECG paper.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output WFDB record path without extension (writes .hea + .dat).")],
    paper_speed: Annotated[float, typer.Option(help="Paper speed, mm/s.")] = 25.0,
    gain: Annotated[float, typer.Option(help="Printed gain, mm/mV.")] = 10.0,
    fs: Annotated[float, typer.Option("--fs", help="Sampling frequency of the written record, Hz.")] = 360.0,
    px_per_mm: Annotated[float | None, typer.Option(help="Image scale in pixels/mm (default: measured from the grid).", show_default=False)] = None,
    leads: Annotated[str | None, typer.Option(help="Comma-separated lead names, top to bottom (default lead1, lead2 …).", show_default=False)] = None,
    json_output: JsonOption = False,
) -> None:
    """Digitise an ECG image: find grid, scale and skew, extract each lead's trace, write a WFDB record in mV."""
    import numpy as np

    from ecgbench.digitize import digitize_image, read_image, write_record

    names = [n.strip() for n in leads.split(",")] if leads else None
    ecg = digitize_image(read_image(image), paper_speed=paper_speed, gain=gain, fs=fs, px_per_mm=px_per_mm, lead_names=names)
    header = write_record(ecg, output)
    summary = {
        "record": str(header.with_suffix("")), "leads": list(ecg.lead_names), "fs": ecg.fs,
        "n_samples": int(ecg.signal.shape[0]), "duration_s": ecg.signal.shape[0] / ecg.fs,
        "px_per_mm_x": ecg.spec.px_per_mm_x, "px_per_mm_y": ecg.spec.px_per_mm_y, "skew_deg": ecg.skew_deg,
        "missing_fraction": float(np.mean(np.isnan(ecg.signal))),
    }  # fmt: skip
    if json_output:
        print_json(summary)
    else:
        console.print(
            f"wrote {header} ({len(ecg.lead_names)} leads, {summary['duration_s']:.2f} s at {fs:g} Hz); "
            f"grid {ecg.spec.px_per_mm_x:.3f} px/mm, skew {ecg.skew_deg:+.2f}°"
        )


@app.command("render")
def render(
    record: Annotated[str, typer.Argument(help="Record name in the MIT-BIH folder (e.g. 100), or a path to any WFDB record (without extension).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output image (.png, .jpg, .tif …).")],
    start: Annotated[str, typer.Option(help="Segment start: seconds, MM:SS or HH:MM:SS.")] = "0",
    end: Annotated[str, typer.Option(help="Segment end (default start + 10 s).", show_default=False)] = "",
    data_dir: DataDirOption = None,
    paper_speed: Annotated[float, typer.Option(help="Paper speed, mm/s.")] = 25.0,
    gain: Annotated[float, typer.Option(help="Gain, mm/mV.")] = 10.0,
    dpi: Annotated[float, typer.Option(help="Image resolution, dots per inch.")] = 300.0,
    rotate: Annotated[float, typer.Option(help="Rotate the page by DEG degrees (counter-clockwise).")] = 0.0,
    blur: Annotated[float, typer.Option(help="Gaussian blur sigma in pixels.")] = 0.0,
    jpeg_quality: Annotated[int | None, typer.Option(help="JPEG-compress at this quality (1-100) before saving.", show_default=False)] = None,
    calibration: Annotated[bool, typer.Option("--calibration/--no-calibration", help="Draw the 1 mV calibration pulse.")] = True,
) -> None:
    """Render a record segment as a printed ECG image (pink grid, black traces, lead labels)."""
    from ecgbench.cli.plot import parse_time
    from ecgbench.digitize import degrade, render_ecg, write_image
    from ecgbench.errors import ConfigError
    from ecgbench.paths import database_dir
    from ecgbench.records import read_record

    path = Path(record)
    folder, name = (path.parent, path.name) if path.parent != Path(".") else (database_dir("mitdb", data_dir), record)
    fs = read_record(name, folder, sampfrom=0, sampto=1).fs
    begin = parse_time(start, "--start")
    finish = parse_time(end, "--end") if end else begin + 10.0
    if finish <= begin:
        raise ConfigError(f"--end {end!r} must come after --start {start!r}")
    rec = read_record(name, folder, sampfrom=int(round(begin * fs)), sampto=int(round(finish * fs)))
    page = render_ecg(rec.signal, rec.fs, rec.lead_names, paper_speed=paper_speed, gain=gain, dpi=dpi, calibration=calibration)
    image = degrade(page.image, rotate_deg=rotate, blur_sigma=blur, jpeg_quality=jpeg_quality)
    written = write_image(output, image)
    console.print(f"wrote {written} ({image.shape[1]}×{image.shape[0]} px, {page.spec.px_per_mm_x:.3f} px/mm)")


digitize_run_app = typer.Typer(no_args_is_help=False)


@digitize_run_app.command("digitize")
def run_digitize(
    data_dir: DataDirOption = None,
    segments: Annotated[int, typer.Option(help="Number of 10-s DS2 segments.")] = 20,
    duration: Annotated[float, typer.Option(help="Segment length, seconds.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the segment choice and degradations.")] = 0,
    dpi: Annotated[float, typer.Option(help="Rendering resolution, dots per inch.")] = 300.0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the results JSON here.", show_default=False)] = None,
    results_dir: ResultsDirOption = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the run record.")] = True,
    json_output: JsonOption = False,
) -> None:
    """Render DS2 segments, digitise them back, score Challenge-2024 SNR and QRS Se/+P (clean and degraded)."""
    import json
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from ecgbench.digitize.task import run_digitize_task
    from ecgbench.paths import database_dir, resolve_results_dir
    from ecgbench.records import DS2

    started = time.time()
    directory = database_dir("mitdb", data_dir)
    with Progress(TextColumn("digitize"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"), console=err_console) as bar:
        task = bar.add_task("digitize", total=segments * 2, info="")
        result = run_digitize_task(
            directory, n_segments=segments, duration=duration, seed=seed, dpi=dpi,
            on_segment=lambda done, total, s: bar.update(task, completed=done, info=f"{s.record} {s.condition}"),
        )  # fmt: skip
    payload = result.to_dict()
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(payload, indent=2, default=float) + "\n")
        err_console.print(f"wrote {output}")
    if save:
        from ecgbench.runner.digitize_record import write_digitize_run

        results_dir = resolve_results_dir(results_dir)
        _, record_path = write_digitize_run(payload, directory, list(DS2), started, results_dir)
        err_console.print(f"run record written to {record_path}")
        rerender_leaderboards(results_dir, record_path)
    if json_output:
        print_json(payload)
        return
    table = Table(title=f"Digitisation of {segments} DS2 segments ({duration:g} s, {dpi:g} dpi)")
    for column in ("condition", "leads", "median SNR (dB)", "mean SNR (dB)", "min SNR (dB)", "QRS Se", "QRS +P", "failures"):
        table.add_column(column, justify="right")
    for condition, s in payload["summary"].items():
        qrs = s.get("qrs") or {}
        table.add_row(
            condition, str(s["n_leads"]), f"{s['median_snr_db']:.2f}", f"{s['mean_snr_db']:.2f}", f"{s['min_snr_db']:.2f}",
            f"{qrs['sensitivity']:.4f}" if qrs else "n/a", f"{qrs['positive_predictivity']:.4f}" if qrs else "n/a",
            str(s["failures"]),
        )  # fmt: skip
    console.print(table)
