"""``ecgbench plot …``: figures of a record segment and of a saved benchmark run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import DataDirOption, ResultsDirOption, console

app = typer.Typer(help="Draw figures (PNG, SVG or PDF by the output file's extension).", no_args_is_help=True)

OutputOption = Annotated[Path, typer.Option("--output", "-o", help="Output file (.png, .svg or .pdf).")]


def parse_time(value: str, option: str = "--start") -> float:
    """Parse ``SS[.s]``, ``MM:SS[.s]`` or ``HH:MM:SS[.s]`` into seconds.

    Raises
    ------
    ConfigError
        The text is not such a time.
    """
    from ecgbench.errors import ConfigError

    parts = value.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not numbers or len(numbers) > 3 or any(n < 0 for n in numbers) or any(n >= 60 for n in numbers[1:]):
        raise ConfigError(f"{option} {value!r} is not a time; write seconds (75), MM:SS (1:15) or HH:MM:SS (0:01:15)")
    seconds = 0.0
    for n in numbers:
        seconds = seconds * 60.0 + n
    return seconds


@app.command("record")
def record(
    name: Annotated[str, typer.Argument(help="MIT-BIH record name, e.g. 203.")],
    start: Annotated[str, typer.Option(help="Segment start: seconds, MM:SS or HH:MM:SS.")] = "0",
    end: Annotated[str, typer.Option(help="Segment end (default start + 10 s).", show_default=False)] = "",
    output: OutputOption = Path("record.png"),
    data_dir: DataDirOption = None,
    test_ann: Annotated[
        str | None,
        typer.Option("--test-ann", help="Annotation extension of predicted labels beside the record (e.g. 'test' for 203.test).", show_default=False),
    ] = None,
    aami: Annotated[bool, typer.Option("--aami/--symbols", help="Show AAMI classes (N S V F Q) or raw WFDB symbols.")] = True,
) -> None:
    """Plot a segment of a record on ECG paper with reference (and predicted) beat labels and rhythms."""
    import numpy as np

    from ecgbench.errors import ConfigError
    from ecgbench.paths import database_dir
    from ecgbench.plots import plot_record_segment, save
    from ecgbench.records import aami_class, is_beat, read_annotations, read_record, rhythm_intervals

    folder = database_dir("mitdb", data_dir)
    begin = parse_time(start, "--start")
    finish = parse_time(end, "--end") if end else begin + 10.0
    if finish <= begin:
        raise ConfigError(f"--end {end!r} must come after --start {start!r}")
    import wfdb

    fs = read_record(name, folder, sampfrom=0, sampto=1).fs  # also checks the record exists
    length = int(wfdb.rdheader(str(folder / name)).sig_len)
    first, last = int(round(begin * fs)), min(int(round(finish * fs)), length)
    if first >= length - 1:
        raise ConfigError(f"--start {start} is past the end of record {name} ({length / fs:.0f} s long)")
    rec = read_record(name, folder, sampfrom=first, sampto=last)
    reference = read_annotations(name, folder)

    def beats(ann):
        keep = is_beat(ann.symbol) & (ann.sample >= first) & (ann.sample < first + rec.n_samples)
        labels = [aami_class(s) if aami else str(s) for s in ann.symbol[keep]]
        return ann.sample[keep] - first, labels

    ref_samples, ref_labels = beats(reference)
    pred_samples = pred_labels = None
    if test_ann:
        pred_samples, pred_labels = beats(read_annotations(name, folder, test_ann))
    rhythms = [
        ((max(r.start, first) - first) / fs, (min(r.end, first + rec.n_samples) - first) / fs, r.label)
        for r in rhythm_intervals(reference, 1 << 40)
        if r.end > first and r.start < first + rec.n_samples
    ]
    fig = plot_record_segment(
        rec.signal, fs, start_s=first / fs, lead_names=rec.lead_names,
        ref_samples=np.asarray(ref_samples), ref_labels=ref_labels,
        pred_samples=None if pred_samples is None else np.asarray(pred_samples), pred_labels=pred_labels,
        rhythms=rhythms, title=f"record {name}  {start} – {end or f'{finish:.0f} s'}",
    )  # fmt: skip
    console.print(f"wrote {save(fig, output)}")


@app.command("run")
def run(
    run_id: Annotated[str, typer.Argument(help="Run id (file stem under <results-dir>/<task>/) or a path to its .json.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the figures.")] = Path("figures"),
    results_dir: ResultsDirOption = None,
    fmt: Annotated[str, typer.Option("--format", help="png, svg or pdf.")] = "png",
) -> None:
    """Plot a saved run: confusion matrix from its prediction arrays, training curves from its record."""
    import numpy as np

    from ecgbench.errors import ConfigError, DataNotFoundError
    from ecgbench.leaderboard.store import load_run
    from ecgbench.plots import plot_confusion_matrix, plot_training_curves, save
    from ecgbench.records import AAMI_CLASSES, RHYTHM_CLASSES

    if output.suffix.lower() in {".png", ".svg", ".pdf"}:
        raise ConfigError(f"--output {output} looks like a file; `plot run` writes two figures, so give a folder (and --format)")
    entry = load_run(run_id, results_dir)
    path, record, predictions = entry.path, entry.record, entry.predictions_path
    if not predictions.is_file():
        raise DataNotFoundError(f"prediction file {predictions} named by {path} not found")
    with np.load(predictions, allow_pickle=False) as arrays:
        if "label" not in arrays or "probabilities" not in arrays:
            raise ConfigError(f"{predictions} lacks 'label' or 'probabilities' arrays; it is not a run prediction file")
        label, probabilities = arrays["label"], arrays["probabilities"]
    classes = RHYTHM_CLASSES if str(record.get("task", "")).startswith("rhythm") else AAMI_CLASSES
    n = len(classes)
    if probabilities.ndim != 2 or probabilities.shape[1] != n or not np.issubdtype(label.dtype, np.integer) or (label.size and not 0 <= label.min() <= label.max() < n):
        raise ConfigError(
            f"{predictions}: expected integer labels 0-{n - 1} and probabilities [N, {n}] over the {record.get('task')} "
            f"classes ({', '.join(classes)}), got labels {label.dtype} and probabilities {probabilities.shape}; "
            "`plot run` draws beat and rhythm runs"
        )
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (label, np.argmax(probabilities, axis=1)), 1)
    written = [save(plot_confusion_matrix(matrix, classes, title=record.get("run_id", path.stem)), output / f"{path.stem}-confusion.{fmt}")]
    training = record.get("training") or {}
    curves = [("training", record.get("run_id"), training)]  # a seed ensemble's history is its members'
    curves += [(f"training-member{k}", f"{record.get('run_id')} member {k} (seed {member.get('seed')})", member)
               for k, member in enumerate(training.get("members") or [])]  # fmt: skip
    for suffix, title, trained in curves:
        history = _history(trained.get("history"))
        if history:
            figure = plot_training_curves(history, title=title, best_epoch=trained.get("best_epoch"))
            written.append(save(figure, output / f"{path.stem}-{suffix}.{fmt}"))
    for file in written:
        console.print(f"wrote {file}")


def _history(history) -> dict[str, list[float]]:
    """Keras-style dict of lists from a run record's history (a dict of lists or a list of per-epoch dicts)."""
    if isinstance(history, dict):
        return {k: list(v) for k, v in history.items() if isinstance(v, list)}
    out: dict[str, list[float]] = {}
    for row in history or []:
        for key, value in row.items():
            if key not in ("epoch", "seconds") and isinstance(value, (int, float)):
                out.setdefault(key, []).append(float(value))
    return out
