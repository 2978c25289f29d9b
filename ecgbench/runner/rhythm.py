"""The rhythm-track runner: the beat runner's prepare → perform → evaluate → record, on rhythm windows.

Differences from :mod:`ecgbench.runner.beat` (everything else is shared):

- data: ``mitdb/rhythm*`` windows (:func:`ecgbench.runner.rhythm_data.load_rhythm_track`), classes
  :data:`ecgbench.records.RHYTHM_CLASSES`, window length chosen by ``window_s``;
- model selection: on ``val`` only, monitor ``macro_f1`` averaged over the rhythm classes present
  in ``val``;
- Keras inputs: ``{"signal": [B, window·360, 2]}`` in mV minus each lead's per-window median (no
  other normalisation; a model adds its own layers);
- scoring: :func:`ecgbench.runner.rhythm_evaluate.score_rhythm` (per-class, AF-vs-rest and
  ventricular-vs-rest figures with subject-level bootstrap intervals, AHA goals alongside);
- optional refit: with ``recipe.options["refit_on_train_val"]`` the configuration chosen on ``val``
  is trained again on ``train ∪ val`` before the test split is predicted
  (:mod:`ecgbench.runner.rhythm_refit`); the record's ``training.refit`` says on what.

The run record is the beat track's schema-1 record (:func:`ecgbench.runner.recording.record_run`)
with ``task`` = ``rhythm`` (10 s) or ``rhythm-<w>s``, plus ``class_names`` and ``aha_goals``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.models import BeatArrays, InputSpec, LoadedSubmission, Recipe
from ecgbench.runner.beat import _perform_estimator, load_with_recipe
from ecgbench.runner.data import TrackData
from ecgbench.runner.evaluate import BOOTSTRAP_CONFIDENCE, BOOTSTRAP_RESAMPLES
from ecgbench.runner.keras_trainer import EpochCallback, predict_keras, train_keras
from ecgbench.runner.recording import record_run
from ecgbench.runner.rhythm_data import (
    DEFAULT_WINDOW_S,
    check_subject_disjoint,
    load_rhythm_track,
    rhythm_input_spec,
    rhythm_task,
)
from ecgbench.runner.rhythm_evaluate import AHA_GOALS, score_rhythm, test_support
from ecgbench.runner.rhythm_refit import refit_keras, refit_requested, train_val_arrays


@dataclass(frozen=True)
class RhythmRunResult:
    """What a finished rhythm run produced (``report.summary()`` prints the per-class table)."""

    record: dict[str, Any]
    record_path: Path
    predictions_path: Path
    report: Any


def centred_signal(signal: np.ndarray) -> np.ndarray:
    """Subtract each window's per-lead median (mV): removes the baseline offset, keeps the amplitude."""
    return (signal - np.median(signal, axis=1, keepdims=True)).astype(np.float32)


def _train_pipeline(arrays: BeatArrays, recipe: Recipe, sampling_rate: float):
    """Shuffled (seeded, reshuffled each epoch), batched ``({"signal"}, label)`` training windows.

    ``recipe.augment`` (an :class:`ecgbench.data.AugmentConfig` dict; real NSTDB noise is not
    offered here) is applied per batch with the stateless seed ``(recipe.seed, batch index)``.
    """
    import tensorflow as tf

    features = {"signal": centred_signal(arrays.signal)}
    ds = tf.data.Dataset.from_tensor_slices((features, arrays.label))
    ds = ds.shuffle(len(arrays), seed=recipe.seed, reshuffle_each_iteration=True).batch(recipe.batch_size)
    if recipe.augment:
        from ecgbench.data import AugmentConfig
        from ecgbench.data.augment import augment_batch

        window_s = arrays.signal.shape[1] / sampling_rate
        config = AugmentConfig.from_dict(
            {"real_noise_p": 0.0, **recipe.augment, "sampling_rate": sampling_rate, "r_peak_s": window_s / 2}
        )

        def augment(step, batch):
            (inputs, label), seed = batch, tf.stack([tf.cast(recipe.seed, tf.int64), step])
            return {"signal": augment_batch(inputs["signal"], seed, config)}, label

        ds = ds.enumerate().map(augment, num_parallel_calls=1, deterministic=True)
    return ds.prefetch(2)


def _perform_keras(submission: LoadedSubmission, spec: InputSpec, recipe: Recipe, data: TrackData, classes, on_epoch):
    model, report = train_keras(
        submission, spec, recipe, _train_pipeline(data.train, recipe, data.sampling_rate),
        {"signal": centred_signal(data.val.signal)}, data.val.label, data.train.label,
        on_epoch=on_epoch, selection_classes=classes,
    )  # fmt: skip
    refit = None
    if refit_requested(recipe):
        union = train_val_arrays(data)
        model, refit = refit_keras(
            submission, spec, recipe, union, report.best_epoch or report.epochs_run,
            lambda arrays, r: _train_pipeline(arrays, r, data.sampling_rate),
        )  # fmt: skip
    probabilities = predict_keras(model, {"signal": centred_signal(data.test.signal)}, submission.name, spec.n_classes)
    return probabilities, report, refit


def run_rhythm_benchmark(
    submission: str | os.PathLike | LoadedSubmission,
    *,
    window_s: float = DEFAULT_WINDOW_S,
    seed: int | None = None,
    epochs: int | None = None,
    quick: bool = False,
    tfds_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    data: TrackData | None = None,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    on_epoch: EpochCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
    command: str | None = None,
) -> RhythmRunResult:
    """Train, test and record one submission on the rhythm track.

    Parameters
    ----------
    submission : str, path-like or LoadedSubmission
        A registry name (``"rr-af"``), a submission folder, or an already loaded submission.
    window_s : float
        Window length in seconds (10, 4 or 30; picks the TFDS config and the task).
    seed, epochs, quick
        As for :func:`ecgbench.runner.beat.run_beat_benchmark`.
    tfds_dir : path-like, optional
        Built TFDS datasets (ignored when ``data`` is given).
    results_dir : path-like, optional
        Root of the results tree; the record goes to ``<results_dir>/<task>/<run_id>.json``
        (default :func:`ecgbench.paths.resolve_results_dir`).
    data : TrackData, optional
        Pre-loaded windows (tests use small synthetic ones); default :func:`load_rhythm_track`.
    bootstrap_resamples : int
        Subject-level bootstrap resamples for the confidence intervals.
    on_epoch, on_stage : callable, optional
        Progress hooks.
    command : str, optional
        The command to record; default the current process's command line.

    Raises
    ------
    SubmissionError
        The submission failed to load, raised, or returned bad output (nothing is written).
    """
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    stage = on_stage or (lambda name: None)

    stage("prepare")
    task = rhythm_task(window_s)
    loaded, recipe = load_with_recipe(submission, seed, epochs, quick)
    refit_requested(recipe)  # a malformed refit option fails here, before any training
    if recipe.wrappers:
        raise ConfigError(f"{loaded.recipe_path}: wrappers ({', '.join(recipe.wrappers)}) apply to the beat tracks; "
                          "the rhythm runner trains one model and labels windows, not beats")  # fmt: skip
    if "context" in recipe.options:
        raise ConfigError(f"{loaded.recipe_path}: options.context is a beat-track option (a beat's predecessor); a rhythm window is its own context")
    if data is None:
        data = load_rhythm_track(window_s, tfds_dir, quick=quick, seed=recipe.seed)
    check_subject_disjoint(data)
    spec = rhythm_input_spec(data)
    selection_classes = tuple(int(c) for c in np.unique(data.val.label))

    stage("perform")
    if loaded.kind == "keras":
        probabilities, report, refit = _perform_keras(loaded, spec, recipe, data, selection_classes, on_epoch)
    else:
        probabilities, report, refit = _perform_estimator(loaded, spec, recipe, data, selection_classes)

    stage("evaluate")
    window_report, metrics = score_rhythm(
        data.test, probabilities, spec.class_names, n_resamples=bootstrap_resamples,
        confidence=BOOTSTRAP_CONFIDENCE, seed=recipe.seed,
    )  # fmt: skip

    stage("record")
    record, record_path, predictions_path = record_run(
        loaded=loaded, recipe=recipe, task=task, quick=quick, data=data, probabilities=probabilities,
        metrics=metrics, bootstrap_resamples=bootstrap_resamples,
        training={**report.to_dict(), "selection_classes": [spec.class_names[c] for c in selection_classes], "refit": refit},
        started_at=started_at, clock=clock, results_dir=results_dir, command=command,
        extra={
            "class_names": list(spec.class_names), "aha_goals": dict(AHA_GOALS), "window_s": float(window_s),
            "test_support": test_support(data.test.label, spec.class_names),
        },
    )  # fmt: skip
    return RhythmRunResult(record=record, record_path=record_path, predictions_path=predictions_path, report=window_report)
