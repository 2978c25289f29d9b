"""``ecgbench build-dataset``: build the MIT-BIH TFDS configs and print their class counts per split."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ecgbench.beam.options import EXAMPLE as BEAM_EXAMPLE
from ecgbench.beam.options import with_quiet_workers
from ecgbench.cli._common import DataDirOption, JsonOption, TfdsDirOption, console, err_console, print_json
from ecgbench.tf_logs import QUIET_CPP_LOG_LEVEL

app = typer.Typer()


@app.command("build-dataset")
def build_dataset(
    config: Annotated[
        str,
        typer.Option(
            help="Config to build: beats, rhythm, rhythm_4s, rhythm_30s, or all (beats and rhythm) of mitdb; "
            "svdb/beats; vfdb/rhythm, vfdb/rhythm_4s, vfdb/episodes, or vfdb/all (rhythm and episodes)."
        ),
    ] = "all",
    data_dir: DataDirOption = None,
    manual_dir: Annotated[
        Path | None,
        typer.Option(
            "--manual-dir",
            help="Folder holding the MIT-BIH WFDB files (100.hea, 100.dat, 100.atr …). "
            "Default: <data-dir>/mitdb, downloaded from PhysioNet if absent.",
            show_default=False,
        ),
    ] = None,
    tfds_dir: TfdsDirOption = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", hidden=True, help="Old name of --tfds-dir.", show_default=False)] = None,
    runner: Annotated[
        str,
        typer.Option(
            "--runner",
            help="Where the examples are generated: local (this process) or beam (an Apache Beam pipeline, one record "
            "per element, on the runner --beam-options names). Both write the same files.",
        ),
    ] = "local",
    beam_options: Annotated[
        str | None,
        typer.Option(
            "--beam-options",
            help="Beam pipeline options for --runner beam, as tfds build --beam_pipeline_options takes them: "
            f"comma-separated key=value pairs, e.g. '{BEAM_EXAMPLE}'. Default: DirectRunner, one worker.",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Build mitdb/<config> (or svdb/…, vfdb/…) TFDS datasets (verified sources; reuses a complete build) and print class counts."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ecgbench.paths import database_dir, resolve_tfds_dir
    from ecgbench.records.dataset import check_runner, resolve_configs, split_config

    configs = resolve_configs(config)  # fail on a bad name before any heavy import
    check_runner(runner, beam_options)  # and on bad Beam options
    if runner == "beam" and os.environ.get("TF_CPP_MIN_LOG_LEVEL") == QUIET_CPP_LOG_LEVEL:  # no --verbose
        beam_options = with_quiet_workers(beam_options)
    if tfds_dir is not None and output_dir is not None and tfds_dir != output_dir:
        from ecgbench.errors import ConfigError

        raise ConfigError(f"--tfds-dir {tfds_dir} and --output-dir {output_dir} differ; --output-dir is the old name of --tfds-dir, pass one")
    dataset = split_config(configs[0])[0]
    source = _source_folder(manual_dir, database_dir(dataset, data_dir), dataset)
    tfds_dir = resolve_tfds_dir(tfds_dir if tfds_dir is not None else output_dir)

    import tensorflow_datasets as tfds

    from ecgbench.records.dataset import build_config, builder_class, split_class_counts

    tfds.disable_progress_bar()
    results = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        for name in configs:
            cls = builder_class(dataset)
            records = cls.source_records(cls.builder_configs[split_config(name)[1]].task)
            label = name if "/" in name else f"{dataset}/{name}"
            on_beam = runner == "beam"  # records are read on Beam workers, which report each finished record
            task = progress.add_task(f"{label}: {'Beam pipeline, records' if on_beam else 'reading records'}", total=len(records))
            writing: list[int] = []  # the "writing" row, once every record is read

            def on_record(_record: str, task=task, label=label, writing=writing) -> None:
                progress.advance(task)
                if progress.tasks[task].finished and not writing:  # every record read: TFDS now writes the examples
                    progress.update(task, description=f"{label}: examples read")
                    writing.append(progress.add_task(f"{label}: writing TFRecord files", total=None))
                    if not err_console.is_terminal:
                        err_console.print(f"{label}: writing TFRecord files …", highlight=False)

            with contextlib.redirect_stdout(sys.stderr):  # TFDS prints its progress notes to stdout
                builder, reused = build_config(name, tfds_dir, source, on_record=on_record, runner=runner, beam_options=beam_options)
            progress.update(task, total=len(records), completed=len(records), description=f"{label}: {'reused' if reused else 'built'}")
            for row in writing:
                progress.update(row, total=1, completed=1, description=f"{label}: TFRecord files written")
            results[name] = {
                "version": str(builder.version),
                "path": str(builder.data_dir),
                "reused": reused,
                "source_checksum": builder.info.metadata.get("source_checksum"),
                "splits": split_class_counts(builder),
            }
    if json:
        print_json({"dataset": dataset, "tfds_dir": str(tfds_dir), "configs": results})
        return
    for name, result in results.items():
        console.print(_counts_table(name if "/" in name else f"{dataset}/{name}", result))


def _source_folder(manual_dir: Path | None, default: Path, dataset: str = "mitdb") -> Path:
    """``--manual-dir`` if given, else ``<data-dir>/<dataset>`` (missing files downloaded there, verified files kept)."""
    from ecgbench.records.lists import DATABASE_RECORDS
    from ecgbench.records.physionet import database, download_records, record_files

    source = database(dataset)
    if manual_dir is not None:  # build_config refuses it unless it holds every file the config reads (never downloads)
        return manual_dir.expanduser()
    if all((default / name).is_file() for name in record_files(DATABASE_RECORDS[dataset])):
        return default
    err_console.print(f"{source.title} not found in {default}; downloading it from PhysioNet …")
    return download_records(
        default, DATABASE_RECORDS[dataset], on_file=lambda name: err_console.print(f"  {name}", highlight=False), db=dataset
    )


def _counts_table(config: str, result: dict):
    """A Rich table: one row per split, one column per class, plus the total."""
    from rich import box
    from rich.table import Table

    splits = result["splits"]
    classes = [c for c in next(iter(splits.values())) if c != "total"]
    title = f"{config} {result['version']} — examples per class"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False)
    table.add_column("split", no_wrap=True)
    for name in [*classes, "total"]:
        table.add_column(name, justify="right", no_wrap=True)
    for split, counts in splits.items():
        table.add_row(split, *(f"{counts[c]:,}" for c in [*classes, "total"]))
    table.caption = f"{result['path']}"
    return table
