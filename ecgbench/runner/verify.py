"""``ecgbench verify``: re-run a recorded run with its seed and configuration and compare, digit by digit.

The run is rebuilt from the record's fields, not by executing the recorded command string: the
submission (``submission.source``), the task's track, ``seed``, the recorded ``recipe`` (so a
later edit of ``recipe.json`` cannot change the re-run), ``quick`` and the bootstrap settings.
Trained model files are re-evaluated from their manifest. A cross-database run
(``beats-crossdb-svdb``) is re-run as it was made: a Keras submission's record names the
inter-patient run whose saved model it reused (``training.model_run``), which predicts the external
records again; an estimator is fitted on DS1 again with the recorded recipe. The re-run writes into
a temporary results folder, never into the leaderboard. A prediction-file run
(``submission.kind`` = ``"predictions"``) has no model or code to re-run: its figures are
re-scored from its prediction file instead (:func:`rescore_prediction_run`), and the report says so.

The submission's files are hashed again and compared with the record's ``submission.sha256``;
when they differ, the report also says whether the submission's recipe still resolves to the
recorded one (``recipe_unchanged``), since the re-run uses the recorded recipe: a hash that differs
only because the files were reorganised (a variant folder that became a recipe file of its
family) is not a change of what was run.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.leaderboard.checks.track_rules import MODEL_FILE_KINDS
from ecgbench.leaderboard.provenance import sha256_files
from ecgbench.leaderboard.reproduction import IntervalVerdict, environment_differences, interval_verdict
from ecgbench.leaderboard.record import read_predictions
from ecgbench.leaderboard.store import RunEntry
from ecgbench.models import LoadedSubmission, Recipe, load_submission
from ecgbench.runner.crossdb import CrossdbData
from ecgbench.runner.data import TrackData
from ecgbench.runner.model_file import TASK_TRACKS, evaluate_model_file

#: ``submission.kind`` of prediction-file runs (:mod:`ecgbench.runner.prediction_submit`).
PREDICTIONS_KIND = "predictions"

_FIELDS = ("value", "ci_low", "ci_high")


@dataclass(frozen=True)
class MetricCheck:
    """One recorded figure against its re-run."""

    metric: str
    field: str
    recorded: float | None
    reproduced: float | None

    @property
    def equal(self) -> bool:
        """Bit-for-bit equal (both undefined counts as equal)."""
        if self.recorded is None or self.reproduced is None:
            return self.recorded is None and self.reproduced is None
        return float(self.recorded) == float(self.reproduced) or (math.isnan(self.recorded) and math.isnan(self.reproduced))


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify_run`."""

    run_id: str
    command: str
    checks: tuple[MetricCheck, ...]
    predictions_equal: bool
    submission_unchanged: bool | None
    recorded_processor: str | None = None
    processor: str | None = None
    note: str = ""
    #: Plain sentences naming what differs between the record's environment and the re-run's.
    differences: tuple[str, ...] = ()
    #: Re-run figures against the recorded bootstrap intervals (the second verdict).
    interval: IntervalVerdict | None = None
    #: Whether the submission's current recipe resolves to the recorded one (None: not compared).
    recipe_unchanged: bool | None = None

    @property
    def reproduced(self) -> bool:
        """Every figure equal and the prediction file identical."""
        return self.predictions_equal and all(c.equal for c in self.checks)

    def submission_summary(self) -> str:
        """One phrase on the submission's files and recipe against the record's."""
        if self.submission_unchanged is None:
            return "submission files not re-read"
        if self.submission_unchanged:
            if self.recipe_unchanged is False:
                return "submission files unchanged; the recorded recipe differs from the files' (run-time overrides such as --epochs), the re-run used the recorded one"
            return "submission files unchanged"
        if self.recipe_unchanged:
            return ("submission files hash differently from the run's (code or file layout changed since); "
                    "the recipe still resolves to the recorded one, which the re-run used")  # fmt: skip
        return "submission files CHANGED since the run, recipe included; the re-run used the recorded recipe"

    @property
    def same_processor(self) -> bool:
        """Whether the re-run ran on the CPU model the record names (records without one count as the same).

        Keras training reproduces digit for digit on one CPU model, not necessarily across them:
        TensorFlow's oneDNN kernels take different code paths by instruction set (see
        :mod:`ecgbench.runner.tf_environment` for the portable setting and docs/performance.md).
        """
        return self.recorded_processor is None or self.recorded_processor == self.processor

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "run_id": self.run_id, "command": self.command, "reproduced": self.reproduced,
            "predictions_equal": self.predictions_equal, "submission_unchanged": self.submission_unchanged,
            "recipe_unchanged": self.recipe_unchanged,
            "recorded_processor": self.recorded_processor, "processor": self.processor, "same_processor": self.same_processor,
            "note": self.note,
            "differences": list(self.differences),
            "interval": self.interval.to_dict() if self.interval is not None else None,
            "metrics": [{**dataclasses.asdict(c), "equal": c.equal} for c in self.checks],
        }  # fmt: skip


def _same_arrays(first: dict, second: dict) -> bool:
    """Prediction arrays equal element for element (the .npz bytes hold write times, so hashes differ)."""
    return first.keys() == second.keys() and all(np.array_equal(first[k], second[k]) for k in first)


def verify_run(
    entry: RunEntry,
    *,
    tfds_dir: str | os.PathLike | None = None,
    data: TrackData | CrossdbData | None = None,
    on_epoch=None,
) -> VerifyReport:
    """Re-run ``entry`` and compare every metric and the prediction file.

    ``data`` replaces the splits the re-run would load (tests pass small synthetic ones): a
    :class:`~ecgbench.runner.data.TrackData` for a beat track, a
    :class:`~ecgbench.runner.crossdb.CrossdbData` for a cross-database run.

    Raises
    ------
    ConfigError
        The record's task or submission kind cannot be re-run here.
    SubmissionError
        The submission can no longer be loaded.
    """
    from ecgbench.runner.beat import run_beat_benchmark

    record = entry.record
    task, kind = record["task"], record["submission"].get("kind")
    if kind == PREDICTIONS_KIND:
        return rescore_prediction_run(entry)
    crossdb = _crossdb_task(task)
    if task not in TASK_TRACKS and crossdb is None:
        raise ConfigError(f"run {entry.run_id}: verify re-runs beat-track runs ({', '.join(TASK_TRACKS)}, {CROSSDB_TASK}), not task {task!r}")
    source = record["submission"].get("source")
    boot = record["bootstrap"]
    command = str(record["provenance"].get("command", ""))
    recipe_unchanged = None
    with tempfile.TemporaryDirectory(prefix="ecgbench-verify-") as scratch:
        if kind in MODEL_FILE_KINDS and crossdb is None:
            rerun = evaluate_model_file(source, tfds_dir=tfds_dir, results_dir=scratch, data=data,
                                        bootstrap_resamples=int(boot["n_resamples"]), command=command)  # fmt: skip
            unchanged = rerun.record["submission"]["sha256"] == record["submission"].get("sha256")
        elif kind in ("keras", "estimator"):
            loaded, unchanged, recipe_unchanged = _with_recorded_recipe(entry, task)
            if crossdb is not None:
                rerun = _rerun_crossdb(entry, crossdb, loaded, tfds_dir, scratch, command, data)
            else:
                rerun = run_beat_benchmark(
                    loaded, track=TASK_TRACKS[task], seed=record["seed"], quick=record["quick"], tfds_dir=tfds_dir,
                    results_dir=scratch, data=data, bootstrap_resamples=int(boot["n_resamples"]), command=command, on_epoch=on_epoch,
                )  # fmt: skip
        else:
            raise ConfigError(f"run {entry.run_id}: submission kind {kind!r} cannot be re-run by verify on task {task!r}")
        predictions_equal = _same_arrays(entry.predictions(), read_predictions(rerun.predictions_path))
    checks = []
    for metric, entry_values in record["metrics"].items():
        again = rerun.record["metrics"].get(metric, {})
        checks += [MetricCheck(metric, f, entry_values.get(f), again.get(f)) for f in _FIELDS]
    processors = [(r.get("provenance") or {}).get("hardware", {}).get("processor") for r in (record, rerun.record)]
    return VerifyReport(
        entry.run_id, command, tuple(checks), predictions_equal, unchanged, *processors,
        differences=tuple(environment_differences(record, rerun.record)),
        interval=interval_verdict(record["metrics"], rerun.record["metrics"]),
        recipe_unchanged=recipe_unchanged,
    )  # fmt: skip


#: The cross-database task verify re-runs through :mod:`ecgbench.runner.crossdb`.
CROSSDB_TASK = "beats-crossdb-svdb"


def _crossdb_task(task: str):
    """The task object when ``task`` is run by the cross-database runner (None otherwise)."""
    from ecgbench.tasks import find_task

    found = find_task(task)
    return found if found is not None and found.run == "ecgbench.runner.crossdb:run_crossdb_task" else None


def _with_recorded_recipe(entry: RunEntry, task: str) -> tuple[LoadedSubmission, bool, bool]:
    """The record's submission carrying the recorded recipe; whether its files and its recipe are the recorded ones.

    The files' hash is :func:`~ecgbench.leaderboard.provenance.sha256_files` over
    :attr:`LoadedSubmission.files`; the recipe is compared in today's spelling (a recorded
    ``options.ensemble`` is the ``ensemble`` wrapper, :mod:`ecgbench.models.wrappers`), as the run
    would resolve it now for the record's track, seed and ``quick``.
    """
    from ecgbench.runner.beat import run_recipe

    record = entry.record
    loaded = load_submission(record["submission"].get("source"))
    recorded = Recipe.from_dict(record["recipe"], source=f"run record {entry.path}")
    track = TASK_TRACKS.get(task, "interpatient")  # a cross-database run is trained as beats-interpatient
    current = run_recipe(loaded, record["seed"], None, bool(record["quick"]), track)
    same_recipe = current.to_dict() == recorded.to_dict()  # both in today's spelling: Recipe.from_dict reads the legacy one
    unchanged = sha256_files(loaded.files, root=loaded.folder) == record["submission"].get("sha256")
    return dataclasses.replace(loaded, recipe=recorded), unchanged, same_recipe


def _rerun_crossdb(entry: RunEntry, task, loaded: LoadedSubmission, tfds_dir, scratch: str, command: str, data=None):
    """Re-run a cross-database record: the same reused model (``training.model_run``) or a refit estimator."""
    from ecgbench.runner.crossdb import run_crossdb

    record = entry.record
    model_record = None
    if loaded.kind == "keras":
        training = record.get("training") or {}
        run_id, model_task = training.get("model_run"), training.get("model_task")
        if not run_id or not model_task:
            raise ConfigError(f"run {entry.run_id}: field training.model_run/model_task is missing; cannot tell which model it reused")
        model_record = entry.path.parent.parent / str(model_task) / f"{run_id}.json"
        if not model_record.is_file():
            raise ConfigError(f"run {entry.run_id}: the model run it reused ({model_record}) is not in the results tree; restore it to verify")
    return run_crossdb(task, loaded, seed=record["seed"], quick=bool(record["quick"]), tfds_dir=tfds_dir, results_dir=scratch,
                       model_record=model_record, data=data, bootstrap_resamples=int(record["bootstrap"]["n_resamples"]), command=command)  # fmt: skip


def rescore_prediction_run(entry: RunEntry) -> VerifyReport:
    """Re-score a prediction-file run from its saved predictions (it cannot be re-run) and compare every figure.

    The saved file holds the test split's keys and reference labels with the submitted
    probabilities; they are scored with the task's scorer and the record's bootstrap settings
    (:func:`ecgbench.runner.predictions.score_against`). ``predictions_equal`` says whether the
    file still has the SHA-256 the record names.
    """
    from ecgbench.leaderboard.provenance import sha256_file
    from ecgbench.models.prediction_file import SubmittedPredictions
    from ecgbench.runner.predictions import score_against
    from ecgbench.runner.task_facts import task_facts

    record = entry.record
    facts = task_facts(record["task"])
    saved = entry.predictions()
    keys = {"record": np.asarray(saved["record"]).astype(str), facts.position_key: np.asarray(saved["sample"], np.int64)}
    reference = {**keys, "label": np.asarray(saved["label"], np.int64)}
    submitted = SubmittedPredictions(keys["record"], keys[facts.position_key], np.asarray(saved["probabilities"], np.float32), None, "probabilities")
    boot = record["bootstrap"]
    scored = score_against(facts, reference, submitted, n_resamples=int(boot["n_resamples"]), seed=int(boot["seed"]), source=str(entry.predictions_path))
    checks = []
    for metric, values in record["metrics"].items():
        again = scored.metrics.get(metric, {})
        checks += [MetricCheck(metric, f, values.get(f), again.get(f)) for f in _FIELDS]
    same_file = sha256_file(entry.predictions_path) == (record.get("predictions") or {}).get("sha256")
    note = (f"run {entry.run_id} is a prediction-file submission: there is no model or code, so it cannot be re-run; "
            "its figures were re-scored from its prediction file instead")  # fmt: skip
    return VerifyReport(entry.run_id, str(record["provenance"].get("command", "")), tuple(checks), same_file, None, note=note)
