"""DS1-only check of per-record class-prior adaptation (Saerens et al. 2002) on cross-validated beat predictions.

Why: the inter-patient SVEB figures hinge on how many S beats a record holds, and that varies
widely between patients (in DS1 from none to 12.75 % of the beats, record 209), while a network's
probabilities carry the class mix it was trained under. Saerens, Latinne and Decaestecker's EM procedure re-estimates a test set's
class priors from the classifier's own unlabelled outputs and re-weights the posteriors to them:

    q_i(c) ∝ p_i(c) · π(c) / π_train(c),   π(c) = mean_i q_i(c),   iterated from π = π_train,

here run on each record's beats alone (a patient's class mix, estimated without a label). The
runner trains the Keras baselines with ``sqrt_class_weight`` (:func:`ecgbench.runner.selection.class_weights`),
so the prior the outputs are calibrated to is ``π_train(c) ∝ count_c · w_c ∝ sqrt(count_c)``, from
the fold's training labels. The AF gate (:mod:`ecgbench.streaming.af_gate`) is applied after, as
the gated baselines apply it to their outputs, so both sides of the comparison carry it.

Decision rule, written down and committed before any result was seen: adopt the adaptation for
cnn1d-context-ensemble-afgate if on DS1's pooled held-out beats (EC57 gross figures, the runner's
scorer) BOTH (a) its ensemble-seed-0 predictions (mean of the cnn1d-context seeds 0, 1 and 2
cross-validations, its members) AND (b) the mean over those three single-seed prediction sets
show a higher SVEB F1 with the adaptation than without it and a macro-F1 of N, S and V that is not
lower. Only this one variant (plain EM, no smoothing, tolerance 1e-6, at most 1,000 iterations) is
judged; no variant is tried after seeing its figures.

    python -m experiments.beat_recipes.prior_adaptation_ds1 cv_seed0.npz cv_seed1.npz cv_seed2.npz [--json]
    python -m experiments.beat_recipes.prior_adaptation_ds1 [--tfds-dir DIR] [--json]

The files are ``beat_val.py --track interpatient --cv 5 --submission cnn1d-context --seed N
--predictions FILE`` outputs (8-13 min each on 2 cores); without them the three
cross-validations run here, in a temporary folder. Outcome: not adopted (see the README of
cnn1d-context-ensemble-afgate).

References
----------
Saerens M, Latinne P, Decaestecker C. Adjusting the outputs of a classifier to new a priori
probabilities: a simple procedure. Neural Computation 14(1):21-41 (2002).
"""

from __future__ import annotations

import json
import sys

import numpy as np
from experiments.beat_recipes.af_gate_ds1 import FIGURES, ensemble_and_seeds, judged, seed_files_arguments
from experiments.beat_recipes.beat_val import SAMPLING_RATE, subject_folds, val_figures

from ecgbench.records import AAMI_CLASSES
from ecgbench.streaming.af_gate import gate_supraventricular

N_FOLDS = 5


def adapt_priors(probabilities: np.ndarray, train_prior: np.ndarray, tolerance: float = 1e-6, max_iter: int = 1000):
    """Saerens-Latinne-Decaestecker EM: posteriors re-weighted to the priors estimated from them.

    Parameters
    ----------
    probabilities : numpy.ndarray
        ``[beats, classes]`` posteriors of one record under ``train_prior``.
    train_prior : numpy.ndarray
        ``[classes]`` prior the posteriors are calibrated to (sums to 1; 0 for absent classes).

    Returns
    -------
    adapted : numpy.ndarray
        ``[beats, classes]`` posteriors under the estimated prior, float32.
    prior : numpy.ndarray
        ``[classes]`` the estimated prior.
    """
    p = probabilities.astype(np.float64)
    ratio_base = np.where(train_prior > 0, 1.0 / np.maximum(train_prior, 1e-300), 0.0)

    def reweighted(prior: np.ndarray) -> np.ndarray:
        weighted = p * (prior * ratio_base)
        return weighted / np.maximum(weighted.sum(axis=1, keepdims=True), 1e-300)

    prior = train_prior.astype(np.float64)
    for _ in range(max_iter):
        new_prior = reweighted(prior).mean(axis=0)
        converged = np.max(np.abs(new_prior - prior)) < tolerance
        prior = new_prior
        if converged:
            break
    return reweighted(prior).astype(np.float32), prior


def fold_train_priors(record: np.ndarray, label: np.ndarray) -> dict[str, np.ndarray]:
    """Each record's ``π_train``: ``sqrt(count)`` of its cross-validation fold's training labels, normalised.

    Fold i is held out, fold i + 1 validates and the others train (``beat_val.cross_validate``).
    """
    folds = subject_folds(np.unique(record).tolist(), N_FOLDS)
    priors = {}
    for i, held_out in enumerate(folds):
        train = [r for j, fold in enumerate(folds) if j not in (i, (i + 1) % N_FOLDS) for r in fold]
        counts = np.bincount(label[np.isin(record, train)], minlength=len(AAMI_CLASSES)).astype(np.float64)
        weights = np.sqrt(counts)
        for r in held_out:
            priors[r] = weights / weights.sum()
    return priors


def compare(name: str, beats, probabilities: np.ndarray) -> dict:
    """Gated figures without and with per-record prior adaptation, and each record's estimated S prior."""
    priors = fold_train_priors(beats.record, beats.label)
    adapted = probabilities.copy()
    s = AAMI_CLASSES.index("S")
    per_record = {}
    for record in np.unique(beats.record).tolist():
        mine = beats.record == record
        adapted[mine], prior = adapt_priors(probabilities[mine], priors[record])
        per_record[record] = {"s_prior": round(float(prior[s]), 4), "true_s_share": round(float((beats.label[mine] == s).mean()), 4),
                              "s_calls_before": int((probabilities[mine].argmax(1) == s).sum()),
                              "s_calls_after": int((adapted[mine].argmax(1) == s).sum())}  # fmt: skip
    gated_without, _ = gate_supraventricular(probabilities, beats.record, beats.sample, SAMPLING_RATE)
    gated_with, _ = gate_supraventricular(adapted, beats.record, beats.sample, SAMPLING_RATE)
    return {"file": name, "without": val_figures(beats, gated_without), "with": val_figures(beats, gated_with), "per_record": per_record}


def main(argv: list[str] | None = None) -> int:
    args = seed_files_arguments(__doc__.splitlines()[0], 3, "cnn1d-context seeds 0, 1, 2: beat_val.py --cv 5 --predictions files", argv)
    result = judged(args.files, lambda files: ensemble_and_seeds(files, compare), "cnn1d-context", [0, 1, 2], args.tfds_dir)
    ensemble, singles, mean, adopt = (result[key] for key in ("ensemble", "singles", "single_mean", "adopt"))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="Per-record prior adaptation on DS1 cross-validated predictions, AF gate after (pooled held-out beats, %)")
    for column in ("predictions", "adaptation", *FIGURES):
        table.add_column(column, justify="left" if column in ("predictions", "adaptation") else "right")
    for row in (ensemble, *singles):
        for side in ("without", "with"):
            table.add_row(row["file"], side, *(f"{row[side][name]:.2f}" for name in FIGURES))
    for side in ("without", "with"):
        table.add_row("mean of the single seeds", side, *(f"{mean[side][name]:.2f}" for name in FIGURES))
    console.print(table)
    records = Table(title="Ensemble seed 0, per record: estimated S prior against the true S share; S calls before → after adaptation")
    for column in ("record", "S prior", "true S share", "S calls"):
        records.add_column(column, justify="left" if column == "record" else "right")
    for record, row in ensemble["per_record"].items():
        records.add_row(record, f"{row['s_prior']:.4f}", f"{row['true_s_share']:.4f}", f"{row['s_calls_before']} → {row['s_calls_after']}")
    console.print(records)
    console.print(f"decision rule (module notes): adopt the adaptation = {adopt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
