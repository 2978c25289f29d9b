"""DS1-only check of the AF gate (:mod:`ecgbench.streaming.af_gate`) on cross-validated beat predictions.

Why: most false SVEB calls of the Keras baselines on DS2 are normal beats inside AF and flutter
episodes (a diagnosis read from a committed DS2 run, ``experiments/README.md`` B8). A
remedy chosen because of a test-set diagnosis must be judged without the test set, so it is
judged here, on DS1 only: ``python -m experiments.beat_recipes.beat_val --track interpatient --cv 5
--submission NAME --seed N --predictions FILE`` predicts every DS1 record with a model that never
saw its patient; this script applies the gate to those held-out predictions and prints the pooled
EC57 figures without and with it (the runner's scorer, paced records excluded), and per record
the S calls the gate removed, how many of them were true S beats, and the beats held in AF.

Decision rule, fixed before the first result was seen: adopt the gate for a submission if, over
the prediction files given (one per seed) and averaged over them, the pooled SVEB F1 with the gate
is higher than without it and the macro-F1 of N, S and V (the runner's selection score) is not
lower. First applied (2026-12-06) to cnn1d-context, seeds 0 and 1 (both fixed before either ran).
Second application (session 14, written down before the third member's cross-validation ended):
cnn1d-context-ensemble, ensemble seed 0, whose members are cnn1d-context seeds 0, 1 and 2
(:func:`ecgbench.runner.ensemble.member_seeds`). Its held-out predictions are the mean of those
three single-seed cross-validations (``--ensemble``), as its saved model is the mean of its
members; the same rule applies to that one prediction set.

    python -m experiments.beat_recipes.af_gate_ds1 [--submission cnn1d-context] [--seeds 0,1] [--tfds-dir DIR] [--json]
    python -m experiments.beat_recipes.af_gate_ds1 FILE.npz [FILE.npz ...] [--ensemble] [--json]

Without files it runs the cross-validation itself for each seed (about 12 min per seed on 2 cores)
and keeps the predictions in a temporary folder; with files it only reads them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from experiments.beat_recipes.beat_val import SAMPLING_RATE, cross_validate, val_figures

from ecgbench.models import BeatArrays
from ecgbench.records import AAMI_CLASSES
from ecgbench.streaming.af_gate import gate_supraventricular

#: Figures compared (keys of :func:`beat_val.val_figures`).
FIGURES = ("accuracy", "sveb.se", "sveb.ppv", "sveb.f1", "veb.f1", "macro_f1_nsv")


def held_out_beats(path: Path) -> tuple[BeatArrays, np.ndarray]:
    """The beats (reference labels, record, sample) and held-out probabilities saved by ``beat_val.py --predictions``."""
    saved = np.load(path)
    n = len(saved["label"])
    beats = BeatArrays(signal=np.zeros((n, 1, 1), np.float32), rr=np.zeros((n, 0), np.float32), label=saved["label"].astype(np.int64),
                       record=saved["record"].astype(str), sample=saved["sample"].astype(np.int64))  # fmt: skip
    return beats, saved["probabilities"]


def averaged_members(paths: list[Path]) -> tuple[BeatArrays, np.ndarray]:
    """A seed ensemble's held-out predictions: the mean of its members' single-seed prediction files.

    Member ``k`` of ensemble seed ``s`` trains exactly as the single run of seed ``s * K + k``
    (:func:`ecgbench.runner.ensemble.member_seeds`), fold by fold here too, and the ensemble's
    output is the mean of its members' probabilities. The files must hold the same beats in the
    same order (the same ``train ∪ val`` split and folds).
    """
    members = [held_out_beats(path) for path in paths]
    beats = members[0][0]
    for path, (other, _) in zip(paths[1:], members[1:], strict=True):
        same = [np.array_equal(getattr(beats, name), getattr(other, name)) for name in ("record", "sample", "label")]
        if not all(same):
            raise SystemExit(f"{path} holds other beats than {paths[0]}: members of one ensemble must share the DS1 split")
    return beats, np.mean([probabilities for _, probabilities in members], axis=0, dtype=np.float32)


def compare(name: str, beats: BeatArrays, probabilities: np.ndarray) -> dict:
    """Figures without and with the gate for one set of held-out predictions, and the gate's changes per record."""
    gated, in_af = gate_supraventricular(probabilities, beats.record, beats.sample, SAMPLING_RATE)
    s = AAMI_CLASSES.index("S")
    removed = (probabilities.argmax(axis=1) == s) & (gated.argmax(axis=1) != s)
    per_record = {}
    for record in np.unique(beats.record[in_af | removed]).tolist():
        mine = beats.record == record
        per_record[record] = {"beats_in_af": int((in_af & mine).sum()), "s_calls_removed": int((removed & mine).sum()),
                              "true_s_removed": int((removed & mine & (beats.label == s)).sum())}  # fmt: skip
    return {"file": name, "without": val_figures(beats, probabilities), "with": val_figures(beats, gated), "per_record": per_record}


def better(without: dict, with_: dict) -> bool:
    """The DS1 decision rules' test: SVEB F1 higher with the change and macro-F1 N/S/V not lower."""
    return with_["sveb.f1"] > without["sveb.f1"] and with_["macro_f1_nsv"] >= without["macro_f1_nsv"]


#: The two sides of every DS1 decision: the predictions without and with the change.
SIDES = ("without", "with")


def side_means(results: list[dict]) -> dict:
    """The mean of each figure over ``results`` (dicts with a ``without`` and a ``with`` side), per side."""
    return {side: {name: float(np.mean([r[side][name] for r in results])) for name in FIGURES} for side in SIDES}


def ensemble_and_seeds(files: list[Path], compare) -> dict:
    """The two-part rule of the DS1 decision scripts, on one seed ensemble and on its members alone.

    ``compare(name, beats, probabilities)`` returns a dict with a ``without`` and a ``with`` side
    (figures of :data:`FIGURES`). It is called on the ensemble (the mean of ``files``,
    :func:`averaged_members`) and on each file; the change is adopted when both the ensemble and
    the mean of the single files are :func:`better` with it.
    """
    ensemble = compare("ensemble seed 0 (mean of the three)", *averaged_members(files))
    singles = [compare(path.name, *held_out_beats(path)) for path in files]
    mean = side_means(singles)
    adopt = better(ensemble["without"], ensemble["with"]) and better(mean["without"], mean["with"])
    return {"ensemble": ensemble, "singles": singles, "single_mean": mean, "adopt": adopt}


def seed_files_arguments(description: str, n_files: int, files_help: str, argv: list[str] | None) -> argparse.Namespace:
    """Parse a DS1 decision script's command line: ``n_files`` prediction files or none, ``--tfds-dir``, ``--json``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("files", nargs="*", type=Path, help=files_help)
    parser.add_argument("--tfds-dir", default=None, help="without files: built TFDS datasets (default $ECGBENCH_TFDS_DIR)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    if len(args.files) not in (0, n_files):
        parser.error(f"give {n_files} files ({files_help}), or none (then the cross-validations run here)")
    return args


def judged(files: list[Path], judge, submission: str, seeds: list[int], tfds_dir: str | None):
    """``judge(files)``; without files, ``judge`` of a fresh cross-validation per seed, kept in a temporary folder."""
    if files:
        return judge(list(files))
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return judge(cross_validated_predictions(submission, seeds, tfds_dir, Path(folder)))


def cross_validated_predictions(
    submission: str, seeds: list[int], tfds_dir: str | None, folder: Path, changes: dict | None = None, tag: str = ""
) -> list[Path]:
    """Run ``beat_val``'s 5-fold DS1 cross-validation once per seed; return the saved prediction files.

    ``changes`` is a recipe change block (``beat_val.parse_changes``); ``tag`` names its files apart.
    """
    from rich.progress import Progress

    from ecgbench.cli._common import err_console

    paths = []
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("cross-validation", total=5 * len(seeds))
        for seed in seeds:
            path = folder / f"{submission}{tag}-seed{seed}.npz"

            def on_fold(fold: int, k: int, seed: int = seed) -> None:
                progress.update(task, completed=seeds.index(seed) * k + fold, description=f"{tag or submission} seed {seed}, fold {fold + 1}/{k}")

            cross_validate(submission, "interpatient", changes or {}, 5, seed=seed, tfds_dir=tfds_dir, on_fold=on_fold, predictions_path=path)
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="held-out predictions saved by beat_val.py --cv K --predictions")
    parser.add_argument("--submission", default="cnn1d-context", help="without files: the Keras submission to cross-validate")
    parser.add_argument("--seeds", default="0,1", help="without files: comma-separated seeds")
    parser.add_argument("--tfds-dir", default=None, help="without files: built TFDS datasets (default $ECGBENCH_TFDS_DIR)")
    parser.add_argument("--ensemble", action="store_true", help="with files: average them into one seed ensemble's predictions")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    if args.ensemble and len(args.files) < 2:
        parser.error("--ensemble needs the prediction files of two or more members")
    if args.ensemble:
        names = " + ".join(path.name for path in args.files)
        results = [compare(f"mean of {names}", *averaged_members(args.files))]
    else:
        seeds = [int(seed) for seed in args.seeds.split(",")]
        results = judged(args.files, lambda paths: [compare(path.name, *held_out_beats(path)) for path in paths],
                         args.submission, seeds, args.tfds_dir)  # fmt: skip
    mean = side_means(results)
    adopt = better(mean["without"], mean["with"])
    if args.json:
        print(json.dumps({"results": results, "mean": mean, "adopt": adopt}, indent=2))
        return 0
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="AF gate on DS1 cross-validated predictions (pooled held-out beats, %)")
    for column in ("predictions", "gate", *FIGURES):
        table.add_column(column, justify="left" if column in ("predictions", "gate") else "right")
    for result in results:
        for side in ("without", "with"):
            table.add_row(result["file"], side, *(f"{result[side][name]:.2f}" for name in FIGURES))
    for side in ("without", "with"):
        table.add_row("mean", side, *(f"{mean[side][name]:.2f}" for name in FIGURES))
    console.print(table)
    for result in results:
        changes = ", ".join(f"{record}: {c['s_calls_removed']} S calls removed ({c['true_s_removed']} true S), {c['beats_in_af']} beats in AF"
                            for record, c in result["per_record"].items())  # fmt: skip
        console.print(f"{result['file']}: {changes or 'no beat held in AF'}")
    console.print(f"decision rule (module notes): adopt the gate = {adopt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
