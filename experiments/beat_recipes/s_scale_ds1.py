"""DS1-only check of a decision threshold for S: the gated probability of S scaled by a factor chosen on DS1.

Why: a network trained under one class mix (square-root class weights) puts its S / N boundary
where that mix puts it; SVEB F1 trades sensitivity against positive predictivity, and the
arg-max need not be the best point for unseen patients. Moving the boundary is a one-number
decision rule (equivalent to a threshold on the odds of S), so it can be chosen on held-out DS1
predictions and judged without the test set.

Candidate: after the AF gate (:mod:`ecgbench.streaming.af_gate`), multiply each beat's
probability of S by a factor ``w`` from :data:`FACTORS` (``2 ** (k / 4)``, k = -8 … 8, i.e.
0.25 … 4), renormalise, take the arg-max. ``w`` is the factor with the highest pooled SVEB F1
(ties: the factor nearest 1, so ``w = 1``, no change, wins a tie).

Judged by **nested** cross-validation, so the factor is never scored on the beats it was chosen
on: for each of the five DS1 folds of ``beat_val.py --cv 5`` (:func:`beat_val.subject_folds`),
``w`` is chosen on the other four folds' held-out predictions and applied to this fold; the
pooled figures of the five scaled folds are compared with the unscaled pooled figures.

Decision rule, written down and committed before any factor was computed: adopt the scaling if,
with the gate on both sides, (a) cnn1d-context-ensemble-afgate's ensemble seed 0 (the mean of the
cnn1d-context cross-validations of seeds 0, 1 and 2, :func:`af_gate_ds1.averaged_members`) and
(b) the mean over those three single seeds, each with its own nested choice, both have a higher
nested SVEB F1 than unscaled and a macro-F1 of N, S and V that is not lower
(:func:`af_gate_ds1.better`). If adopted, the baseline's factor is the one chosen on all five
folds of (a), and the scaled ensemble becomes a new baseline run on DS2 with seeds 0-2; if not,
DS2 is not run.

    python -m experiments.beat_recipes.s_scale_ds1 cv_seed0.npz cv_seed1.npz cv_seed2.npz [--json]
    python -m experiments.beat_recipes.s_scale_ds1 [--tfds-dir DIR] [--json]

Without files the three cross-validations run here (about 9 min each on 2 cores). Outcome: not
adopted (the ensemble's nested SVEB F1 45.60 → 41.31, macro-F1 66.92 → 65.69; see the README of
cnn1d-context-ensemble-afgate).
"""

from __future__ import annotations

import json
import sys

import numpy as np
from experiments.beat_recipes.af_gate_ds1 import FIGURES, ensemble_and_seeds, judged, seed_files_arguments
from experiments.beat_recipes.beat_val import SAMPLING_RATE, subject_folds, val_figures

from ecgbench.records import AAMI_CLASSES
from ecgbench.streaming.af_gate import gate_supraventricular

SUBMISSION = "cnn1d-context"
SEEDS = [0, 1, 2]
#: Factors tried on p(S), nearest to 1 first so that a tie keeps the arg-max unchanged.
FACTORS = tuple(sorted((2.0 ** (k / 4) for k in range(-8, 9)), key=lambda w: abs(np.log2(w))))
#: Cross-validation folds of ``beat_val.py --cv 5``.
K = 5


def scaled(probabilities: np.ndarray, factor: float) -> np.ndarray:
    """``probabilities`` with column S multiplied by ``factor`` and each row renormalised to sum to 1."""
    out = np.array(probabilities, dtype=np.float64)
    out[:, AAMI_CLASSES.index("S")] *= factor
    return (out / out.sum(axis=1, keepdims=True)).astype(np.float32)


def best_factor(beats, probabilities: np.ndarray) -> float:
    """The factor of :data:`FACTORS` with the highest pooled SVEB F1 on these beats (first of ties)."""
    f1 = [val_figures(beats, scaled(probabilities, factor))["sveb.f1"] or 0.0 for factor in FACTORS]
    return FACTORS[int(np.argmax(f1))]


def nested(name: str, beats, probabilities: np.ndarray) -> dict:
    """Unscaled and nested-scaled pooled figures of one gated prediction set ``name``, with each fold's factor."""
    gated, _ = gate_supraventricular(probabilities, beats.record, beats.sample, SAMPLING_RATE)
    out = gated.copy()
    factors = []
    for fold in subject_folds(np.unique(beats.record).tolist(), K):
        held = np.isin(beats.record, fold)
        factor = best_factor(beats.subset(~held), gated[~held])
        out[held] = scaled(gated[held], factor)
        factors.append({"held_out": fold, "factor": factor})
    return {"file": name, "without": val_figures(beats, gated), "with": val_figures(beats, out), "folds": factors,
            "factor_all_folds": best_factor(beats, gated)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = seed_files_arguments(__doc__.splitlines()[0], len(SEEDS), "cnn1d-context seeds 0-2: beat_val.py --cv 5 --predictions files, in seed order", argv)
    result = judged(args.files, lambda files: ensemble_and_seeds(files, nested), SUBMISSION, SEEDS, args.tfds_dir)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="p(S) scaled by a factor chosen on the other DS1 folds (nested; AF gate on; pooled held-out beats, %)")
    for column in ("predictions", "scaling", *FIGURES):
        table.add_column(column, justify="left" if column in ("predictions", "scaling") else "right")
    rows = [("ensemble", result["ensemble"])] + [(f"seed {seed}", s) for seed, s in zip(SEEDS, result["singles"], strict=True)]
    for name, figures in [*rows, ("single seeds, mean", result["single_mean"])]:
        for side in ("without", "with"):
            table.add_row(name, side, *(f"{figures[side][key]:.2f}" for key in FIGURES))
    console.print(table)
    for name, figures in rows:
        per_fold = ", ".join(f"{' '.join(f['held_out'])}: {f['factor']:.3g}" for f in figures["folds"])
        console.print(f"{name}: factor per held-out fold {per_fold}; on all five folds {figures['factor_all_folds']:.3g}")
    console.print(f"decision rule (module notes): adopt the scaling = {result['adopt']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
