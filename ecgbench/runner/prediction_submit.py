"""``ecgbench submit predictions.npz --task T``: a submission made of a prediction file (any framework).

The file (:mod:`ecgbench.models.prediction_file`) is read and checked completely, matched to the
task's test split by key and scored with the runner's scorer (:mod:`ecgbench.runner.predictions`)
before anything is written. The run record then has ``submission.kind = "predictions"``, the
file's SHA-256, no recipe and no model; its prediction file (the runner's layout: ``record``,
``sample``, reference ``label``, ``probabilities`` in test-split order) lets ``leaderboard check``
recompute every figure like any other run's. Nothing can be re-run: ``ecgbench verify`` re-scores
it from the file instead (:func:`ecgbench.runner.verify.verify_run`). The record goes through the
leaderboard checks like every submission (:func:`ecgbench.runner.submit.publish`); a failure
removes it again and leaves the boards untouched.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecgbench.leaderboard import provenance
from ecgbench.leaderboard.checks import CheckSession
from ecgbench.models import SubmissionError
from ecgbench.models.prediction_file import read_prediction_file
from ecgbench.runner.beat import BeatRunResult
from ecgbench.runner.evaluate import BOOTSTRAP_RESAMPLES
from ecgbench.runner.predictions import load_reference, reference_arrays, reference_beats, score_against
from ecgbench.runner.recording import write_run
from ecgbench.runner.submit import SubmitResult, publish
from ecgbench.runner.task_facts import SCORER_EC57, TaskFacts, task_facts
from ecgbench.runner.verify import PREDICTIONS_KIND

#: The ``artifacts.note`` of a prediction-file run.
NO_MODEL_NOTE = "a prediction-file submission: no model or code was submitted, so nothing can be re-run; its metrics are re-scored from the predictions"


def dataset_identity(facts: TaskFacts, tfds_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """``name``, ``version`` and ``checksum`` of the built dataset a task's test split is read from."""
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import built_version_dir, dataset_checksum

    root = resolve_tfds_dir(tfds_dir)
    folder = built_version_dir(root, facts.config, None, facts.dataset)
    return {"name": facts.dataset_name, "version": folder.name, "checksum": dataset_checksum(root, facts.config, folder.name, facts.dataset)}


def _check_name(name: str) -> str:
    from ecgbench.models import list_baselines

    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise SubmissionError(name, "a submission name uses letters, digits, '-', '_' and '.' only; pass --name")
    if name in list_baselines():
        raise SubmissionError(name, f"{name!r} is a baseline's name; a prediction file is a submission of its own: pass another --name")
    return name


def submit_predictions(
    path: str | os.PathLike,
    *,
    task: str = "beats-interpatient",
    name: str | None = None,
    seed: int = 0,
    tfds_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    leaderboard_dir: str | os.PathLike | None = None,
    reference: dict | None = None,
    dataset: dict[str, Any] | None = None,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    session: CheckSession | None = None,
    command: str | None = None,
    on_stage=None,
) -> SubmitResult:
    """Score, record, check and publish one prediction file.

    Parameters
    ----------
    path : path-like
        The ``.npz`` or ``.csv`` prediction file (format: ``leaderboards/SUBMITTING.md``).
    task : str
        The task the predictions are for.
    name : str, optional
        Submission name on the board; default the file's stem. A baseline's name is refused.
    seed : int
        The seed the submitter trained with (runs of one submission are ranked by their mean
        over seeds); also the bootstrap seed, as in every run record.
    tfds_dir : path-like, optional
        Built TFDS datasets (reference labels and dataset identity).
    results_dir : path-like, optional
        Root of the results tree (default :func:`ecgbench.paths.resolve_results_dir`).
    leaderboard_dir : path-like, optional
        Where the rendered files go (default the parent of ``results_dir``).
    reference, dataset : dict, optional
        The test split's ``record``/position/``label`` arrays and the dataset identity, instead of
        reading the built dataset (tests).
    bootstrap_resamples : int
        Subject-level bootstrap resamples.
    session : CheckSession, optional
        Check settings (default: the published checksums and the local dataset).
    command : str, optional
        Command to record.

    Raises
    ------
    SubmissionError
        The file is malformed or does not cover exactly the test split (nothing is written), or
        the record fails a leaderboard check (it is removed again).
    """
    stage = on_stage or (lambda step: None)
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    facts = task_facts(task)
    path = Path(path)
    name = _check_name(path.stem if name is None else name)
    stage("read")
    predictions = read_prediction_file(path, facts.class_names, facts.position_key)
    reference = reference_arrays(facts, reference) if reference is not None else load_reference(facts, tfds_dir)
    stage("score")
    scored = score_against(facts, reference, predictions, n_resamples=bootstrap_resamples, seed=seed, source=str(path))
    identity = dict(dataset) if dataset is not None else dataset_identity(facts, tfds_dir)
    declared = {role: split for role, split in facts.splits.items() if split and role != "test"}
    test = reference_beats(facts, reference)
    extra = None
    if facts.scorer != SCORER_EC57:
        from ecgbench.runner.rhythm_evaluate import AHA_GOALS, test_support

        extra = {"class_names": list(facts.class_names), "aha_goals": dict(AHA_GOALS), "test_support": test_support(test.label, facts.class_names)}
    stage("record")
    record, record_path, predictions_path = write_run(
        submission={"name": name, "source": str(path), "kind": PREDICTIONS_KIND, "sha256": provenance.sha256_file(path),
                    "form": predictions.form},
        recipe={}, seed=int(seed), task=task, quick=False,
        dataset={**identity, "splits": {**declared, "test": facts.splits["test"]}, "n_beats": {"test": len(test)}},
        test=test, probabilities=scored.probabilities, metrics=scored.metrics, bootstrap_resamples=bootstrap_resamples,
        training={"pretrained": True, "note": "trained outside ecgbench; the training splits are those the task allows, as declared by the submitter"},
        started_at=started_at, clock=clock, results_dir=results_dir, command=command, extra=extra, artifacts_note=NO_MODEL_NOTE,
    )  # fmt: skip
    run = BeatRunResult(record=record, record_path=record_path, predictions_path=predictions_path, ec57=scored.report)
    report, rendered = publish(run, tfds_dir=tfds_dir, results_dir=results_dir, leaderboard_dir=leaderboard_dir, session=session, on_stage=stage)
    return SubmitResult(run=run, report=report, rendered=rendered)
