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

``--cv K`` (inter-patient track only) cross-validates instead, because the 4-record ``ds1_val``
split holds too few SVEB beats (about 170, mostly records 118 and 223) to tell recipes apart: the
22 DS1 records (``ds1_train`` ∪ ``ds1_val``) are dealt round-robin, in record order and with the
records of one subject together (:func:`subject_folds`), into K folds. For fold i, fold i is held
out, fold i+1 is the validation split (early stopping and best epoch, as ``ds1_val`` is in a
run) and the other folds are trained on, through the same :func:`fit_keras_on_splits`. Every DS1
record is then predicted once by a model that never saw its patient, and the figures are scored
on all held-out beats pooled (EC57 gross statistics), with each fold's figures beside them.

Usage::

    python -m experiments.beat_recipes.beat_val --track intrapatient --tfds-dir /work/tfds
    python -m experiments.beat_recipes.beat_val --track intrapatient --set epochs=40 --set 'options.leads=[0,1]' --json
    python -m experiments.beat_recipes.beat_val --track interpatient --cv 5 [--submission cnn1d-causal]

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


def _keras_submission(submission: str, track: str, changes: dict[str, Any], seed: int | None):
    """Load a Keras submission with its recipe resolved the runner's way.

    Returns the submission, the recipe, ``beats → InputSpec`` and the beat context
    (``options.context``) after the runner's option checks.
    """
    from ecgbench.runner.beat import beat_input_spec, check_runner_options, load_with_recipe

    loaded, recipe = load_with_recipe(submission, seed, None, False, track=track, changes=changes)
    if loaded.kind != "keras":
        raise ConfigError(f"{loaded.folder}: beat_val.py trains Keras submissions (build_model); this one is {loaded.kind!r}")
    context = check_runner_options(recipe, loaded.kind, str(loaded.recipe_path))
    return loaded, recipe, lambda beats: beat_input_spec(beats, SAMPLING_RATE, recipe, str(loaded.recipe_path)), context


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
    from ecgbench.runner.beat import fit_keras_on_splits, needs_derived_rr
    from ecgbench.runner.data import context_parts, derived_rr_parts, load_train_val

    start = time.perf_counter()
    loaded, recipe, spec_of, context = _keras_submission(submission, track, changes, seed)
    if splits is None:
        train, val, _ = load_train_val(track, tfds_dir, context=context, derived_rr=needs_derived_rr(recipe))
    elif context is not None and track != "interpatient":
        raise ConfigError(f"{loaded.recipe_path}: options.context on the {track} track needs its test split's beats; use --track interpatient")
    else:
        train, val = splits if context is None else context_parts(list(splits), context)
        if needs_derived_rr(recipe):
            train, val = derived_rr_parts([train, val])
    spec = spec_of(train)
    fitted = fit_keras_on_splits(loaded, spec, recipe, train, val, on_epoch=on_epoch, noise_dir=data_dir)
    probabilities = fitted.val_probabilities
    report = fitted.report
    return {
        "submission": loaded.name,
        "track": track,
        "changes": changes,
        "recipe": recipe.to_dict(),
        "n_beats": {"train": len(train), "val": len(val)},
        "val": val_figures(val, probabilities),
        "best_epoch": _best_epochs(report),
        "epochs_run": report.epochs_run,
        "history": report.history,
        "train_seconds": round(report.seconds, 1),
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def _best_epochs(report) -> int | list[int] | None:
    """The selected epoch, or each member's for a seed ensemble (the ``ensemble`` wrapper)."""
    if report.members is not None:
        return [member["best_epoch"] for member in report.members]
    return report.best_epoch


def _epochs_text(best: int | list[int] | None) -> str:
    return "/".join(str(epoch) for epoch in best) if isinstance(best, list) else str(best)


def subject_folds(records: list[str], k: int) -> list[list[str]]:
    """Deal records into ``k`` folds, round-robin in numeric record order, one subject's records together.

    Raises
    ------
    ConfigError
        ``k`` below 3 (a fold for training, one for validation and one held out) or above the
        number of subjects.
    """
    from ecgbench.records.lists import subject_of

    subjects = sorted({subject_of(r) for r in records}, key=lambda name: (len(name), name))
    if not 3 <= k <= len(subjects):
        raise ConfigError(f"--cv {k}: choose between 3 and {len(subjects)} folds (one trains, one validates, one is held out)")
    folds = [subjects[i::k] for i in range(k)]
    return [sorted((r for r in records if subject_of(r) in fold), key=lambda name: (len(name), name)) for fold in folds]


def cross_validate(
    submission: str,
    track: str,
    changes: dict[str, Any],
    k: int,
    *,
    seed: int | None = None,
    tfds_dir: str | None = None,
    data_dir: str | None = None,
    beats: BeatArrays | None = None,
    on_epoch=None,
    on_fold=None,
    predictions_path: Path | None = None,
) -> dict[str, Any]:
    """Grouped K-fold cross-validation on the training records of the inter-patient track (see the module docstring).

    Parameters
    ----------
    submission, track, changes, seed, tfds_dir, data_dir, on_epoch
        As in :func:`train_and_score`; ``track`` must be ``"interpatient"``.
    k : int
        Number of folds.
    beats : BeatArrays, optional
        Pre-loaded ``train ∪ val`` beats (tests); default from :func:`ecgbench.runner.data.load_train_val`.
    on_fold : callable, optional
        Called with ``(fold_index, k)`` before each fold is trained.
    predictions_path : path-like, optional
        Also save every held-out beat's ``record``, ``sample``, ``label`` and ``probabilities``
        (``[n, 5]``, from the model that never saw its record) to this ``.npz``, for analyses that
        post-process the predictions on DS1 only.

    Returns
    -------
    dict
        ``pooled`` figures over every held-out beat, and per fold its records, figures, each held-out
        record's beat accuracy (% of its beats, all classes, arg-max), best epoch and epochs run.
    """
    import numpy as np

    from ecgbench.runner.beat import fit_keras_on_splits, needs_derived_rr
    from ecgbench.runner.data import derived_rr_parts, interval_fields, load_train_val
    from ecgbench.runner.keras_trainer import predict_keras

    if track != "interpatient":
        raise ConfigError(f"--cv needs the interpatient track (its splits are record-disjoint); got {track!r}")
    start = time.perf_counter()
    loaded, recipe, spec_of, context = _keras_submission(submission, track, changes, seed)
    if beats is None:
        train, val, _ = load_train_val(track, tfds_dir, context=context, derived_rr=needs_derived_rr(recipe))
        beats = BeatArrays.concatenate([train, val])
    else:
        if context is not None:
            from ecgbench.runner.data import context_parts

            beats = context_parts([beats], context)[0]
        if needs_derived_rr(recipe):
            beats = derived_rr_parts([beats])[0]
    folds = subject_folds(np.unique(beats.record).tolist(), k)
    spec = spec_of(beats)
    probabilities, per_fold = np.zeros((len(beats), spec.n_classes), np.float32), []
    for i, test_records in enumerate(folds):
        if on_fold is not None:
            on_fold(i, k)
        val_records = folds[(i + 1) % k]
        in_test, in_val = np.isin(beats.record, test_records), np.isin(beats.record, val_records)
        fitted = fit_keras_on_splits(loaded, spec, recipe, beats.subset(~(in_test | in_val)), beats.subset(in_val),
                                     on_epoch=on_epoch, noise_dir=data_dir)  # fmt: skip
        test = beats.subset(in_test)
        fold_probabilities = predict_keras(fitted.model, fitted.normalizer.transform_arrays(interval_fields(test)),
                                           loaded.name, spec.n_classes)  # fmt: skip
        probabilities[in_test] = fold_probabilities
        correct = fold_probabilities.argmax(axis=1) == test.label
        per_fold.append({"held_out": test_records, "val": val_records, "figures": val_figures(test, fold_probabilities),
                         "record_accuracy": {r: round(100.0 * float(correct[test.record == r].mean()), 2) for r in test_records},
                         "best_epoch": _best_epochs(fitted.report), "epochs_run": fitted.report.epochs_run})  # fmt: skip
    if predictions_path is not None:
        np.savez(predictions_path, record=beats.record, sample=beats.sample, label=beats.label, probabilities=probabilities)
    return {
        "submission": loaded.name,
        "track": track,
        "changes": changes,
        "recipe": recipe.to_dict(),
        "folds": per_fold,
        "n_beats": len(beats),
        "pooled": val_figures(beats, probabilities),
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def print_cv_table(result: dict[str, Any]) -> None:
    """Print a cross-validation result: one row per held-out fold and the pooled figures (stdout)."""
    from rich.table import Table

    from ecgbench.cli._common import console

    changes = json.dumps(result["changes"], separators=(",", ":")) if result["changes"] else "(recipe as committed)"
    title = f"{result['submission']} {changes}: {len(result['folds'])}-fold cross-validation on DS1 ({result['n_beats']} beats; %)"
    table = Table(title=title)
    for name in ("held out", "accuracy", "macro-F1 NSV", "SVEB Se", "SVEB +P", "SVEB F1", "VEB Se", "VEB +P", "VEB F1", "best ep."):
        table.add_column(name, justify="left" if name == "held out" else "right")

    def row(label: str, figures: dict, best: str) -> None:
        cells = [figures[key] for key in ("accuracy", "macro_f1_nsv", *(f"{g}.{f}" for g in ("sveb", "veb") for f in ("se", "ppv", "f1")))]
        table.add_row(label, *("—" if value is None else f"{value:.2f}" for value in cells), best)

    for fold in result["folds"]:
        row(" ".join(fold["held_out"]), fold["figures"], _epochs_text(fold["best_epoch"]))
    row("pooled (every DS1 record once)", result["pooled"], "")
    console.print(table)
    console.print(f"Each row's model trained without its held-out records; wall {result['wall_seconds']:.0f} s (machine may be shared).")


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
        _epochs_text(result["best_epoch"]), str(result["epochs_run"]), f"{result['wall_seconds']:.0f}",
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
    parser.add_argument("--cv", type=int, default=None, metavar="K",
                        help="grouped K-fold cross-validation on DS1 (interpatient track) instead of ds1_val")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON result to this file")
    parser.add_argument("--predictions", type=Path, default=None,
                        help="with --cv: also save the held-out predictions (record, sample, label, probabilities) to this .npz")  # fmt: skip
    args = parser.parse_args(argv)
    if args.predictions is not None and args.cv is None:
        parser.error("--predictions needs --cv (only cross-validation predicts every DS1 record held out)")

    from rich.progress import Progress

    from ecgbench.cli._common import err_console

    try:
        changes = parse_changes(args.assignments)
        with Progress(console=err_console, transient=True) as progress:
            task = progress.add_task("training", total=None)
            fold_label = [""]

            def on_epoch(epoch: int, epochs: int, log: dict) -> None:
                score = {k: v for k, v in log.items() if k.startswith("val_")}
                progress.update(task, total=epochs, completed=epoch + 1, description=f"{fold_label[0]}epoch {epoch + 1} {score}")

            if args.cv is None:
                result = train_and_score(args.submission, args.track, changes, seed=args.seed, tfds_dir=args.tfds_dir,
                                         data_dir=args.data_dir, on_epoch=on_epoch)  # fmt: skip
            else:
                def on_fold(fold: int, k: int) -> None:
                    fold_label[0] = f"fold {fold + 1}/{k} "
                    progress.update(task, description=fold_label[0], completed=0)

                result = cross_validate(args.submission, args.track, changes, args.cv, seed=args.seed, tfds_dir=args.tfds_dir,
                                        data_dir=args.data_dir, on_epoch=on_epoch, on_fold=on_fold,
                                        predictions_path=args.predictions)  # fmt: skip
    except EcgbenchError as exc:
        err_console.print(f"error: {exc}")
        return 2
    if args.output is not None:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        (print_table if args.cv is None else print_cv_table)(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
