"""Task ``beats-crossdb-svdb``: registered and listed; runs on a tiny SVDB-like split; its records pass the checks; its rules hold.

The test split is synthetic (every SVDB record name, a few seconds each) and DS1 is the tiny
synthetic track (:func:`ecgbench.runner.synthetic.synthetic_track`), so nothing here needs the
built datasets.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ecgbench.leaderboard.checks import CheckSession, check_record
from ecgbench.records.lists import SVDB_RECORDS
from ecgbench.runner.crossdb import CrossdbData, run_crossdb
from ecgbench.tasks import get_task

NAME = "beats-crossdb-svdb"


@pytest.fixture(scope="module")
def svdb_like(tiny_track):
    """The 78 SVDB record names as 8-s synthetic records; DS1 = the tiny track's train and val."""
    from ecgbench.runner.synthetic import synthetic_beats

    test = synthetic_beats(list(SVDB_RECORDS), duration=8.0, seed=7)
    return CrossdbData(test=test, dataset={"name": "svdb/beats", "version": "1.0.0", "checksum": "0" * 64},
                       train=tiny_track.train, val=tiny_track.val, train_splits={"train": "ds1_train", "val": "ds1_val"},
                       train_dataset=dict(tiny_track.dataset))  # fmt: skip


def _session() -> CheckSession:
    return CheckSession(canonical=None, use_local_dataset=False)  # synthetic data: no published checksum to compare


def _statuses(path) -> dict[str, tuple[str, str]]:
    return {r.check: (r.status, r.message) for r in check_record(path, _session()).results}


def test_task_is_registered_and_listed():
    from typer.testing import CliRunner

    from ecgbench.cli import app

    task = get_task(NAME)
    assert task.dataset.full_name == "svdb/beats" and task.splits.test == "test"
    assert (task.splits.train, task.splits.val) == ("ds1_train", "ds1_val") and set(task.splits.may_train_on) == {"ds1", "ds1_train", "ds1_val"}
    assert task.rules.test_records == SVDB_RECORDS and len(SVDB_RECORDS) == 78 and task.rules.all_test_records
    assert task.board.compare_task == "beats-interpatient" and "ECG1/ECG2" in task.board.note and "never used" in task.board.note
    listed = CliRunner().invoke(app, ["tasks"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert listed.exit_code == 0 and NAME in listed.stdout and "svdb/beats" in listed.stdout


@pytest.fixture(scope="module")
def prior_run(svdb_like, tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    return run_crossdb(get_task(NAME), "prior", data=svdb_like, results_dir=results, bootstrap_resamples=5), results


def test_estimator_run_is_fitted_on_ds1_and_passes_the_checks(prior_run, svdb_like):
    run, _ = prior_run
    record = run.record
    assert record["task"] == NAME and record["dataset"]["name"] == "svdb/beats"
    assert record["dataset"]["splits"] == {"train": "ds1_train", "val": "ds1_val", "test": "test"}
    with np.load(run.predictions_path) as saved:
        assert set(saved["record"].tolist()) == set(SVDB_RECORDS) and len(saved["record"]) == len(svdb_like.test)
        # prior predicts DS1's training class frequencies for every beat (fitted on DS1, not on SVDB)
        counts = np.bincount(svdb_like.train.label, minlength=5) / len(svdb_like.train)
        np.testing.assert_allclose(saved["probabilities"][0], counts, atol=1e-6)
    statuses = _statuses(run.record_path)
    assert not [c for c, (s, _) in statuses.items() if s == "fail"], statuses
    assert statuses["track-rules"][0] == "pass" and statuses["metrics"][0] == "pass"


def _copy(run, tmp_path):
    folder = tmp_path / "results" / NAME
    folder.mkdir(parents=True)
    path = shutil.copy(run.record_path, folder / run.record_path.name)
    shutil.copy(run.predictions_path, folder / run.predictions_path.name)
    return folder / run.record_path.name


@pytest.mark.parametrize(("role", "split"), [("train", "ds2"), ("val", "test"), ("train", "intra_train")])
def test_rules_refuse_training_or_selection_outside_ds1(prior_run, tmp_path, role, split):
    run, _ = prior_run
    path = _copy(run, tmp_path)
    record = json.loads(path.read_text())
    record["dataset"]["splits"][role] = split
    path.write_text(json.dumps(record))
    status, message = _statuses(path)["track-rules"]
    assert status == "fail" and "may only train and select on ds1, ds1_train, ds1_val" in message


def test_rules_refuse_a_ranked_run_missing_an_svdb_record(prior_run, tmp_path):
    from ecgbench.leaderboard.provenance import sha256_file
    from ecgbench.leaderboard.record import write_arrays

    run, _ = prior_run
    path = _copy(run, tmp_path)
    arrays = dict(np.load(path.with_suffix(".npz")))
    keep = arrays["record"] != "800"
    write_arrays(path.with_suffix(".npz"), {k: v[keep] for k, v in arrays.items()})
    record = json.loads(path.read_text())
    record["predictions"]["sha256"] = sha256_file(path.with_suffix(".npz"))
    path.write_text(json.dumps(record))
    status, message = _statuses(path)["track-rules"]
    assert status == "fail" and "missing 800" in message


@pytest.fixture(scope="module")
def keras_runs(tiny_track, svdb_like, tmp_path_factory):
    """A 1-epoch cnn1d beats-interpatient run on the tiny track, and the SVDB run reusing its model."""
    from dataclasses import replace

    from ecgbench.runner.beat import run_beat_benchmark

    results = tmp_path_factory.mktemp("keras-results")
    ds1_named = replace(tiny_track, splits={"train": "ds1_train", "val": "ds1_val", "test": "ds2"})  # the protocol's split names
    source = run_beat_benchmark("cnn1d", data=ds1_named, epochs=1, results_dir=results, bootstrap_resamples=5)
    return source, run_crossdb(get_task(NAME), "cnn1d", seed=0, data=svdb_like, results_dir=results, bootstrap_resamples=5), results


def test_keras_run_reuses_the_committed_model_and_names_it(keras_runs, svdb_like):
    import ecgbench
    from ecgbench.runner.data import interval_fields

    source, run, results = keras_runs
    training = run.record["training"]
    assert training["model_run"] == source.record["run_id"] and training["model_task"] == "beats-interpatient"
    assert run.record["recipe"] == source.record["recipe"] and run.record["seed"] == 0
    assert run.record["dataset"]["splits"] == {"train": "ds1_train", "val": "ds1_val", "test": "test"}
    model = ecgbench.load_model("cnn1d", 0, results_dir=results)
    test = svdb_like.test
    expected = model.predict({**interval_fields(test), "record": test.record, "sample": test.sample, "label": test.label})
    with np.load(run.predictions_path) as saved:
        np.testing.assert_allclose(saved["probabilities"], expected, atol=1e-5)
    statuses = _statuses(run.record_path)
    assert not [c for c, (s, _) in statuses.items() if s == "fail"], statuses
    assert statuses["artifacts"][0] == "pass" and source.record["run_id"] in statuses["artifacts"][1]


def test_artifacts_check_fails_when_the_reused_model_changed(keras_runs, tmp_path):
    source, run, results = keras_runs
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    model_file = copy / "beats-interpatient" / source.record["run_id"] / "model.keras"
    model_file.write_bytes(model_file.read_bytes() + b"x")
    status, message = _statuses(copy / NAME / run.record_path.name)["artifacts"]
    assert status == "fail" and "was changed after the run" in message
    shutil.rmtree(copy / "beats-interpatient")
    status, message = _statuses(copy / NAME / run.record_path.name)["artifacts"]
    assert status == "fail" and "has no record" in message


def test_keras_submission_without_a_committed_run_is_refused(svdb_like, tmp_path):
    from ecgbench.errors import DataNotFoundError

    with pytest.raises(DataNotFoundError, match="no beats-interpatient run of 'resnet1d' at seed 0"):
        run_crossdb(get_task(NAME), "resnet1d", seed=0, data=svdb_like, results_dir=tmp_path)
    assert not (tmp_path / NAME).exists()


def test_board_shows_each_submissions_interpatient_figures_beside_its_svdb_figures(keras_runs):
    from ecgbench.leaderboard.render import render_texts

    source, run, results = keras_runs
    boards, texts = render_texts(results, check=False)
    page = texts[f"{NAME}.md"]
    assert "## Beside beats-interpatient" in page and "ECG1/ECG2" in page
    (row,) = [line for line in page.splitlines() if line.startswith("| cnn1d |") and "Δ" not in line and line.count("|") == 11]
    ds2 = source.record["metrics"]["gross.accuracy"]["value"]
    svdb = run.record["metrics"]["gross.accuracy"]["value"]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:4] == [f"{ds2:.2f}", f"{svdb:.2f}", f"{svdb - ds2:+.2f}"]
    assert "Beside beats-interpatient" in texts["index.html"]


def test_af_gate_of_the_recipe_gates_svdb_beats_at_their_360_hz_positions(tiny_track, tmp_path, write_submission):
    """An AF stretch in an SVDB record (128 Hz source, positions converted to 360 Hz) is gated as its times in seconds say."""
    from dataclasses import replace

    from ecgbench.leaderboard import read_predictions
    from ecgbench.streaming.af_gate import gate_supraventricular
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_af_gate_cases", Path(__file__).with_name("test_af_gate_wrapper.py"))
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)  # its striped estimator (every fourth beat S) and its AF record
    _SOURCE, _af_record = cases._SOURCE, cases._af_record
    record_128 = _af_record(tiny_track.test, 128.0)
    test = replace(_af_record(tiny_track.test, 360.0), record=np.full(len(record_128), "800"))
    data = CrossdbData(test=test, dataset={"name": "svdb/beats", "version": "1.0.0", "checksum": "0" * 64}, train=tiny_track.train,
                       val=tiny_track.val, train_splits={"train": "ds1_train", "val": "ds1_val"}, train_dataset=dict(tiny_track.dataset))  # fmt: skip
    runs = {}
    for gate in (False, True):
        folder = write_submission(f"striped-{gate}", _SOURCE, json.dumps({"seed": 0, "wrappers": {"af_gate": {}} if gate else {}}))
        runs[gate] = run_crossdb(get_task(NAME), folder, data=data, quick=True, results_dir=tmp_path / str(gate), bootstrap_resamples=5)
    plain = read_predictions(runs[False].predictions_path)["probabilities"]
    gated = read_predictions(runs[True].predictions_path)["probabilities"]
    _, in_af_source = gate_supraventricular(plain, record_128.record, record_128.sample, 128.0)  # the gate on the source rate
    expected, in_af = gate_supraventricular(plain, test.record, test.sample, 360.0)
    assert in_af.sum() > 100 and np.mean(in_af == in_af_source) > 0.99  # same AF state whatever the sampling rate
    np.testing.assert_allclose(gated, expected, atol=1e-7)
    assert runs[True].record["training"]["af_gate"] is True and not (gated[in_af].argmax(axis=1) == 1).any()


def test_public_api_reads_svdb_for_test_and_ds1_for_train_and_the_evaluator_scores_like_the_run(prior_run, svdb_like):
    import ecgbench
    from ecgbench.leaderboard import read_predictions
    from ecgbench.runner.task_facts import task_facts

    facts = task_facts(NAME)
    assert facts.source("test") == ("svdb", "beats") and facts.split("test") == "test"
    assert facts.source("train") == facts.source("val") == ("mitdb", "beats") and facts.split("val") == "ds1_val"
    run, _ = prior_run
    test = svdb_like.test
    evaluator = ecgbench.Evaluator(NAME, bootstrap_resamples=5, reference={"record": test.record, "sample": test.sample, "label": test.label})
    saved = read_predictions(run.predictions_path)
    metrics = evaluator.eval({"record": saved["record"], "sample": saved["sample"], "probabilities": saved["probabilities"]}, seed=run.record["seed"])
    assert metrics["gross.accuracy"] == run.record["metrics"]["gross.accuracy"]


def test_verify_re_runs_an_estimator_record_and_a_keras_record_with_its_recorded_model(prior_run, keras_runs, svdb_like):
    """``verify`` re-runs cross-database records: the estimator refitted on DS1, the Keras run from the model it names."""
    from ecgbench.leaderboard.store import load_run
    from ecgbench.runner.verify import verify_run

    report = verify_run(load_run(prior_run[0].record_path), data=svdb_like)
    assert report.reproduced and report.predictions_equal, report.to_dict()
    assert report.submission_unchanged and report.recipe_unchanged and report.submission_summary() == "submission files unchanged"
    report = verify_run(load_run(keras_runs[1].record_path), data=svdb_like)
    assert report.reproduced and report.predictions_equal, report.to_dict()
    # the reused model was trained with --epochs 1: same files, a recorded recipe the files alone do not give
    assert report.submission_unchanged and report.recipe_unchanged is False and "run-time overrides" in report.submission_summary()


def test_verify_of_a_keras_record_uses_the_model_run_it_names_not_the_newest(keras_runs, svdb_like, tmp_path):
    from ecgbench.errors import ConfigError
    from ecgbench.leaderboard.store import load_run
    from ecgbench.runner.verify import verify_run

    source, run, results = keras_runs
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    path = copy / NAME / run.record_path.name
    record = json.loads(path.read_text())
    record["training"]["model_run"] = "20000101T000000Z-cnn1d-seed0"
    path.write_text(json.dumps(record))
    with pytest.raises(ConfigError, match=r"the model run it reused .*20000101T000000Z-cnn1d-seed0.json\) is not in the results tree"):
        verify_run(load_run(path), data=svdb_like)
