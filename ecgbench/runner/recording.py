"""Step 4 of every runner (beat and rhythm tracks): write the prediction arrays and the run record.

One place (:func:`write_run`) builds the schema-1 run record (:mod:`ecgbench.leaderboard.record`)
so every track's records, and those of submitted trained-model files
(:mod:`ecgbench.runner.model_file`), carry the same provenance, hashes and layout.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.leaderboard import provenance
from ecgbench.leaderboard.record import SCHEMA_VERSION, make_run_id, write_predictions, write_run_record_with
from ecgbench.models import BeatArrays, LoadedSubmission, Recipe
from ecgbench.paths import resolve_results_dir
from ecgbench.runner.artifacts import no_artifacts
from ecgbench.runner.data import TrackData
from ecgbench.runner.evaluate import BOOTSTRAP_CONFIDENCE


def record_run(*, loaded: LoadedSubmission, recipe: Recipe, data: TrackData, **run: Any) -> tuple[dict[str, Any], Path, Path]:
    """Write ``<results_dir>/<task>/<run_id>.npz`` and ``.json`` of a trained submission.

    Fills the ``submission``, ``recipe``, ``seed`` and ``dataset`` blocks from what ran, with which
    recipe and on which data, and writes through :func:`write_run`.

    Parameters
    ----------
    loaded, recipe, data
        What ran, with which recipe, on which data (``data.test`` is the predicted split).
    **run
        The other keyword arguments of :func:`write_run` (``task``, ``quick``, ``probabilities``,
        ``metrics``, ``bootstrap_resamples``, ``training``, ``started_at``, ``clock``,
        ``results_dir`` and the optional ones).

    Returns
    -------
    (dict, pathlib.Path, pathlib.Path)
        ``(record, record_path, predictions_path)``.
    """
    submission = {
        "name": loaded.name,
        "source": loaded.source,
        "kind": loaded.kind,
        "sha256": provenance.sha256_files(loaded.files, root=loaded.folder),
    }
    dataset = {**data.dataset, "splits": data.splits, "n_beats": data.n_beats()}
    return write_run(submission=submission, recipe=recipe.to_dict(), seed=recipe.seed, dataset=dataset, test=data.test, **run)


def write_run(
    *,
    submission: dict[str, Any],
    recipe: dict[str, Any],
    seed: int,
    task: str,
    quick: bool,
    dataset: dict[str, Any],
    test: BeatArrays,
    probabilities: np.ndarray,
    metrics: dict[str, Any],
    bootstrap_resamples: int,
    training: dict[str, Any],
    started_at: datetime,
    clock: float,
    results_dir: str | os.PathLike | None,
    command: str | None = None,
    extra: dict[str, Any] | None = None,
    save_artifacts: Callable[[Path], dict[str, Any]] | None = None,
    artifacts_note: str = "this run saves no trained model",
) -> tuple[dict[str, Any], Path, Path]:
    """Write ``<results_dir>/<task>/<run_id>.npz`` and ``.json``; return ``(record, record_path, predictions_path)``.

    Parameters
    ----------
    submission : dict
        The record's ``submission`` block (``name``, ``source``, ``kind``, ``sha256`` …); its name
        and ``seed`` name the run.
    recipe : dict
        The record's ``recipe`` block (empty for a trained-model file).
    seed : int
        The run's seed, also the seed of the bootstrap.
    task, quick
        Leaderboard task; whether the run is a smoke test.
    dataset : dict
        The record's ``dataset`` block (identity, ``splits``, ``n_beats``).
    test : BeatArrays
        The test beats or windows the probabilities belong to.
    probabilities : numpy.ndarray
        ``[n_test, n_classes]`` predicted probabilities.
    metrics : dict
        ``{metric: {"value", "ci_low", "ci_high"}}``.
    bootstrap_resamples : int
        Number of subject-level bootstrap resamples behind the intervals.
    training : dict
        The run record's ``training`` block.
    started_at : datetime
        UTC start time (names the run).
    clock : float
        ``time.perf_counter()`` at the start (for ``wall_time_s``).
    command : str, optional
        The command to record; default the current process's command line.
    extra : dict, optional
        Additional top-level keys (e.g. the rhythm track's ``class_names``).
    save_artifacts : callable, optional
        ``(folder) -> artifacts block``: writes the trained model into ``<results_dir>/<task>/<run_id>/``
        (:func:`ecgbench.runner.artifacts.save_keras_artifacts`); without it the record's ``artifacts``
        block says ``artifacts_note``.
    """
    run_id = make_run_id(submission["name"], seed, started_at)
    results_dir = resolve_results_dir(results_dir)
    folder = results_dir / task
    predictions_path = write_predictions(folder / f"{run_id}.npz", test.record, test.sample, test.label, probabilities)
    artifacts_folder = folder / run_id
    try:
        artifacts = save_artifacts(artifacts_folder) if save_artifacts is not None else no_artifacts(artifacts_note)
    except BaseException:
        predictions_path.unlink(missing_ok=True)
        raise
    record = {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "task": task,
        "quick": bool(quick),
        "submission": submission,
        "recipe": recipe,
        "seed": seed,
        "dataset": dataset,
        "metrics": metrics,
        "bootstrap": {
            "n_resamples": bootstrap_resamples,
            "confidence": BOOTSTRAP_CONFIDENCE,
            "seed": seed,
            "unit": "subject",
        },
        "predictions": {
            "file": predictions_path.name,
            "sha256": provenance.sha256_file(predictions_path),
            "n_beats": int(len(test)),
        },
        "training": training,
        "artifacts": artifacts,
        "provenance": provenance.run_provenance(started_at, time.perf_counter() - clock, command),
        **(extra or {}),
    }
    record_path = write_run_record_with(record, results_dir, predictions_path, artifacts_folder)
    return record, record_path, predictions_path
