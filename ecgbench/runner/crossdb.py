"""The run of task ``beats-crossdb-svdb``: a DS1-trained beat model predicts the 78 SVDB records.

Training and model selection are exactly those of ``beats-interpatient`` (``ds1_train`` /
``ds1_val``); only the test data differ. Two ways to get the trained model:

* **Keras submissions** reuse the trained model of their committed ``beats-interpatient`` run at
  the same seed (:func:`ecgbench.api.load_model`: found through the run records, files
  hash-checked). The record names that run in ``training.model_run`` / ``training.model_task``
  and copies its ``artifacts`` block, so ``leaderboard check`` can verify the model's hash
  (:class:`ecgbench.leaderboard.checks.ArtifactsCheck`); its ``recipe`` and ``seed`` are the model
  run's. A Keras submission without such a run is refused (run ``beats-interpatient`` first).
* **Estimators** (``Submission`` classes such as ``prior`` and ``rr-lda``) save no model; they are
  fitted on DS1 here, as the beat runner fits them (:func:`ecgbench.runner.beat.fit_estimator`).

The recipe wrapper ``af_gate`` (:mod:`ecgbench.runner.af_gate_wrapper`) is applied to the SVDB
predictions as the beat runner applies it to DS2: the gate follows each record's beats in time
order from their ``sample`` positions, which the ``svdb/beats`` build converted to 360 Hz (the
task's sampling rate), so the gate's RR intervals are in seconds whatever the source rate.
Scoring is the runners' EC57 scorer (:func:`ecgbench.runner.evaluate.score_predictions`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.models import BeatArrays, LoadedSubmission
from ecgbench.tasks import RunOptions, Task, TaskRun

#: Records kept by a ``--quick`` run (whole records: the beat context and the AF gate need them).
QUICK_RECORDS = 3


@dataclass(frozen=True)
class CrossdbData:
    """The beats a cross-database run reads.

    Attributes
    ----------
    test : BeatArrays
        The external test beats (whole records, dataset order).
    dataset : dict
        ``name``, ``version``, ``checksum`` of the test data's build.
    test_split : str
        The split name as recorded (``"test"``).
    train, val : BeatArrays or None
        DS1 training and validation beats, for estimators (None: loaded from the built
        ``mitdb/beats`` when needed).
    train_splits : dict or None
        Role → split name of ``train`` and ``val``.
    train_dataset : dict or None
        Identity of the data ``train`` and ``val`` came from.
    sampling_rate : float
        Hz of ``sample``.
    """

    test: BeatArrays
    dataset: dict[str, Any]
    test_split: str = "test"
    train: BeatArrays | None = None
    val: BeatArrays | None = None
    train_splits: dict[str, str] | None = None
    train_dataset: dict[str, Any] | None = None
    sampling_rate: float = 360.0


def quick_records(test: BeatArrays, n: int, seed: int) -> BeatArrays:
    """Keep ``n`` whole records drawn without replacement (seeded), beats in their original order."""
    names = np.unique(test.record)
    if names.size <= n:
        return test
    keep = np.random.default_rng(seed).choice(names, size=n, replace=False)
    return test.subset(np.flatnonzero(np.isin(test.record, keep)))


def load_external_test(task: Task, tfds_dir: str | os.PathLike | None = None) -> CrossdbData:
    """Read the task's test split (``svdb/beats`` ``test``) and its identity from the built dataset.

    Raises
    ------
    DataNotFoundError
        The dataset is not built; the message names the build command.
    """
    from ecgbench.data import to_numpy
    from ecgbench.data.loading import load_built_split
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import built_version_dir, dataset_checksum
    from ecgbench.runner.data import beat_arrays

    ref = task.dataset
    root = resolve_tfds_dir(tfds_dir)
    folder = built_version_dir(root, ref.config, None, ref.name)
    test = beat_arrays(to_numpy(load_built_split(ref.name, ref.config, task.splits.test, root, version=folder.name)))
    identity = {"name": ref.full_name, "version": folder.name, "checksum": dataset_checksum(root, ref.config, folder.name, ref.name)}
    return CrossdbData(test=test, dataset=identity, test_split=task.splits.test, sampling_rate=task.sampling_rate)


def with_training_splits(data: CrossdbData, tfds_dir: str | os.PathLike | None) -> CrossdbData:
    """``data`` with DS1 ``train``/``val`` beats loaded from ``mitdb/beats`` unless it has them."""
    if data.train is not None:
        return data
    from dataclasses import replace

    from ecgbench.data.loading import dataset_dir
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import dataset_checksum
    from ecgbench.runner.data import DATASET_NAME, load_train_val

    train, val, splits = load_train_val("interpatient", tfds_dir)
    folder = dataset_dir("beats", tfds_dir)
    identity = {"name": DATASET_NAME, "version": folder.name, "checksum": dataset_checksum(resolve_tfds_dir(tfds_dir), "beats", folder.name)}
    return replace(data, train=train, val=val, train_splits=splits, train_dataset=identity)


def _gate(probabilities: np.ndarray, test: BeatArrays, fs: float, af_gate: bool) -> np.ndarray:
    if not af_gate:
        return probabilities
    from ecgbench.streaming.af_gate import gate_supraventricular

    return gate_supraventricular(probabilities, test.record, test.sample, fs)[0]


def _arrays(test: BeatArrays) -> dict[str, np.ndarray]:
    """``test`` as the arrays :meth:`ecgbench.api.PretrainedModel.predict` takes."""
    from ecgbench.runner.data import interval_fields

    return {**interval_fields(test), "record": test.record, "sample": test.sample, "label": test.label}


def _keras_run(name: str, seed: int, reference_task: str, model_results_dir, data: CrossdbData, model_record=None) -> dict[str, Any]:
    """Predict with the committed model of ``name`` at ``seed`` (or of run record ``model_record``); return the record blocks and probabilities."""
    from ecgbench.api.pretrained import load_model, load_model_of_record
    from ecgbench.models import check_probabilities

    if model_record is not None:
        model = load_model_of_record(model_record)
    else:
        model = load_model(name, seed, task=reference_task, results_dir=model_results_dir)
    source = json.loads(model.record_path.read_text())
    probabilities = check_probabilities(model.predict(_arrays(data.test)), len(data.test), 5, name)
    probabilities = _gate(probabilities, data.test, data.sampling_rate, model.af_gate)
    submission = {**source["submission"]}
    source_splits = {k: v for k, v in (source["dataset"].get("splits") or {}).items() if k in ("train", "val")}
    train_dataset = {k: source["dataset"].get(k) for k in ("name", "version", "checksum")}
    training = {
        "model_run": source["run_id"],
        "model_task": source["task"],
        "artifacts": source.get("artifacts"),
        "note": f"the trained model of {reference_task} run {source['run_id']} (trained and selected on DS1), not re-trained",
        "af_gate": model.af_gate,
        "best_epoch": (source.get("training") or {}).get("best_epoch"),
        "best_score": (source.get("training") or {}).get("best_score"),
    }
    return {"submission": submission, "recipe": source.get("recipe") or {}, "seed": int(source["seed"]), "splits": source_splits,
            "train_dataset": train_dataset, "training": training, "probabilities": probabilities}  # fmt: skip


def _estimator_run(loaded, seed: int | None, quick: bool, data: CrossdbData) -> dict[str, Any]:
    """Fit an estimator on DS1 (selection on ``ds1_val``) as the beat runner does, predict ``data.test``."""
    from ecgbench.leaderboard import provenance
    from ecgbench.runner.af_gate_wrapper import af_gate_of
    from ecgbench.runner.beat import beat_input_spec, check_runner_options, fit_estimator, load_with_recipe, predict_estimator
    from ecgbench.runner.data import TrackData

    loaded, recipe = load_with_recipe(loaded, seed, None, quick, track="interpatient")
    source = str(loaded.recipe_path)
    check_runner_options(recipe, loaded.kind, source)
    af_gate = af_gate_of(recipe, source, "interpatient")
    track = TrackData(train=data.train, val=data.val, test=data.test, splits={}, sampling_rate=data.sampling_rate)
    spec = beat_input_spec(data.train, data.sampling_rate, recipe, source)
    start = time.perf_counter()
    model, report, refit = fit_estimator(loaded, spec, recipe, track, check_subjects=False)
    probabilities = _gate(predict_estimator(model, data.test, spec, loaded.name), data.test, data.sampling_rate, af_gate)
    report.seconds = time.perf_counter() - start
    submission = {"name": loaded.name, "source": loaded.source, "kind": loaded.kind,
                  "sha256": provenance.sha256_files(loaded.files, root=loaded.folder)}  # fmt: skip
    return {"submission": submission, "recipe": recipe.to_dict(), "seed": recipe.seed, "splits": dict(data.train_splits or {}),
            "train_dataset": data.train_dataset, "training": {**report.to_dict(), "refit": refit, "af_gate": af_gate},
            "probabilities": probabilities}  # fmt: skip


def run_crossdb(
    task: Task,
    submission: str | os.PathLike | LoadedSubmission,
    *,
    seed: int | None = None,
    quick: bool = False,
    tfds_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    model_results_dir: str | os.PathLike | None = None,
    model_record: str | os.PathLike | None = None,
    data: CrossdbData | None = None,
    bootstrap_resamples: int = 1000,
    on_stage: Callable[[str], None] | None = None,
    command: str | None = None,
) -> TaskRun:
    """Predict the task's external test split with a DS1-trained submission, score it, write its record.

    Parameters
    ----------
    task : Task
        ``beats-crossdb-svdb`` (or a task declared like it: ``params["reference_task"]`` names the
        task whose committed Keras runs are reused).
    submission : str, path-like or LoadedSubmission
        A baseline name, a submission folder, or a loaded submission (``verify`` passes one
        carrying the recorded recipe).
    seed : int, optional
        Keras: the seed of the reused run (default 0). Estimators: overrides the recipe's seed.
    quick : bool
        Keep :data:`QUICK_RECORDS` whole test records; the record is flagged and never ranked.
    tfds_dir : path-like, optional
        Built TFDS datasets (``svdb/beats``; ``mitdb/beats`` for estimators).
    results_dir : path-like, optional
        Root of the results tree the record is written to (default
        :func:`ecgbench.paths.resolve_results_dir`).
    model_results_dir : path-like, optional
        Results tree searched for the reused run (default ``results_dir``).
    model_record : path-like, optional
        Keras: the run record of the model to reuse (``verify`` pins the recorded
        ``training.model_run``); default the newest run of the name at ``seed``.
    data : CrossdbData, optional
        Pre-loaded beats (tests use small synthetic ones); default :func:`load_external_test`.
    bootstrap_resamples : int
        Record-level bootstrap resamples of the intervals.
    on_stage : callable, optional
        Called with each stage name (``"prepare"``, ``"perform"``, ``"evaluate"``, ``"record"``).
    command : str, optional
        The command to record; default the current process's command line.

    Raises
    ------
    ConfigError
        A Keras submission without a committed ``beats-interpatient`` run at that seed is refused
        through :class:`~ecgbench.errors.DataNotFoundError` (the message lists the seeds there are).
    SubmissionError
        The submission failed or returned bad output (nothing is written).
    """
    from ecgbench.models import load_submission
    from ecgbench.paths import resolve_results_dir
    from ecgbench.runner.evaluate import score_predictions
    from ecgbench.runner.recording import write_run

    started_at, clock = datetime.now(UTC), time.perf_counter()
    stage = on_stage or (lambda name: None)
    stage("prepare")
    reference_task = str(task.params.get("reference_task", "beats-interpatient"))
    loaded = submission if isinstance(submission, LoadedSubmission) else load_submission(str(submission))
    if data is None:
        data = load_external_test(task, tfds_dir)
    if quick:
        from dataclasses import replace

        data = replace(data, test=quick_records(data.test, QUICK_RECORDS, seed or 0))
    stage("perform")
    if loaded.kind == "keras":
        models_root = resolve_results_dir(model_results_dir if model_results_dir is not None else results_dir)
        run = _keras_run(loaded.name, 0 if seed is None else seed, reference_task, models_root, data, model_record)
    else:
        run = _estimator_run(loaded, seed, quick, with_training_splits(data, tfds_dir))
    if not run["splits"].get("train"):
        raise ConfigError(f"{loaded.name}: the training splits of the model are unknown; cannot record a {task.name} run")

    stage("evaluate")
    report, metrics = score_predictions(data.test, run["probabilities"], data.sampling_rate, n_resamples=bootstrap_resamples, seed=run["seed"])

    stage("record")
    dataset = {**data.dataset, "splits": {**run["splits"], "test": data.test_split},
               "n_beats": {"test": len(data.test)}, "train_dataset": run["train_dataset"]}  # fmt: skip
    record, record_path, predictions_path = write_run(
        submission=run["submission"], recipe=run["recipe"], seed=run["seed"], task=task.name, quick=quick, dataset=dataset,
        test=data.test, probabilities=run["probabilities"], metrics=metrics, bootstrap_resamples=bootstrap_resamples,
        training=run["training"], started_at=started_at, clock=clock, results_dir=results_dir, command=command,
        artifacts_note=f"no model saved by this run; the model is that of training.model_run ({reference_task})"
        if loaded.kind == "keras" else f"{loaded.kind} submissions are not saved; only Keras runs keep a reusable trained model",
    )  # fmt: skip
    return TaskRun(record=record, record_path=record_path, predictions_path=predictions_path, report=report)


def run_crossdb_task(task: Task, submission: str, options: RunOptions) -> TaskRun:
    """The registry's run function of ``beats-crossdb-svdb`` (see :func:`run_crossdb`)."""
    if options.epochs is not None:
        raise ConfigError(f"{task.name}: --epochs does not apply (trained models are reused; estimators are fitted once)")
    return run_crossdb(task, submission, seed=options.seed, quick=options.quick, tfds_dir=options.tfds_dir,
                       results_dir=options.results_dir, bootstrap_resamples=options.bootstrap_resamples,
                       on_stage=options.on_stage)  # fmt: skip
