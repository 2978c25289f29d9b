"""Step 4 of every runner (beat and rhythm tracks): write the prediction arrays and the run record.

One place builds the schema-1 run record (:mod:`ecgbench.leaderboard.record`) so both tracks'
records carry the same provenance, hashes and layout.
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
from ecgbench.models import LoadedSubmission, Recipe
from ecgbench.runner.artifacts import no_artifacts
from ecgbench.runner.data import TrackData
from ecgbench.runner.evaluate import BOOTSTRAP_CONFIDENCE


def record_run(
    *,
    loaded: LoadedSubmission,
    recipe: Recipe,
    task: str,
    quick: bool,
    data: TrackData,
    probabilities: np.ndarray,
    metrics: dict[str, Any],
    bootstrap_resamples: int,
    training: dict[str, Any],
    started_at: datetime,
    clock: float,
    results_dir: str | os.PathLike,
    command: str | None = None,
    extra: dict[str, Any] | None = None,
    save_artifacts: Callable[[Path], dict[str, Any]] | None = None,
    artifacts_note: str = "this run saves no trained model",
) -> tuple[dict[str, Any], Path, Path]:
    """Write ``<results_dir>/<task>/<run_id>.npz`` and ``.json``; return ``(record, record_path, predictions_path)``.

    Parameters
    ----------
    loaded, recipe, task, quick, data
        What ran, with which recipe, on which data.
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
    run_id = make_run_id(loaded.name, recipe.seed, started_at)
    folder = Path(results_dir) / task
    predictions_path = write_predictions(
        folder / f"{run_id}.npz", data.test.record, data.test.sample, data.test.label, probabilities
    )
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
        "submission": {
            "name": loaded.name,
            "source": loaded.source,
            "kind": loaded.kind,
            "sha256": provenance.sha256_files(loaded.files, root=loaded.folder),
        },
        "recipe": recipe.to_dict(),
        "seed": recipe.seed,
        "dataset": {**data.dataset, "splits": data.splits, "n_beats": data.n_beats()},
        "metrics": metrics,
        "bootstrap": {
            "n_resamples": bootstrap_resamples,
            "confidence": BOOTSTRAP_CONFIDENCE,
            "seed": recipe.seed,
            "unit": "subject",
        },
        "predictions": {
            "file": predictions_path.name,
            "sha256": provenance.sha256_file(predictions_path),
            "n_beats": int(len(data.test)),
        },
        "training": training,
        "artifacts": artifacts,
        "provenance": provenance.run_provenance(started_at, time.perf_counter() - clock, command),
        **(extra or {}),
    }
    record_path = write_run_record_with(record, results_dir, predictions_path, artifacts_folder)
    return record, record_path, predictions_path
