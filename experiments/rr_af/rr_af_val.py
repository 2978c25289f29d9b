"""Validation-only check of the rr-af RR-periodicity option (bigeminy / trigeminy vs AF).

``ecgbench/baselines/rr-af`` is fitted twice on the 10-s ``mitdb/rhythm`` ``train`` split, with the same
recipe except ``options["periodicity"]`` (false: the feature set without it; true, as in ``recipe.json``: plus
:func:`ecgbench.signal.rr_periodicity.rr_periodicity_features`), each time with the submission's
own (``af_C`` × ``grid``) selection on ``val``. Both variants are then scored on ``val`` with the
leaderboard's figures (:func:`ecgbench.runner.rhythm_evaluate.confusion_figures`): accuracy,
macro-F1 over the classes present in ``val``, AF-vs-rest sensitivity and specificity, and the
confusion rows (window counts) of N, AFIB, B (bigeminy) and T (trigeminy).

Only the ``train`` and ``val`` splits are read; the ``test`` split is never loaded. No refit on
``train ∪ val`` (that would score ``val`` on its own training data). Window features are computed
once (beats detected on lead 0) and shared by both variants.

Usage::

    python -m experiments.rr_af.rr_af_val --tfds-dir /tmp/ecgb_card
    python -m experiments.rr_af.rr_af_val --tfds-dir /tmp/ecgb_card --json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ecgbench.models import InputSpec
from ecgbench.models.loader import load_submission
from ecgbench.records import RHYTHM_CLASSES
from ecgbench.runner.rhythm_data import SAMPLING_RATE, load_rhythm_splits, rhythm_window_spec
from ecgbench.runner.rhythm_evaluate import confusion_figures

SUBMISSION = "rr-af"
WINDOW_S = 10.0
#: The only splits this script reads.
SPLITS = ("train", "val")
#: Variant name → value of ``options["periodicity"]``.
VARIANTS: dict[str, bool] = {"without periodicity": False, "with periodicity": True}
#: Classes whose ``val`` confusion rows are printed.
ROW_CLASSES = ("N", "AFIB", "B", "T")
#: Figures printed (keys of :func:`confusion_figures`, percent).
FIGURES = ("accuracy", "macro_f1", "af.se", "af.sp", "af.ppv")


def window_feature_cache(module, splits: dict, options: dict) -> dict[tuple[str, int], np.ndarray]:
    """Every window's full feature row (both variants' columns), keyed like the submission's cache."""
    from rich.progress import Progress

    from ecgbench.cli._common import err_console

    qrs_method, lead = options.get("qrs_method", "ecgbench"), int(options.get("lead", 0))
    cache: dict[tuple[str, int], np.ndarray] = {}
    total = sum(len(arrays) for arrays in splits.values())
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("window features", total=total)
        for arrays in splits.values():
            for window, record, sample in zip(arrays.signal, arrays.record.tolist(), arrays.sample.tolist(), strict=True):
                cache[(str(record), int(sample))] = module.window_features(window, SAMPLING_RATE, qrs_method, lead)
                progress.advance(task)
    return cache


def _counts(records: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(records, return_counts=True)
    return {str(name): int(count) for name, count in zip(names.tolist(), counts.tolist(), strict=True)}


def evaluate_variant(loaded, spec: InputSpec, splits: dict, cache: dict, periodicity: bool) -> dict:
    """Fit one variant on ``train`` (selection on ``val``) and return its ``val`` figures."""
    recipe = loaded.recipe.merged({"options": {"periodicity": periodicity}}, source=str(loaded.recipe_path))
    submission = loaded.module.Submission(spec)
    submission._cache = cache  # shared, precomputed features: beats are detected once for both variants
    train, val = splits["train"], splits["val"]
    submission.fit(train, val, recipe)
    predicted = submission.predict(val).argmax(axis=1)
    k = len(RHYTHM_CLASSES)
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (val.label, predicted), 1)
    figures = confusion_figures(confusion, RHYTHM_CLASSES)
    setting, params = submission.chosen
    af = RHYTHM_CLASSES.index("AFIB")
    false_alarms = val.record[(predicted == af) & (val.label != af)]
    missed = val.record[(predicted != af) & (val.label == af)]
    return {
        "periodicity": periodicity,
        "chosen": {**setting, **params},
        "figures": {name: round(float(figures[name]), 2) for name in FIGURES},
        "rows": {name: confusion[RHYTHM_CLASSES.index(name)].tolist() for name in ROW_CLASSES},
        "af_false_alarms_by_record": _counts(false_alarms),
        "af_missed_by_record": _counts(missed),
        "selection": submission.selection,
    }


def print_tables(results: dict[str, dict]) -> None:
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title=f"{SUBMISSION} on val (10-s windows, fitted on train; %)")
    table.add_column("variant")
    table.add_column("chosen")
    for name in FIGURES:
        table.add_column(name, justify="right")
    for variant, result in results.items():
        chosen = ", ".join(f"{key}={value}" for key, value in result["chosen"].items())
        table.add_row(variant, chosen, *(f"{result['figures'][name]:.1f}" for name in FIGURES))
    console.print(table)

    rows = Table(title="val confusion rows (windows; rows true, columns predicted)")
    rows.add_column("variant")
    rows.add_column("true")
    for name in RHYTHM_CLASSES:
        rows.add_column(name, justify="right")
    for variant, result in results.items():
        for name in ROW_CLASSES:
            rows.add_row(variant, name, *(str(count) for count in result["rows"][name]))
    console.print(rows)
    for variant, result in results.items():
        console.print(f"{variant}: AF false alarms by record {result['af_false_alarms_by_record']}; "
                      f"missed AF by record {result['af_missed_by_record']}")


def development_data(description: str):
    """Parse ``--tfds-dir`` / ``--json``, then load rr-af, the ``train`` and ``val`` windows (never ``test``) and their features.

    Returns ``(args, loaded submission, splits, input spec, feature cache, seconds spent on features)``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--tfds-dir", default=None, help="folder of the built TFDS datasets (mitdb/rhythm; default $ECGBENCH_TFDS_DIR)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of tables")
    args = parser.parse_args()
    loaded = load_submission(SUBMISSION)
    splits = load_rhythm_splits(WINDOW_S, args.tfds_dir, roles=SPLITS)
    spec = rhythm_window_spec(splits["train"], SAMPLING_RATE)
    start = time.perf_counter()
    cache = window_feature_cache(loaded.module, splits, loaded.recipe.options)
    return args, loaded, splits, spec, cache, time.perf_counter() - start


def main() -> None:
    args, loaded, splits, spec, cache, feature_s = development_data(__doc__.splitlines()[0])
    results = {variant: evaluate_variant(loaded, spec, splits, cache, flag) for variant, flag in VARIANTS.items()}
    support = {name: int((splits["val"].label == RHYTHM_CLASSES.index(name)).sum()) for name in RHYTHM_CLASSES}
    if args.json:
        print(json.dumps({"val_support": support, "feature_seconds": round(feature_s, 1), "variants": results}, indent=2))
        return
    print_tables(results)
    print(f"val windows per class: {support}; features {feature_s:.0f} s (machine shared; timing noisy)")


if __name__ == "__main__":
    main()
