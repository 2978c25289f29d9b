"""Validation-only training of a beat-track submission, with recipe changes given on the command line.

Trains a Keras submission on a beat track's ``train`` split exactly as ``ecgbench run baseline``
does (the runner's own :func:`ecgbench.runner.beat.fit_keras_on_splits`: same normaliser, input
pipeline, class weights, early stopping and best-epoch selection on ``val``), with the recipe
resolved the runner's way (top level → ``tracks[track]`` → ``--set`` changes → ``--seed``), and
prints figures on ``val`` only: accuracy and SVEB/VEB Se, +P, F1 from the leaderboard's EC57 rules
(the runner's :func:`ecgbench.runner.evaluate.score_predictions`; paced records excluded), the selection's macro-F1 of N, S, V
(:func:`ecgbench.runner.selection.validation_score`, every ``val`` beat), best epoch, epochs run
and wall time.

The test split is never loaded (:func:`ecgbench.runner.data.load_train_val`), so recipe choices
made with this script cannot see it.

Usage::

    python benchmarks/beat_val.py --track intrapatient --tfds-dir /work/tfds
    python benchmarks/beat_val.py --track intrapatient --set epochs=40 --set 'options.leads=[0,1]' --json

``--set FIELD=VALUE`` takes a JSON value (a value that is not valid JSON is taken as a string, so
``--set balance=none`` works); ``options.NAME`` and ``augment.NAME`` change one key of those dicts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ecgbench.errors import ConfigError, EcgbenchError
from ecgbench.models import BeatArrays
from ecgbench.models.protocol import MERGED_FIELDS

#: Flat keys of the EC57 result printed for ``val`` (percent).
EC57_FIGURES: tuple[str, ...] = (
    "gross.accuracy",
    *(f"gross.{group}.{figure}" for group in ("sveb", "veb") for figure in ("se", "ppv", "f1")),
)
SAMPLING_RATE = 360.0


def parse_changes(assignments: list[str]) -> dict[str, Any]:
    """Turn ``["epochs=40", "options.leads=[0,1]"]`` into a recipe change block.

    Values are JSON; one that is not valid JSON is kept as a string. ``augment.NAME`` and
    ``options.NAME`` set one key of those dicts (merged with the recipe's by
    :meth:`ecgbench.models.Recipe.merged`).

    Raises
    ------
    ConfigError
        An assignment without ``=``, or a dotted name whose first part is not a dict field.
    """
    changes: dict[str, Any] = {}
    for text in assignments:
        name, sep, raw = text.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set {text!r}: expected FIELD=VALUE, e.g. --set epochs=40")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        head, dot, key = name.partition(".")
        if not dot:
            changes[head] = value
        elif head in MERGED_FIELDS and key:
            changes.setdefault(head, {})[key] = value
        else:
            raise ConfigError(f"--set {text!r}: only {', '.join(MERGED_FIELDS)} take a dotted key (FIELD.KEY=VALUE)")
    return changes


def val_figures(val: BeatArrays, probabilities, sampling_rate: float = SAMPLING_RATE) -> dict[str, float | None]:
    """Return the ``val`` figures (percent): EC57 accuracy, SVEB/VEB Se/+P/F1, and the selection macro-F1."""
    from ecgbench.runner.evaluate import score_predictions
    from ecgbench.runner.selection import validation_score

    _, metrics = score_predictions(val, probabilities, sampling_rate, n_resamples=0)
    figures = {key.removeprefix("gross."): metrics[key]["value"] for key in EC57_FIGURES}
    figures["macro_f1_nsv"] = 100.0 * validation_score("macro_f1", val.label, probabilities)
    return {name: None if value is None else round(float(value), 3) for name, value in figures.items()}


def train_and_score(
    submission: str,
    track: str,
    changes: dict[str, Any],
    *,
    seed: int | None = None,
    tfds_dir: str | None = None,
    data_dir: str | None = None,
    splits: tuple[BeatArrays, BeatArrays] | None = None,
    on_epoch=None,
) -> dict[str, Any]:
    """Train one recipe variant on ``train`` with selection on ``val`` and return its ``val`` figures.

    Parameters
    ----------
    submission : str
        Registry name or folder of a Keras submission.
    track : {"interpatient", "intrapatient"}
    changes : dict
        Recipe change block (:func:`parse_changes`), applied after the track block.
    seed : int, optional
        Overrides the recipe's seed.
    tfds_dir, data_dir : str, optional
        Built TFDS datasets; raw data root (NSTDB noise augmentation only).
    splits : (BeatArrays, BeatArrays), optional
        Pre-loaded ``(train, val)`` (tests); default :func:`ecgbench.runner.data.load_train_val`.
    on_epoch : callable, optional
        Progress hook ``(epoch, epochs, log)``.
    """
    from ecgbench.runner.beat import beat_input_spec, fit_keras_on_splits, load_with_recipe, rr_columns_of
    from ecgbench.runner.data import load_train_val
    from ecgbench.runner.keras_trainer import predict_keras

    start = time.perf_counter()
    loaded, recipe = load_with_recipe(submission, seed, None, False, track=track, changes=changes)
    if loaded.kind != "keras":
        raise ConfigError(f"{loaded.folder}: beat_val.py trains Keras submissions (build_model); this one is {loaded.kind!r}")
    if splits is None:
        train, val, _ = load_train_val(track, tfds_dir)
    else:
        train, val = splits
    spec = beat_input_spec(train, SAMPLING_RATE, rr_columns_of(recipe, str(loaded.folder / "recipe.json")))
    fitted = fit_keras_on_splits(loaded, spec, recipe, train, val, on_epoch=on_epoch, noise_dir=data_dir)
    probabilities = predict_keras(fitted.model, fitted.val_features, loaded.name, spec.n_classes)
    report = fitted.report
    return {
        "submission": loaded.name,
        "track": track,
        "changes": changes,
        "recipe": recipe.to_dict(),
        "n_beats": {"train": len(train), "val": len(val)},
        "val": val_figures(val, probabilities),
        "best_epoch": report.best_epoch,
        "epochs_run": report.epochs_run,
        "history": report.history,
        "train_seconds": round(report.seconds, 1),
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def print_table(result: dict[str, Any]) -> None:
    """Print one variant's ``val`` figures as a Rich table (stdout)."""
    from rich.table import Table

    from ecgbench.cli._common import console

    changes = json.dumps(result["changes"], separators=(",", ":")) if result["changes"] else "(recipe as committed)"
    table = Table(title=f"{result['submission']} on {result['track']} val ({result['n_beats']['val']} beats; %)")
    for name in ("changes", "accuracy", "macro-F1 NSV", "SVEB Se", "SVEB +P", "SVEB F1", "VEB Se", "VEB +P", "VEB F1",
                 "best ep.", "epochs", "wall s"):  # fmt: skip
        table.add_column(name, justify="left" if name == "changes" else "right")
    v = result["val"]

    def pct(key: str) -> str:
        return "—" if v[key] is None else f"{v[key]:.2f}"

    table.add_row(
        changes, pct("accuracy"), pct("macro_f1_nsv"),
        *(pct(f"{group}.{figure}") for group in ("sveb", "veb") for figure in ("se", "ppv", "f1")),
        str(result["best_epoch"]), str(result["epochs_run"]), f"{result['wall_seconds']:.0f}",
    )  # fmt: skip
    console.print(table)
    console.print("EC57 figures exclude the paced records; macro-F1 is the selection score over every val beat. "
                  "Wall time includes loading; the machine may be shared (timing noisy).")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submission", default="cnn1d", help="registry name or folder of a Keras submission")
    parser.add_argument("--track", default="intrapatient", help="beat track: interpatient or intrapatient")
    parser.add_argument("--seed", type=int, default=None, help="overrides the recipe's seed")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="FIELD=VALUE",
                        help="recipe change (JSON value), e.g. epochs=40 or 'options.leads=[0,1]'; repeatable")  # fmt: skip
    parser.add_argument("--tfds-dir", default=None, help="built TFDS datasets (default $ECGBENCH_TFDS_DIR)")
    parser.add_argument("--data-dir", default=None, help="raw PhysioNet data root (NSTDB noise augmentation only)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON result to this file")
    args = parser.parse_args(argv)

    from rich.progress import Progress

    from ecgbench.cli._common import err_console

    try:
        changes = parse_changes(args.assignments)
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("training", total=None)

            def on_epoch(epoch: int, epochs: int, log: dict) -> None:
                score = {k: v for k, v in log.items() if k.startswith("val_")}
                progress.update(task, total=epochs, completed=epoch + 1, description=f"epoch {epoch + 1} {score}")

            result = train_and_score(args.submission, args.track, changes, seed=args.seed, tfds_dir=args.tfds_dir,
                                     data_dir=args.data_dir, on_epoch=on_epoch)  # fmt: skip
    except EcgbenchError as exc:
        err_console.print(f"error: {exc}")
        return 2
    if args.output is not None:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
