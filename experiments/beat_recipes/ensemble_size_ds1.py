"""DS1-only check of a larger seed ensemble for cnn1d-context-ensemble-afgate: five members instead of three.

A seed ensemble's held-out predictions on DS1 are the mean of its members' single-seed
cross-validations (``beat_val.py --track interpatient --cv 5 --submission cnn1d-context --seed N
--predictions FILE``; :func:`af_gate_ds1.averaged_members`). Ensemble seed 0 with K members has
the members of seeds 0 … K - 1 (:func:`ecgbench.runner.ensemble.member_seeds`), so the three-member
ensemble's files are the first three of the five-member one's. Averaging more independently
trained networks lowers the variance of the averaged probabilities (Lakshminarayanan et al. 2017);
the question is whether it also helps SVEB detection on unseen patients, the weakest figure of the
current best baseline (its seed spread on DS2 is 62.15-76.25 SVEB F1).

Decision rule, written down and committed before the fourth and fifth members' cross-validations
were read: adopt ``options.ensemble: 5`` if, on DS1's pooled held-out beats with the AF gate
(:mod:`ecgbench.streaming.af_gate`) applied as the baseline applies it, the five-member ensemble
has a higher SVEB F1 than the three-member one and a macro-F1 of N, S and V that is not lower.

    python -m experiments.beat_recipes.ensemble_size_ds1 s0.npz s1.npz s2.npz s3.npz s4.npz [--json]
    python -m experiments.beat_recipes.ensemble_size_ds1 [--tfds-dir DIR] [--json]

Without files the five cross-validations run here (about 9 min each on 2 cores). Outcome: not
adopted (SVEB F1 45.60 with three members, 44.04 with five; see the README of
cnn1d-context-ensemble-afgate).

References
----------
Lakshminarayanan B, Pritzel A, Blundell C. Simple and scalable predictive uncertainty estimation
using deep ensembles. Advances in Neural Information Processing Systems 30 (2017).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from experiments.beat_recipes.af_gate_ds1 import FIGURES, averaged_members, better, judged, seed_files_arguments
from experiments.beat_recipes.cv_compare_ds1 import gated_figures

SUBMISSION = "cnn1d-context"
SIZES = (3, 5)


def main(argv: list[str] | None = None) -> int:
    args = seed_files_arguments(__doc__.splitlines()[0], max(SIZES), "cnn1d-context seeds 0-4: beat_val.py --cv 5 --predictions files, in seed order", argv)

    def judge(files: list[Path]) -> dict[int, dict]:
        return {size: gated_figures(*averaged_members(files[:size])) for size in SIZES}

    figures = judged(args.files, judge, SUBMISSION, list(range(max(SIZES))), args.tfds_dir)
    adopt = better(figures[SIZES[0]], figures[SIZES[1]])
    if args.json:
        print(json.dumps({"figures": {str(size): row for size, row in figures.items()}, "adopt": adopt}, indent=2))
        return 0
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="Seed ensembles of cnn1d-context on DS1 5-fold cross-validation, AF gate on (pooled held-out beats, %)")
    for column in ("members", *FIGURES):
        table.add_column(column, justify="right")
    for size, row in figures.items():
        table.add_row(str(size), *(f"{row[name]:.2f}" for name in FIGURES))
    console.print(table)
    console.print(f"decision rule (module notes): adopt {SIZES[1]} members = {adopt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
