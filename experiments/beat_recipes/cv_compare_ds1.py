"""DS1-only comparison of two recipes of a gated seed ensemble from their cross-validated predictions.

Each side is three ``beat_val.py --track interpatient --cv 5 --predictions FILE`` files, seeds 0, 1
and 2 of a single-network recipe: the members of that recipe's ensemble seed 0
(:func:`ecgbench.runner.ensemble.member_seeds`). The AF gate (:mod:`ecgbench.streaming.af_gate`)
is applied to every prediction set, as cnn1d-context-ensemble-afgate applies it. Figures are
EC57 gross statistics on DS1's pooled held-out beats (the runner's scorer, paced records
excluded) and the runner's selection score, macro-F1 of N, S and V.

Decision rule, fixed before any result was seen: the candidate replaces the baseline recipe if
BOTH (a) its ensemble (the mean of its three files) AND (b) the mean over its three single-seed
sets show a higher SVEB F1 than the baseline's and a macro-F1 N/S/V that is not lower.

First application (2026-12-06, committed while the candidate's cross-validation ran and before
any of its folds was read): the look-ahead RR intervals for cnn1d-context-ensemble-afgate. Its
networks are causal (``options.rr_features`` leaves out ``rr_post`` and ``rr_post_ratio`` so that a
stream labels a beat before the next one arrives); the beat track is scored offline, and the
interval after a premature beat (the compensatory pause) is a standard inter-patient SVEB feature
(de Chazal et al. 2004). Candidate: cnn1d-context with all seven RR features,
``--set 'options.rr_features=["rr_pre","rr_post","rr_local","rr_average","rr_pre_ratio","rr_post_ratio","rr_local_ratio"]'``.
Outcome: not adopted (see the README of cnn1d-context-ensemble-afgate).

Second application (2026-12-06, committed before the candidate's cross-validations started): the
second lead. The networks read MLII only (lead 0; V5 in record 114), because lead 1 is V1 in most
records but V2, V4 or V5 in others. De Chazal et al. (2004) and Mondéjar-Guerra et al. (2019)
took features from both leads, and an atrial premature beat's abnormal P wave is often clearest
in V1. Candidate: cnn1d-context with both leads of the beat and of its predecessor,
``--set 'options.leads=[0,1,2,3]'`` (the recipe's intra-patient block already reads them). Same
rule, same baseline files. Outcome: not adopted (the ensemble's SVEB F1 45.60 → 44.86, although
macro-F1 rose 66.92 → 75.20 and VEB F1 62.11 → 85.59; see the README of
cnn1d-context-ensemble-afgate).

    python -m experiments.beat_recipes.cv_compare_ds1 --baseline b0.npz b1.npz b2.npz --candidate c0.npz c1.npz c2.npz [--json]
    python -m experiments.beat_recipes.cv_compare_ds1 [--application look-ahead-rr|both-leads] [--tfds-dir DIR] [--json]

Without files it runs the six cross-validations of an application itself (cnn1d-context seeds
0-2 as committed and with the candidate change, about 9 min each on 2 cores) in a temporary
folder.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology
and heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
Mondéjar-Guerra V et al. Heartbeat classification fusing temporal and morphological information of
ECGs via ensemble of classifiers. Biomed Signal Process Control 47:41-48 (2019).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from experiments.beat_recipes.af_gate_ds1 import FIGURES, averaged_members, better, cross_validated_predictions, held_out_beats
from experiments.beat_recipes.beat_val import SAMPLING_RATE, parse_changes, val_figures

from ecgbench.data.rr import RR_FEATURE_NAMES
from ecgbench.streaming.af_gate import gate_supraventricular

#: The baseline recipe of every application: cnn1d-context as committed.
SUBMISSION = "cnn1d-context"
#: Each application's candidate change to it (a ``beat_val.py --set`` argument).
CANDIDATE_CHANGES = {
    "look-ahead-rr": f"options.rr_features={json.dumps(list(RR_FEATURE_NAMES))}",
    "both-leads": "options.leads=[0,1,2,3]",
}
SEEDS = [0, 1, 2]


def gated_figures(beats, probabilities: np.ndarray) -> dict:
    """Figures of one prediction set after the AF gate."""
    gated, _ = gate_supraventricular(probabilities, beats.record, beats.sample, SAMPLING_RATE)
    return val_figures(beats, gated)


def side_figures(paths: list[Path]) -> dict:
    """One recipe's gated figures: its ensemble, each seed, and the mean over the seeds."""
    singles = [gated_figures(*held_out_beats(path)) for path in paths]
    return {
        "ensemble": gated_figures(*averaged_members(paths)),
        "singles": singles,
        "single_mean": {name: float(np.mean([s[name] for s in singles])) for name in FIGURES},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", nargs=3, type=Path, help="the current recipe's seed 0, 1, 2 files")
    parser.add_argument("--candidate", nargs=3, type=Path, help="the candidate recipe's seed 0, 1, 2 files")
    parser.add_argument("--application", choices=sorted(CANDIDATE_CHANGES), default="look-ahead-rr",
                        help="without files: whose candidate change to cross-validate")  # fmt: skip
    parser.add_argument("--tfds-dir", default=None, help="without files: built TFDS datasets (default $ECGBENCH_TFDS_DIR)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if (args.baseline is None) != (args.candidate is None):
        parser.error("give both --baseline and --candidate files, or neither (then the cross-validations run here)")
    if args.baseline is not None:
        sides = {"baseline": side_figures(args.baseline), "candidate": side_figures(args.candidate)}
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            baseline = cross_validated_predictions(SUBMISSION, SEEDS, args.tfds_dir, Path(folder))
            candidate = cross_validated_predictions(
                SUBMISSION, SEEDS, args.tfds_dir, Path(folder), changes=parse_changes([CANDIDATE_CHANGES[args.application]]), tag="-candidate"
            )
            sides = {"baseline": side_figures(baseline), "candidate": side_figures(candidate)}
    adopt = better(sides["baseline"]["ensemble"], sides["candidate"]["ensemble"]) and better(
        sides["baseline"]["single_mean"], sides["candidate"]["single_mean"]
    )
    if args.json:
        print(json.dumps({**sides, "adopt": adopt}, indent=2))
        return 0
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="DS1 5-fold cross-validation, pooled held-out beats, AF gate on (%)")
    for column in ("recipe", "predictions", *FIGURES):
        table.add_column(column, justify="left" if column in ("recipe", "predictions") else "right")
    for side, figures in sides.items():
        rows = [("ensemble (mean of the three)", figures["ensemble"])]
        rows += [(f"seed {i}", single) for i, single in enumerate(figures["singles"])]
        rows.append(("mean of the single seeds", figures["single_mean"]))
        for label, row in rows:
            table.add_row(side, label, *(f"{row[name]:.2f}" for name in FIGURES))
    console.print(table)
    console.print(f"decision rule (module notes): adopt the candidate = {adopt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
