"""Evaluate a trained model file (``.keras``, SavedModel, ``.onnx``) on a beat track's test split.

No training happens: the manifest (:mod:`ecgbench.models.manifest`) names the task, the inputs and
the normaliser; the model predicts the test split once; the predictions are scored exactly like
a trained baseline's (:func:`ecgbench.runner.evaluate.score_predictions`) and written as a schema-1
run record with ``submission.kind`` = the model kind.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ecgbench.leaderboard import provenance
from ecgbench.models import BeatArrays, SubmissionError, check_probabilities
from ecgbench.models.manifest import Manifest, read_manifest
from ecgbench.models.model_file import check_model_inputs, load_model_file
from ecgbench.runner.beat import BeatRunResult
from ecgbench.runner.data import DATASET_NAME, TRACKS, TrackData, beat_arrays, interval_fields
from ecgbench.runner.evaluate import BOOTSTRAP_RESAMPLES, score_predictions
from ecgbench.runner.recording import write_run

#: Task → track name of :data:`ecgbench.runner.data.TRACKS`.
TASK_TRACKS: dict[str, str] = {task: track for track, (task, *_rest) in TRACKS.items()}


def load_test_split(task: str, tfds_dir: str | os.PathLike | None = None) -> tuple[BeatArrays, str, dict[str, Any], float]:
    """Return ``(test beats, split name, dataset identity, sampling rate)`` of a task from the built dataset."""
    from ecgbench.data import load_split, to_numpy
    from ecgbench.data.loading import dataset_dir
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import dataset_checksum

    test_split = TRACKS[TASK_TRACKS[task]][3]
    folder = dataset_dir("beats", tfds_dir)
    test = beat_arrays(to_numpy(load_split(test_split, "beats", tfds_dir)))
    identity = {"name": DATASET_NAME, "version": folder.name, "checksum": dataset_checksum(resolve_tfds_dir(tfds_dir), "beats", folder.name)}
    return test, test_split, identity, 360.0


def model_features(manifest: Manifest, beats: BeatArrays) -> dict[str, np.ndarray]:
    """The declared inputs of the test beats: physical units, or normalised with the manifest's normaliser."""
    if manifest.normalizer is None:
        features = {"signal": beats.signal.astype(np.float32), "rr": beats.rr.astype(np.float32)}
    else:
        from ecgbench.data.normalization import Normalizer

        features = normalized_features(Normalizer.from_dict(manifest.normalizer), beats)
    return {name: features[name] for name in manifest.inputs}


def normalized_features(normalizer, beats: BeatArrays) -> dict[str, np.ndarray]:
    """A trained model's inputs ``{"signal", "rr"}`` for whole records' beats, as the runner built them.

    The beat context (``normalizer.context``) and derived RR columns (``normalizer.derived_rr``)
    are built from ``beats`` themselves (each record must be whole), then the fitted normaliser
    is applied.
    """
    from ecgbench.runner.data import context_parts, derived_rr_parts

    if normalizer.context is not None:  # the model was trained with a beat context: build it from these beats
        beats = context_parts([beats], normalizer.context)[0]
    if normalizer.derived_rr:  # and derived RR columns likewise
        beats = derived_rr_parts([beats])[0]
    return normalizer.transform_arrays(interval_fields(beats))


def evaluate_model_file(
    path: str | os.PathLike,
    *,
    tfds_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    data: TrackData | None = None,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    command: str | None = None,
) -> BeatRunResult:
    """Predict a task's test split with a trained model file and write its run record.

    Parameters
    ----------
    path : path-like
        The submission folder (holding ``manifest.json``) or the manifest itself.
    tfds_dir : path-like, optional
        Built TFDS datasets (ignored when ``data`` is given).
    results_dir : path-like, optional
        Root of the results tree (default :func:`ecgbench.paths.resolve_results_dir`).
    data : TrackData, optional
        Pre-loaded splits (only ``test`` is used); tests pass small synthetic ones.
    bootstrap_resamples : int
        Record-level bootstrap resamples of the intervals (seeded with the manifest's ``seed``).
    command : str, optional
        The command to record; default the current process's command line.

    Raises
    ------
    SubmissionError
        Bad manifest, unloadable model, inputs that do not match, or bad predictions (nothing is
        written then).
    """
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    manifest = read_manifest(path)
    model = load_model_file(manifest.model_path)
    check_model_inputs(model, manifest.inputs, manifest.name)
    if data is not None:
        test, test_split, identity, fs = data.test, data.splits["test"], dict(data.dataset), data.sampling_rate
    else:
        test, test_split, identity, fs = load_test_split(manifest.task, tfds_dir)
    try:
        output = model.predict(model_features(manifest, test))
    except Exception as exc:  # runtimes raise many types for bad inputs; name the submission
        raise SubmissionError(manifest.name, f"predicting raised {type(exc).__name__}: {exc}") from exc
    probabilities = check_probabilities(output, len(test), 5, manifest.name)
    ec57, metrics = score_predictions(test, probabilities, fs, n_resamples=bootstrap_resamples, seed=manifest.seed)

    record, record_path, predictions_path = write_run(
        submission={
            "name": manifest.name,
            "source": str(path),
            "kind": model.kind,
            "sha256": provenance.sha256_files([*model.files, manifest.path], root=manifest.path.parent),
            "manifest": manifest.raw,
        },
        recipe={}, seed=manifest.seed, task=manifest.task, quick=False,
        dataset={**identity, "splits": {**manifest.trained_on, "test": test_split}, "n_beats": {"test": len(test)}},
        test=test, probabilities=probabilities, metrics=metrics, bootstrap_resamples=bootstrap_resamples,
        training={"pretrained": True, "normalizer": manifest.normalizer},
        started_at=started_at, clock=clock, results_dir=results_dir, command=command,
        artifacts_note="a submitted trained-model file: the model is the submission folder itself (hashed in submission.sha256)",
    )  # fmt: skip
    return BeatRunResult(record=record, record_path=record_path, predictions_path=predictions_path, ec57=ec57)
