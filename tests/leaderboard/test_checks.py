"""Each check passes a faithful record and fails a tampered one with a message naming the field."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.leaderboard.checks import FAIL, PASS, SKIP, check_record
from ecgbench.leaderboard.checks.dataset import DatasetLabelsCheck
from ecgbench.leaderboard.record import read_predictions, write_predictions

from lb_helpers import copy_run


def _status(report):
    return {r.check: r.status for r in report.results}


def _message(report, check):
    return next(r.message for r in report.results if r.check == check)


def _edit(path, change):
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record, indent=2))


def test_faithful_record_passes_every_check(prior_run, session, tmp_path):
    report = check_record(copy_run(prior_run, tmp_path), session)
    assert report.ok, report.failures()
    assert _status(report) == {
        "schema": PASS, "prediction-hash": PASS, "metrics": PASS, "dataset-labels": SKIP,
        "dataset-checksum": PASS, "track-rules": PASS, "seed": PASS, "artifacts": SKIP,
    }  # fmt: skip
    assert "cannot be read here" in _message(report, "dataset-labels")
    assert "estimator" in _message(report, "artifacts")


def test_edited_metric_fails_naming_the_field(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: r["metrics"]["gross.accuracy"].update(value=r["metrics"]["gross.accuracy"]["value"] + 1.0))
    report = check_record(path, session)
    assert not report.ok and _status(report)["metrics"] == FAIL
    assert "metrics['gross.accuracy'].value" in _message(report, "metrics")
    assert _status(report)["prediction-hash"] == PASS


def test_edited_interval_fails_naming_the_field(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: r["metrics"]["gross.veb.se"].update(ci_high=99.0))
    report = check_record(path, session)
    assert "metrics['gross.veb.se'].ci_high" in _message(report, "metrics")


def test_edited_prediction_file_fails_hash_and_metrics(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    npz = path.with_suffix(".npz")
    arrays = read_predictions(npz)
    probabilities = arrays["probabilities"].copy()
    probabilities[arrays["label"] == 2] = [0, 0, 1, 0, 0]  # "predict" every V beat correctly
    write_predictions(npz, arrays["record"], arrays["sample"], arrays["label"], probabilities)
    report = check_record(path, session)
    assert _status(report)["prediction-hash"] == FAIL
    assert "predictions.sha256" in _message(report, "prediction-hash")
    assert _status(report)["metrics"] == FAIL  # the hash-matched record no longer matches its predictions
    assert "metrics['gross.veb.se'].value is 0.0, recomputed 100.0" in _message(report, "metrics")


def test_missing_prediction_file_fails(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    path.with_suffix(".npz").unlink()
    report = check_record(path, session)
    assert "is missing" in _message(report, "prediction-hash")


def test_unknown_schema_version_fails_and_skips_the_rest(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: r.update(schema_version=7))
    report = check_record(path, session)
    assert _status(report)["schema"] == FAIL and "schema_version is 7" in _message(report, "schema")
    assert {s for c, s in _status(report).items() if c != "schema"} == {SKIP}


def test_schema_problems_name_fields(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: (r.pop("seed"), r["metrics"]["gross.accuracy"].update(value="high")))
    message = _message(check_record(path, session), "schema")
    assert "missing field 'seed'" in message and "metrics['gross.accuracy'].value must be a number" in message


def test_not_json_fails_schema(session, tmp_path):
    path = tmp_path / "beats-interpatient" / "broken.json"
    path.parent.mkdir()
    path.write_text("{not json")
    assert "cannot read" in _message(check_record(path, session), "schema")


def test_training_on_ds2_breaks_the_track_rules(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: r["dataset"]["splits"].update(val="ds2"))
    report = check_record(path, session)
    assert _status(report)["track-rules"] == FAIL and "dataset.splits.val" in _message(report, "track-rules")


def test_unpublished_dataset_checksum_fails(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: r["dataset"].update(checksum="0" * 64))
    report = check_record(path, session)
    assert _status(report)["dataset-checksum"] == FAIL and "dataset.checksum" in _message(report, "dataset-checksum")


def test_seed_must_match_the_recipe(prior_run, session, tmp_path):
    path = copy_run(prior_run, tmp_path)
    _edit(path, lambda r: r["recipe"].update(seed=r["seed"] + 1))
    report = check_record(path, session)
    assert _status(report)["seed"] == FAIL and "recipe.seed" in _message(report, "seed")


def test_labels_are_compared_with_the_dataset():
    check = DatasetLabelsCheck()
    reference = {"record": np.array(["100", "100", "101"]), "sample": np.array([10, 20, 30]), "label": np.array([0, 2, 1])}
    good = {"record": np.array(["100", "101"]), "sample": np.array([20, 30]), "label": np.array([2, 1])}
    assert check._compare(good, reference, "ds2", quick=True).status == PASS
    assert check._compare(good, reference, "ds2", quick=False).status == FAIL  # a ranked run must cover the split
    bad = {**good, "label": np.array([0, 1])}
    result = check._compare(bad, reference, "ds2", quick=True)
    assert result.status == FAIL and "record 100 sample 20 has label 0, the dataset says 2" in result.message
    stray = {**good, "sample": np.array([21, 30])}
    assert "not in split ds2" in check._compare(stray, reference, "ds2", quick=True).message


def test_cli_check_exit_codes(prior_run, session, tmp_path, monkeypatch):
    import ecgbench.leaderboard.canonical as canonical

    monkeypatch.setattr(canonical, "read_canonical_checksums", lambda path=None: session.canonical)
    path = copy_run(prior_run, tmp_path)
    runner = CliRunner()
    ok = runner.invoke(app, ["leaderboard", "check", str(tmp_path), "--no-dataset", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)[0]["ok"] is True
    _edit(path, lambda r: r["metrics"]["gross.veb.f1"].update(value=50.0))
    bad = runner.invoke(app, ["leaderboard", "check", str(path), "--no-dataset", "--json"])
    assert bad.exit_code == 1
    failed = [c for c in json.loads(bad.stdout)[0]["checks"] if c["status"] == "fail"]
    assert [c["check"] for c in failed] == ["metrics"] and "gross.veb.f1" in failed[0]["message"]


@pytest.mark.slow
def test_real_run_records_pass(tmp_path):
    """Every committed run record passes (labels compared with the local build when there is one)."""
    from ecgbench.leaderboard.checks import CheckSession, check_records
    from ecgbench.leaderboard.store import record_paths
    from ecgbench.paths import repo_root

    results = repo_root() / "leaderboards" / "results"
    paths = record_paths([results]) if results.is_dir() else []
    if not paths:
        pytest.skip("no committed run records under leaderboards/results")
    failures = {str(r.path): r.failures() for r in check_records(paths, CheckSession.default()) if not r.ok}
    assert not failures
