"""``ecgbench score``: score WFDB test annotations against reference annotations (EC57, like bxb)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import BeamOptionsOption, JsonOption, RunnerOption, console, err_console, print_json, runner_execution

app = typer.Typer()


def _split(records: list[str] | None) -> list[str] | None:
    if not records:
        return None
    return [r for item in records for r in item.replace(",", " ").split() if r]


@app.command()
def score(
    ref_dir: Annotated[Path, typer.Option("--ref-dir", help="Folder of the reference annotation files (and headers).")],
    test_dir: Annotated[Path, typer.Option("--test-dir", help="Folder of the test annotation files.")],
    test_ann: Annotated[str, typer.Option("--test-ann", help="Test annotator extension, e.g. qrs.")],
    ref_ann: Annotated[str, typer.Option("--ref-ann", help="Reference annotator extension.")] = "atr",
    records: Annotated[
        list[str] | None,
        typer.Option("--records", help="Records to score (repeat or comma-separate). Default: all with both files."),
    ] = None,
    window: Annotated[float, typer.Option(help="Match window in seconds (EC57: 0.150).")] = 0.150,
    learning_period: Annotated[
        float, typer.Option(help="Seconds at the start of each record not scored (bxb default: 300).")
    ] = 300.0,
    include_paced: Annotated[
        bool, typer.Option("--include-paced", help="Keep paced records (EC57 excludes 102, 104, 107, 217).")
    ] = False,
    class_map: Annotated[str, typer.Option(help="Symbol-to-class map: aami (EC57 table) or bxb (e, j, n as S).")] = "aami",
    exclude_shutdown: Annotated[
        bool, typer.Option("--exclude-shutdown", help="Do not score beats inside reference unreadable segments.")
    ] = False,
    rescale: Annotated[
        bool, typer.Option("--rescale", help="Convert test positions when the files store different sampling rates.")
    ] = False,
    af_exclude_flutter: Annotated[
        bool,
        typer.Option(
            "--af-exclude-flutter",
            help="EC38: leave reference atrial flutter out of the AF +P comparison (epicmp -x). EC57's default keeps it.",
        ),
    ] = False,
    per_record: Annotated[bool, typer.Option("--per-record", help="Also print the per-record table.")] = False,
    json_output: JsonOption = False,
    runner: RunnerOption = "local",
    beam_options: BeamOptionsOption = None,
) -> None:
    """Score test annotations against reference annotations: QRS, VEB, SVEB, classes, runs, AF and VF episodes."""
    from rich.progress import Progress

    from ecgbench.evaluation import score_records
    from ecgbench.evaluation.scoring import compare_folders, find_records, shorter_than_learning_period

    runner_execution(runner, beam_options)  # bad runner options fail before any work
    wanted = _split(records)
    if wanted is None:
        wanted, only_ref, only_test = find_records(ref_dir, ref_ann, test_dir, test_ann)
        if only_ref or only_test:
            err_console.print(
                f"note: scoring {len(wanted)} records with both files; skipped "
                f"{len(only_ref)} without a .{test_ann} file ({' '.join(only_ref[:10])}{' …' if len(only_ref) > 10 else ''}) "
                f"and {len(only_test)} without a .{ref_ann} file ({' '.join(only_test[:10])})",
                highlight=False,
            )
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("scoring", total=len(wanted))
        comparisons = compare_folders(
            ref_dir,
            ref_ann,
            test_dir,
            test_ann,
            records=wanted,
            window=window,
            learning_period=learning_period,
            on_record=lambda _: progress.advance(task),
            class_map=class_map,
            exclude_shutdown=exclude_shutdown,
            rescale=rescale,
            af_exclude_flutter=af_exclude_flutter,
            runner=runner,
            beam_options=beam_options,
        )
    result = score_records(comparisons, exclude_paced=not include_paced)
    short = shorter_than_learning_period(comparisons, ref_dir, ref_ann)
    if short:
        listed = ", ".join(f"{r} ({length:.0f} s)" for r, length in list(short.items())[:10]) + (" …" if len(short) > 10 else "")
        everything = "every record is" if len(short) == len(comparisons) else f"{len(short)} of {len(comparisons)} records are"
        err_console.print(
            f"[bold yellow]warning:[/] {everything} no longer than the {learning_period:g}-s learning period, so none of "
            f"their beats is scored and their figures show as '-': {listed}. Pass --learning-period 0 (or a shorter one) "
            "to score them.",
            highlight=False,
        )
    if json_output:
        print_json(result.to_dict())
        return
    excluded = ", ".join(f"{r} ({why})" for r, why in result.excluded.items()) or "none"
    console.print(
        f"{len(result.records)} records scored, {ref_ann} vs {test_ann}; window {window * 1000:g} ms, "
        f"learning period {learning_period:g} s, class map {class_map}, reference AFL "
        f"{'excluded from AF +P (EC38)' if af_exclude_flutter else 'kept (EC57)'}; excluded records: {excluded}",
        highlight=False,
    )
    console.print(result.summary(per_record=per_record))
