"""A task declared only here (no package file touched) runs, passes ``leaderboard check`` and renders its board.

The toy task ``toy-beats`` classifies the beats of the tiny synthetic track
(:func:`ecgbench.runner.synthetic.synthetic_track`): its run function predicts the training
split's class frequencies for every test beat (submission ``prior``), scores them with the beat
runner's EC57 scorer and writes the run through the shared run-record writer. Its dataset identity
is verified by its own ``verify_dataset`` function, its splits by its own protocol rules.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import numpy as np
import pytest

from ecgbench.leaderboard.tracks import Column, Track
from ecgbench.tasks import (
    InputField,
    ProtocolRules,
    SplitRoles,
    Task,
    TaskRun,
    get_task,
    metrics_of,
    register,
    unregister,
)

NAME = "toy-beats"
TEST_RECORDS = ("s06", "s07", "s08")
BOARD = Track(
    task=NAME,
    title="Toy beats — synthetic records (test-only task)",
    note="Three synthetic test records; a task registered by a test module.",
    columns=(Column("gross.accuracy", "Acc"), Column("gross.veb.se", "VEB Se"), Column("gross.veb.ppv", "VEB +P")),
    beat_predictions=True,
    headline=("gross.accuracy",),
)


def _data():
    from ecgbench.runner.synthetic import synthetic_track

    return synthetic_track()


def verify_dataset(dataset: dict) -> str:
    """The checksum the toy data must have: regenerate them and hash."""
    return _data().dataset["checksum"]


def run_toy(task: Task, submission: str, options) -> TaskRun:
    """Predict the training class frequencies for every test beat; score with EC57; write the run."""
    from ecgbench.errors import ConfigError
    from ecgbench.runner.evaluate import score_predictions
    from ecgbench.runner.recording import write_run

    if submission != "prior":
        raise ConfigError(f"unknown toy submission {submission!r}; valid: prior")
    started, clock = datetime.now(UTC), time.perf_counter()
    data = _data()
    counts = np.bincount(data.train.label, minlength=5).astype(np.float64)
    probabilities = np.tile(counts / counts.sum(), (len(data.test), 1)).astype(np.float32)
    seed = 0 if options.seed is None else options.seed
    ec57, metrics = score_predictions(data.test, probabilities, task.sampling_rate, n_resamples=options.bootstrap_resamples, seed=seed)
    metrics = {key: metrics[key] for key in (m.key for m in task.metrics)}
    record, record_path, predictions_path = write_run(
        submission={"name": submission, "source": __name__, "kind": "toy", "sha256": "0" * 64},
        recipe={}, seed=seed, task=task.name, quick=options.quick,
        dataset={**data.dataset, "name": "toy/synthetic", "splits": {"train": "synthetic_train", "val": "synthetic_val", "test": "synthetic_test"},
                 "n_beats": data.n_beats()},
        test=data.test, probabilities=probabilities, metrics=metrics, bootstrap_resamples=options.bootstrap_resamples,
        training={"note": "class frequencies of the training split"}, started_at=started, clock=clock,
        results_dir=options.results_dir,
    )  # fmt: skip
    return TaskRun(record=record, record_path=record_path, predictions_path=predictions_path, report=ec57)


TOY = Task(
    name=NAME,
    title="Toy: AAMI classes of synthetic beats",
    dataset=None,
    splits=SplitRoles(train="synthetic_train", val="synthetic_val", test="synthetic_test",
                      may_train_on=("synthetic_train", "synthetic_val")),  # fmt: skip
    inputs=(InputField("signal", (288, 2), "mV", "synthetic beat window"),),
    sampling_rate=360.0,
    leads=("synthetic lead 0", "synthetic lead 1"),
    metrics=metrics_of(BOARD),
    ranking_metric="gross.accuracy",
    board=BOARD,
    rules=ProtocolRules(test_records=TEST_RECORDS, all_test_records=True),
    run=f"{__name__}:run_toy",
    verify_dataset=f"{__name__}:verify_dataset",
    summary_rows=(("gross.accuracy", "accuracy"),),
)


@pytest.fixture()
def toy_task():
    register(TOY)
    yield TOY
    unregister(NAME)


def _invoke(*args):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_toy_task_runs_checks_and_renders_end_to_end(toy_task, tmp_path):
    results = tmp_path / "leaderboards" / "results"
    listed = _invoke("tasks", "--json")
    assert listed.exit_code == 0, listed.output
    assert NAME in [t["name"] for t in json.loads(listed.stdout)]

    out = _invoke("run", NAME, "prior", "--results-dir", str(results), "--bootstrap", "20", "--json")
    assert out.exit_code == 0, out.output
    record = json.loads(out.stdout)
    assert record["task"] == NAME and (results / NAME / f"{record['run_id']}.json").is_file()
    assert 0 < record["metrics"]["gross.accuracy"]["value"] < 100

    checked = _invoke("leaderboard", "check", "--results-dir", str(results), "--json")
    assert checked.exit_code == 0, checked.output
    (report,) = json.loads(checked.stdout)
    assert report["ok"]
    statuses = {r["check"]: r["status"] for r in report["checks"]}
    for check in ("schema", "prediction-hash", "metrics", "dataset-checksum", "track-rules", "seed"):
        assert statuses[check] == "pass", (check, report)

    rendered = _invoke("leaderboard", "render", "--results-dir", str(results))
    assert rendered.exit_code == 0, rendered.output
    board = (tmp_path / "leaderboards" / f"{NAME}.md").read_text()
    assert BOARD.title in board and record["run_id"] in board


def test_toy_task_checks_fail_when_its_rules_are_broken(toy_task, tmp_path):
    results = tmp_path / "results"
    out = _invoke("run", NAME, "prior", "--results-dir", str(results), "--bootstrap", "10", "--json")
    assert out.exit_code == 0, out.output
    path = results / NAME / f"{json.loads(out.stdout)['run_id']}.json"
    record = json.loads(path.read_text())
    record["dataset"]["splits"]["val"] = "synthetic_test"  # selected on the test split
    record["dataset"]["checksum"] = "f" * 64  # and not the data the task declares
    path.write_text(json.dumps(record))
    from ecgbench.leaderboard.checks import CheckSession, check_record

    statuses = {r.check: (r.status, r.message) for r in check_record(path, CheckSession.default()).results}
    assert statuses["track-rules"][0] == "fail" and "may only train and select on synthetic_train, synthetic_val" in statuses["track-rules"][1]
    assert statuses["dataset-checksum"][0] == "fail"


def test_unknown_task_lists_the_valid_names():
    from ecgbench.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown task 'toy-beats'; valid tasks: beats-interpatient"):
        get_task(NAME)
    out = _invoke("run", "no-such-task", "prior")
    assert out.exit_code == 2 and "unknown task or command 'no-such-task'" in out.stderr
