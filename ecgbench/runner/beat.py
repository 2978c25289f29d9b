"""The beat-track runner: prepare → perform → evaluate → record.

1. **prepare** — load the submission (:func:`ecgbench.models.load_submission`) and the track's
   splits (:func:`ecgbench.runner.data.load_track`), resolve the recipe's block for the track
   (:meth:`ecgbench.models.Recipe.for_track`), apply ``--seed``/``--epochs``/``--quick`` to it,
   seed every generator; the run record stores this resolved recipe;
2. **perform** — train on the training split with model selection on the validation split
   (Keras: :func:`fit_keras_on_splits`, shared with ``experiments/beat_recipes/beat_val.py``; estimators: their ``fit``), then
   predict the test split; every output is checked (:func:`ecgbench.models.check_probabilities`);
3. **evaluate** — EC57 beat-by-beat statistics on the test records with record-resampled
   bootstrap intervals (:func:`ecgbench.runner.evaluate.score_predictions`);
4. **record** — write the prediction arrays and the run record (schema 1,
   :mod:`ecgbench.leaderboard.record`) under ``<results_dir>/<task>/``.

Nothing is written before step 4, so a submission that raises or returns bad output leaves the
results folder untouched.

References
----------
Strodthoff N, Wagner P, Schaeffter T, Samek W. Deep learning for ECG analysis: benchmarks and
insights from PTB-XL. IEEE J Biomed Health Inform 25(5):1519-1528 (2021) (prepare/perform/evaluate).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.data.rr import RR_FEATURE_NAMES
from ecgbench.errors import ConfigError
from ecgbench.models import (
    BeatArrays,
    InputSpec,
    LoadedSubmission,
    Recipe,
    SubmissionError,
    check_probabilities,
    load_submission,
)
from ecgbench.runner.af_gate_wrapper import af_gate_of
from ecgbench.runner.artifacts import save_keras_artifacts
from ecgbench.runner.data import TrackData, interval_fields, load_track, track_task, with_context, with_derived_rr
from ecgbench.runner.determinism import seed_everything
from ecgbench.runner.ensemble import average_members, ensemble_size, member_seeds
from ecgbench.runner.evaluate import BOOTSTRAP_RESAMPLES, score_predictions
from ecgbench.runner.keras_trainer import EpochCallback, TrainingReport, predict_keras, train_keras
from ecgbench.runner.recording import record_run
from ecgbench.runner.rhythm_refit import refit_estimator, refit_requested, train_val_arrays
from ecgbench.runner.selection import SELECTION_CLASSES, validation_score

#: Epoch cap of ``--quick`` runs.
QUICK_EPOCHS = 2
#: Recipe balance modes carried out by the input pipeline's sampling (others: loss weights).
SAMPLING_BALANCE = {"sample_sqrt": "sqrt", "sample_uniform": "uniform"}
#: Per-beat centring of the normaliser Keras submissions get unless ``recipe.options["per_beat"]``.
DEFAULT_PER_BEAT = "median"


@dataclass(frozen=True)
class BeatRunResult:
    """What a finished run produced.

    Attributes
    ----------
    record : dict
        The run record as written.
    record_path, predictions_path : pathlib.Path
        Where the run record and the prediction arrays were written.
    ec57 : object
        The scorer's result (``summary()`` prints the EC57 table).
    """

    record: dict[str, Any]
    record_path: Path
    predictions_path: Path
    ec57: Any


def load_with_recipe(
    submission: str | LoadedSubmission,
    seed: int | None,
    epochs: int | None,
    quick: bool,
    track: str | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[LoadedSubmission, Recipe]:
    """Load a submission and resolve the recipe of a run, then seed everything.

    Order of precedence, lowest first: the recipe's top-level fields; its ``tracks[track]`` block
    (:meth:`Recipe.for_track`, beat tracks only; ``None``, as rhythm runs pass, ignores the block);
    ``changes`` (a block of recipe fields, e.g. ``experiments/beat_recipes/beat_val.py --set``); ``seed`` and
    ``epochs`` (CLI ``--seed``/``--epochs``). ``quick`` then caps the epochs at
    :data:`QUICK_EPOCHS` (smoke tests); ``None`` keeps the recipe's value.
    """
    loaded = submission if isinstance(submission, LoadedSubmission) else load_submission(submission)
    recipe = run_recipe(loaded, seed, epochs, quick, track, changes)
    seed_everything(recipe.seed)
    return loaded, recipe


def run_recipe(
    loaded: LoadedSubmission,
    seed: int | None,
    epochs: int | None,
    quick: bool,
    track: str | None = None,
    changes: dict[str, Any] | None = None,
) -> Recipe:
    """The recipe a run of ``loaded`` records (see :func:`load_with_recipe`), without seeding anything."""
    source = str(loaded.recipe_path)
    recipe = loaded.recipe if track is None else loaded.recipe.for_track(track, source=source)
    if changes:
        recipe = recipe.merged(changes, source="recipe changes")
    capped = min(epochs or recipe.epochs, QUICK_EPOCHS) if quick else epochs
    return recipe.with_overrides(seed=seed, epochs=capped)


def input_spec_for(data: TrackData, recipe: Recipe | None = None, source: str = "recipe") -> InputSpec:
    """Return the :class:`InputSpec` matching a track's arrays (see :func:`beat_input_spec`)."""
    return beat_input_spec(data.train, data.sampling_rate, recipe, source)


def beat_input_spec(train: BeatArrays, sampling_rate: float, recipe: Recipe | None = None, source: str = "recipe") -> InputSpec:
    """Return the :class:`InputSpec` of beats shaped like ``train`` (``sampling_rate`` in Hz).

    Its ``rr_names`` are the recipe's RR columns (:func:`rr_columns_of`; ``source`` names the recipe
    in errors), or all of ``RR_FEATURE_NAMES`` without a recipe.
    """
    return InputSpec(
        signal_shape=tuple(train.signal.shape[1:]),
        rr_names=rr_columns_of(recipe, source) if recipe is not None else tuple(RR_FEATURE_NAMES),
        sampling_rate=sampling_rate,
    )


def rr_columns_of(recipe: Recipe, source: str = "recipe") -> tuple[str, ...]:
    """The ``rr`` columns a Keras submission's model gets: ``options.rr_features``, default all.

    Like ``options.per_beat``, this option is read by the runner, not by the submission: the
    normaliser hands the model only these columns (:class:`ecgbench.data.Normalizer`), and the
    streaming harness labels each beat as soon as it is detected when neither ``rr_post`` nor
    ``rr_post_ratio`` is among them (a causal model).

    Raises
    ------
    ConfigError
        A name that is not in ``RR_FEATURE_NAMES``, a repeated or reordered name, or an empty list;
        the message names ``source``.
    """
    from ecgbench.data.normalization import check_rr_columns

    chosen = recipe.options.get("rr_features")
    if chosen is None:
        return tuple(RR_FEATURE_NAMES)
    if isinstance(chosen, str) or not isinstance(chosen, list | tuple):
        raise ConfigError(f"{source}: options.rr_features must be a list of RR feature names (got {chosen!r})")
    check_rr_columns(chosen, f"{source}: options.rr_features")
    return tuple(chosen)


def needs_derived_rr(recipe: Recipe, source: str = "recipe") -> bool:
    """Whether the recipe's ``rr`` columns include a derived one (``rr_irregularity``) the runner must compute.

    Derived columns come from each record's beat sequence (:func:`ecgbench.runner.data.derived_rr_parts`),
    so the runner builds them when it loads the splits, as it builds a beat context.
    """
    from ecgbench.data.rr import DERIVED_RR_FEATURE_NAMES

    return any(name in DERIVED_RR_FEATURE_NAMES for name in rr_columns_of(recipe, source))


def context_of(recipe: Recipe, source: str = "recipe") -> str | None:
    """The beat context a Keras submission's model gets: ``options.context`` (:mod:`ecgbench.data.context`), default none.

    Read by the runner, like ``options.rr_features``: the runner builds the context channels
    (:func:`ecgbench.runner.data.with_context`) before normalising, the normaliser records it, and
    the stream rebuilds it from the beats it has seen (a look-ahead model's provisional labels
    included: :meth:`ecgbench.streaming.model_adapter.ModelClassifier.classify`).

    Raises
    ------
    ConfigError
        An unknown context; the message names ``source``.
    """
    from ecgbench.data.context import check_context

    return check_context(recipe.options.get("context"), f"{source}: options.context")


def check_runner_options(recipe: Recipe, kind: str, source: str) -> str | None:
    """Check the runner-read options (``rr_features``, ``context``) and the ``ensemble`` wrapper before any data loads; return the context.

    Estimators (``Submission`` classes) get the whole ``rr`` vector and the plain beat windows and
    build their own features and ensembles, so these are refused for them.
    """
    size = ensemble_size(recipe)
    if kind != "keras":
        for option, what in (("rr_features", "gets the whole rr vector and picks its own columns"),
                             ("context", "gets each beat's record and sample and can build its own context")):  # fmt: skip
            if option in recipe.options:
                raise ConfigError(f"{source}: options.{option} applies to Keras submissions; a Submission class {what}")
        if size > 1:
            raise ConfigError(
                f"{source}: the ensemble wrapper applies to Keras submissions; a Submission class "
                "builds its own ensemble inside fit/predict"
            )
        return None
    rr_columns_of(recipe, source)
    return context_of(recipe, source)


def _perform_estimator(
    submission: LoadedSubmission,
    spec: InputSpec,
    recipe: Recipe,
    data: TrackData,
    selection_classes: tuple[int, ...] = SELECTION_CLASSES,
    *,
    check_subjects: bool = True,
) -> tuple[np.ndarray, TrainingReport, dict[str, Any] | None]:
    """Fit a ``Submission`` class (:func:`fit_estimator`), then predict ``test``.

    Used by every track. ``report.seconds`` covers the fit and the test prediction.
    """
    start = time.perf_counter()
    model, report, refit = fit_estimator(submission, spec, recipe, data, selection_classes, check_subjects=check_subjects)
    test_probabilities = predict_estimator(model, data.test, spec, submission.name)
    report.seconds = time.perf_counter() - start
    return test_probabilities, report, refit


def fit_estimator(
    submission: LoadedSubmission,
    spec: InputSpec,
    recipe: Recipe,
    data: TrackData,
    selection_classes: tuple[int, ...] = SELECTION_CLASSES,
    *,
    check_subjects: bool = True,
) -> tuple[Any, TrainingReport, dict[str, Any] | None]:
    """Fit a ``Submission`` class (selection on ``val``), optionally refit on ``train ∪ val``; return ``(model, report, refit)``.

    The runner's own fit (:func:`_perform_estimator` predicts ``test`` with the returned model);
    ``experiments/rr_af/rhythm_external.py`` calls it to score the same model on external recordings.
    The recorded validation score is always the one of the model ``fit`` chose, before any refit
    (:mod:`ecgbench.runner.rhythm_refit`, recipe option ``refit_on_train_val``).
    ``check_subjects`` refuses a refit set sharing a subject with test (the rhythm track's
    subject-disjoint splits); the beat tracks' splits are defined by records. Failures become
    ``SubmissionError``. ``report.seconds`` is left for the caller to set.
    """
    try:
        model = submission.module.Submission(spec)
    except Exception as exc:
        raise SubmissionError(submission.name, f"Submission(input_spec) raised {type(exc).__name__}: {exc}") from exc
    try:
        model.fit(data.train, data.val, recipe)
    except Exception as exc:
        raise SubmissionError(submission.name, f"fit raised {type(exc).__name__}: {exc}") from exc
    report = TrainingReport(epochs_run=1, best_epoch=1)
    val_probabilities = predict_estimator(model, data.val, spec, submission.name)
    report.best_score = validation_score(recipe.monitor, data.val.label, val_probabilities, selection_classes)
    report.history.append({"epoch": 1, f"val_{recipe.monitor}": round(report.best_score, 6)})
    refit = None
    if refit_requested(recipe):
        refit = refit_estimator(model, train_val_arrays(data, check_subjects=check_subjects), recipe, submission.name)
    return model, report, refit


def predict_estimator(model: Any, beats: BeatArrays, spec: InputSpec, name: str) -> np.ndarray:
    """``[n, classes]`` probabilities of a fitted ``Submission`` for ``beats`` (labels withheld), checked.

    Raises
    ------
    SubmissionError
        ``predict`` raised, or returned the wrong shape, NaN or rows that are not distributions
        (:func:`ecgbench.models.validate.check_probabilities`); the message names the submission.
    """
    try:
        output = model.predict(beats.without_labels())
    except Exception as exc:
        raise SubmissionError(name, f"predict raised {type(exc).__name__}: {exc}") from exc
    return check_probabilities(output, len(beats), spec.n_classes, name)


@dataclass(frozen=True)
class KerasFit:
    """A Keras submission trained on a track's ``train`` split with selection on its ``val`` split.

    Attributes
    ----------
    model : keras.Model
        Weights of the best validation epoch.
    report : TrainingReport
        Epochs run, best epoch and score, per-epoch history, seconds.
    normalizer : object
        The input normaliser fitted on ``train`` (``transform_arrays``, ``to_dict``).
    val_probabilities : numpy.ndarray
        The returned model's ``[n, 5]`` probabilities on ``val``.
    """

    model: Any
    report: TrainingReport
    normalizer: Any
    val_probabilities: np.ndarray


def fit_keras_on_splits(
    submission: LoadedSubmission,
    spec: InputSpec,
    recipe: Recipe,
    train: BeatArrays,
    val: BeatArrays,
    on_epoch: EpochCallback | None = None,
    noise_dir: str | os.PathLike | None = None,
) -> KerasFit:
    """Normalise, build the training pipeline, train with selection on ``val``: the runner's training step.

    The runner and ``experiments/beat_recipes/beat_val.py`` both train through here; only ``train`` and ``val``
    are needed (the test split is predicted afterwards by the runner alone). Every generator is
    seeded with the recipe's seed right before the model is built; with the ``ensemble`` wrapper
    (``members: K``, :mod:`ecgbench.runner.ensemble`) K members are trained, each seeded with its own member seed,
    and the returned model averages them.
    """
    from ecgbench.data import AugmentConfig, fit_normalizer, make_beat_pipeline

    size = ensemble_size(recipe)
    normalizer = fit_normalizer(
        interval_fields(train), per_beat=recipe.options.get("per_beat", DEFAULT_PER_BEAT), rr_columns=spec.rr_names,
        context=context_of(recipe, str(submission.recipe_path)),
    )
    val_features = normalizer.transform_arrays(interval_fields(val))

    start = time.perf_counter()
    seeds = member_seeds(recipe.seed, size)
    members, member_reports = [], []
    for k, member_seed in enumerate(seeds):
        # Every model is seeded here, right before it is built: member k of an ensemble is trained
        # exactly as a single run with seed member_seed (size 1: the run's own seed).
        seed_everything(member_seed)
        member_recipe = recipe.with_overrides(seed=member_seed)
        train_ds = make_beat_pipeline(
            {**interval_fields(train), "label": train.label},
            normalizer,
            batch_size=member_recipe.batch_size,
            training=True,
            seed=member_seed,
            augment=AugmentConfig.from_dict(member_recipe.augment) if member_recipe.augment else None,
            balance=SAMPLING_BALANCE.get(member_recipe.balance),
            noise=noise_dir,
        )
        progress = on_epoch if on_epoch is None or size == 1 else partial(_member_progress, on_epoch, k, size)
        model, report = train_keras(submission, spec, member_recipe, train_ds, val_features, val.label, train.label, on_epoch=progress)
        members.append(model)
        member_reports.append(report)
    if size == 1:
        return KerasFit(model=members[0], report=member_reports[0], normalizer=normalizer,
                        val_probabilities=member_reports[0].best_probabilities)  # fmt: skip
    model = average_members(members, spec)
    val_probabilities = predict_keras(model, val_features, submission.name, spec.n_classes)
    report = TrainingReport(
        epochs_run=sum(member.epochs_run for member in member_reports),
        best_score=validation_score(recipe.monitor, val.label, val_probabilities, SELECTION_CLASSES),
        seconds=time.perf_counter() - start,
        members=[{"seed": member_seed, **member.to_dict()} for member_seed, member in zip(seeds, member_reports, strict=True)],
    )  # fmt: skip
    return KerasFit(model=model, report=report, normalizer=normalizer, val_probabilities=val_probabilities)


def _member_progress(on_epoch: EpochCallback, member: int, size: int, epoch: int, epochs: int, log: dict[str, float]) -> None:
    """Report member ``member``'s epoch as one step of all members' epochs (a progress bar over the ensemble)."""
    on_epoch(member * epochs + epoch, size * epochs, log)


def _perform_keras(
    submission: LoadedSubmission,
    spec: InputSpec,
    recipe: Recipe,
    data: TrackData,
    on_epoch: EpochCallback | None,
    noise_dir: str | os.PathLike | None = None,
):
    """Train with selection on val (:func:`fit_keras_on_splits`), then predict the test split."""
    fitted = fit_keras_on_splits(submission, spec, recipe, data.train, data.val, on_epoch, noise_dir)
    test_features = fitted.normalizer.transform_arrays(interval_fields(data.test))
    probabilities = predict_keras(fitted.model, test_features, submission.name, spec.n_classes)
    return probabilities, fitted.report, fitted.normalizer.to_dict(), fitted.model


def run_beat_benchmark(
    submission: str | os.PathLike | LoadedSubmission,
    *,
    track: str = "interpatient",
    seed: int | None = None,
    epochs: int | None = None,
    quick: bool = False,
    tfds_dir: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    data: TrackData | None = None,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    on_epoch: EpochCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
    command: str | None = None,
) -> BeatRunResult:
    """Train, test and record one submission on one beat track.

    Parameters
    ----------
    submission : str, path-like or LoadedSubmission
        A registry name (``"cnn1d"``), a submission folder, or an already loaded submission.
    track : {"interpatient", "intrapatient"}
        Which split protocol (see :mod:`ecgbench.runner.data`).
    seed : int, optional
        Overrides the recipe's seed.
    epochs : int, optional
        Overrides the recipe's epoch count.
    quick : bool
        Small data subsets and at most :data:`QUICK_EPOCHS` epochs (smoke tests); flagged in the record.
    tfds_dir : path-like, optional
        Built TFDS datasets (ignored when ``data`` is given).
    data_dir : path-like, optional
        Raw PhysioNet data root; only read for NSTDB noise when the recipe asks for real-noise
        augmentation (default ``$ECGBENCH_DATA_DIR``, else ``~/ecgbench_data``).
    results_dir : path-like, optional
        Root of the results tree; the record goes to ``<results_dir>/<task>/<run_id>.json``
        (default :func:`ecgbench.paths.resolve_results_dir`).
    data : TrackData, optional
        Pre-loaded splits (tests use small synthetic ones); default :func:`load_track`.
    bootstrap_resamples : int
        Number of record-level bootstrap resamples for the confidence intervals.
    on_epoch, on_stage : callable, optional
        Progress hooks: per training epoch, and per stage name (``"prepare"`` …).
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
    task = track_task(track)
    loaded, recipe = load_with_recipe(submission, seed, epochs, quick, track=track)
    # The runner-read options are checked before any data is loaded.
    source = str(loaded.recipe_path)
    context = check_runner_options(recipe, loaded.kind, source)
    af_gate = af_gate_of(recipe, source, track)
    derived_rr = loaded.kind == "keras" and needs_derived_rr(recipe, source)
    if data is None:
        data = load_track(track, tfds_dir, quick=quick, seed=recipe.seed, context=context, derived_rr=derived_rr)
    else:
        if context is not None:
            data = with_context(data, context)
        if derived_rr:
            data = with_derived_rr(data)
    spec = input_spec_for(data, recipe, source=source)

    stage("perform")
    normalizer: dict[str, Any] | None = None
    save_artifacts = None
    refit = None
    if loaded.kind == "keras":
        probabilities, report, normalizer, model = _perform_keras(loaded, spec, recipe, data, on_epoch, data_dir)
        save_artifacts = partial(save_keras_artifacts, model=model, normalizer=normalizer, recipe=recipe.to_dict())
    else:
        # The beat splits are defined by records (de Chazal's DS1/DS2 put 201 and 202, one subject,
        # on both sides; intra-patient shares every subject), so only the rhythm track checks subjects.
        probabilities, report, refit = _perform_estimator(loaded, spec, recipe, data, check_subjects=False)
    if af_gate:
        from ecgbench.streaming.af_gate import gate_supraventricular  # the stream's rhythm monitor, loaded only when asked for

        probabilities, _ = gate_supraventricular(probabilities, data.test.record, data.test.sample, data.sampling_rate)

    stage("evaluate")
    ec57, metrics = score_predictions(
        data.test, probabilities, data.sampling_rate, n_resamples=bootstrap_resamples, seed=recipe.seed
    )

    stage("record")
    record, record_path, predictions_path = record_run(
        loaded=loaded, recipe=recipe, task=task, quick=quick, data=data, probabilities=probabilities,
        metrics=metrics, bootstrap_resamples=bootstrap_resamples,
        training={**report.to_dict(), "normalizer": normalizer, "refit": refit},
        started_at=started_at, clock=clock, results_dir=results_dir, command=command,
        save_artifacts=save_artifacts,
        artifacts_note=f"{loaded.kind} submissions are not saved; only Keras runs keep a reusable trained model",
    )  # fmt: skip
    return BeatRunResult(record=record, record_path=record_path, predictions_path=predictions_path, ec57=ec57)
