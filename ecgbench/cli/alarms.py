"""``ecgbench run alarms-vfdb``: replay the VFDB records through the streaming chain and score its alarms.

``run_app`` holds the command of the ``run`` noun (``run.app.add_typer(alarms.run_app)``).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from ecgbench.cli._common import DataDirOption, JsonOption, ResultsDirOption, console, err_console, print_json, rerender_leaderboards
from ecgbench.cli.stream import ChunkOption, ModelOption, VTProbabilityOption

run_app = typer.Typer()

#: Rows of the table printed after a run: metric key → label.
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("vf.se", "VF episode Se (%)"), ("vt.se", "VT episode Se, VT alarm (%)"), ("vt_shockable.se", "VT episode Se, VT or VF alarm (%)"),
    ("asystole.se", "asystole episode Se (%)"), ("vtvf.median_delay_s", "VT/VF alarm delay p50 (s)"),
    ("vtvf.p95_delay_s", "VT/VF alarm delay p95 (s)"), ("vt.median_delay_s", "VT alarm delay p50 (s)"),
    ("vtvf.false_per_hour", "false VT/VF alarms / h outside NOISE"), ("vtvf.alarms_in_noise", "VT/VF alarms raised in NOISE"),
    ("asystole.false_per_hour", "false asystole alarms / h outside NOISE"), ("aha.vf_se", "AHA VF Se (%)"),
    ("aha.vt_se", "AHA VT Se (%)"), ("aha.nonshock_sp", "AHA non-shockable Sp, NOISE included (%)"),
    ("throughput_x_realtime", "throughput (× real time, compute only)"),
)  # fmt: skip


@run_app.command("alarms-vfdb")
def run_alarms_vfdb(
    model: ModelOption = "rules",
    records: Annotated[str | None, typer.Option("--records", help="Comma-separated VFDB records (a subset is flagged quick and never ranked). Default: all 22.", show_default=False)] = None,
    chunk: ChunkOption = 1.0,
    vf_detector: Annotated[str, typer.Option("--vf-detector", help="VF alarm detector at its DS1-chosen threshold: tcsc (default) or leakage.")] = "tcsc",
    vt_probability: VTProbabilityOption = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Subject-bootstrap resamples of the AHA window figures.")] = 2000,
    data_dir: DataDirOption = None,
    results_dir: ResultsDirOption = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the run record.")] = True,
    json_output: JsonOption = False,
) -> None:
    """Replay the 22 VFDB records (250 → 360 Hz) through the streaming chain; score VT, VF and asystole alarms."""
    import dataclasses

    from rich.progress import Progress
    from rich.table import Table

    from ecgbench.errors import ConfigError
    from ecgbench.paths import database_dir, resolve_results_dir
    from ecgbench.records.lists import VFDB_RECORDS
    from ecgbench.records.physionet import require_record_files
    from ecgbench.streaming.alarm_runrecord import write_alarm_run
    from ecgbench.streaming.alarm_track import run_alarm_track
    from ecgbench.streaming.alarms import AlarmConfig
    from ecgbench.streaming.classifier import classifier_factory

    names = list(VFDB_RECORDS) if records is None else [r.strip() for r in records.split(",") if r.strip()]
    unknown = [r for r in names if r not in VFDB_RECORDS]
    if unknown or not names:
        raise ConfigError(f"--records: {', '.join(unknown) or 'none given'} not VFDB records; valid: {', '.join(VFDB_RECORDS)}")
    directory = database_dir("vfdb", data_dir)
    require_record_files(directory, names, option="--data-dir (its vfdb/ folder)", db="vfdb")
    results_dir = resolve_results_dir(results_dir)
    make_classifier = classifier_factory(model, results_dir=results_dir)  # fails early on a bad --model
    alarms = dataclasses.replace(AlarmConfig(vt_probability=vt_probability), vf_method=vf_detector)
    started = time.time()
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task(f"streaming {len(names)} VFDB records", total=len(names))
        result = run_alarm_track(names, directory, make_classifier, chunk, alarms, on_record=lambda r: progress.advance(task),
                                 n_resamples=bootstrap)  # fmt: skip
    metrics = result.metrics()
    path = None
    if save:
        _, path = write_alarm_run(result, model, names, directory, started, results_dir)
        rerender_leaderboards(results_dir, path)
    if json_output:
        print_json({"metrics": metrics, "episode_delays": result.delays(), "run_record": str(path) if path else None})
        return
    table = Table(title=f"alarms-vfdb · model {model} · {len(names)} records · chunk {chunk:g} s · VF detector {vf_detector}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("95 % interval", justify="right")
    for key, label in SUMMARY_ROWS:
        entry = metrics[key]
        value, low, high = entry["value"], entry["ci_low"], entry["ci_high"]
        table.add_row(label, f"{value:.2f}" if value == value else "–", f"[{low:.1f}, {high:.1f}]" if low is not None else "")
    console.print(table)
    if path:
        err_console.print(f"run record written to {path}")
