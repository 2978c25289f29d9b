"""Trained-model artefacts: saved by Keras runs, hashed in the record, checked, reusable by the stream."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ecgbench.errors import ConfigError, CorruptDataError, DataNotFoundError
from ecgbench.leaderboard.checks import ArtifactsCheck, CheckContext, CheckSession
from ecgbench.leaderboard.store import record_paths
from ecgbench.runner.artifacts import ARTIFACT_FILES
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.runner.data import interval_fields


@pytest.fixture(scope="module")
def keras_run(tiny_track, tmp_path_factory):
    """One ranked (non-quick) 1-epoch cnn1d run on the tiny synthetic track."""
    results = tmp_path_factory.mktemp("results")
    result = run_beat_benchmark("cnn1d", data=tiny_track, epochs=1, results_dir=results, bootstrap_resamples=5)
    return result, results


def _check(path):
    return ArtifactsCheck().run(CheckContext.load(path, CheckSession(canonical=None, use_local_dataset=False)))


def test_keras_run_saves_small_hashed_artifacts(keras_run):
    result, _ = keras_run
    block = result.record["artifacts"]
    folder = result.record_path.parent / block["folder"]
    assert block["folder"] == result.record["run_id"]
    assert sorted(block["files"]) == sorted(ARTIFACT_FILES)
    assert (folder / "model.keras").stat().st_size < 2_000_000
    assert json.loads((folder / "recipe.json").read_text())["epochs"] == 1
    assert _check(result.record_path).status == "pass"


def test_saved_model_reproduces_the_runs_test_predictions(keras_run, tiny_track):
    from ecgbench.streaming.classifier import load_classifier

    result, _ = keras_run
    classifier = load_classifier(str(result.record_path.parent / result.record["artifacts"]["folder"]))
    fields = interval_fields(tiny_track.test)
    rr = {"pre": fields["rr_pre"], "post": fields["rr_post"], "local": fields["rr_local"], "average": fields["rr_average"]}
    probabilities = classifier.classify(fields["signal"], rr)
    with np.load(result.predictions_path) as saved:
        np.testing.assert_allclose(probabilities, saved["probabilities"], atol=1e-5)


def test_tampered_artifact_fails_the_check_and_the_loader(keras_run, tmp_path):
    from ecgbench.streaming.model_adapter import load_model_classifier

    result, results = keras_run
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    record = copy / result.record["task"] / result.record_path.name
    normalizer = record.parent / result.record["artifacts"]["folder"] / "normalizer.json"
    normalizer.write_text(normalizer.read_text().replace("median", "mean"))
    outcome = _check(record)
    assert outcome.status == "fail" and "normalizer.json" in outcome.message
    with pytest.raises(CorruptDataError, match="changed after the run"):
        load_model_classifier(str(record))
    normalizer.unlink()
    assert "missing" in _check(record).message


def test_baseline_name_resolves_to_the_newest_run_with_artifacts(keras_run, tmp_path):
    from ecgbench.streaming.model_adapter import resolve_model_folder

    result, results = keras_run
    source = resolve_model_folder("cnn1d", results)
    assert source.record_path == result.record_path and source.folder.name == result.record["run_id"]
    with pytest.raises(DataNotFoundError, match="ecgbench run baseline resnet1d --track interpatient"):
        resolve_model_folder("resnet1d", results)
    with pytest.raises(ConfigError, match="model.keras"):
        resolve_model_folder(str(tmp_path))


def test_estimator_runs_say_why_nothing_is_saved(tiny_track, tmp_path):
    result = run_beat_benchmark("prior", data=tiny_track, quick=True, results_dir=tmp_path, bootstrap_resamples=5)
    block = result.record["artifacts"]
    assert block["folder"] is None and "estimator" in block["note"]
    outcome = _check(result.record_path)
    assert outcome.status == "skip" and "estimator" in outcome.message


def test_record_paths_skip_artifact_folders(keras_run):
    result, results = keras_run
    paths = record_paths([results])
    assert result.record_path in paths
    assert not any(p.parent.name == result.record["run_id"] for p in paths)


def test_baseline_name_resolves_to_the_recipe_seed_not_a_newer_seed_run(keras_run, tmp_path):
    from ecgbench.leaderboard.pretrained import find_run
    from ecgbench.streaming.model_adapter import resolve_model_folder

    result, results = keras_run
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    task_dir = copy / result.record["task"]
    other = json.loads(result.record_path.read_text())
    other.update(seed=1, run_id="20991231T000000Z-cnn1d-seed1")
    other["provenance"]["started_at"] = "2099-12-31T00:00:00+00:00"  # newer than the seed-0 run
    (task_dir / "20991231T000000Z-cnn1d-seed1.json").write_text(json.dumps(other))
    assert find_run("cnn1d", 1, results_dir=copy).name == "20991231T000000Z-cnn1d-seed1.json"
    assert resolve_model_folder("cnn1d", copy).record_path.name == result.record_path.name  # cnn1d's recipe seed is 0


def test_causal_baseline_gets_no_look_ahead_and_streams_without_waiting_for_the_next_beat(tiny_track, tmp_path, keras_run):
    from ecgbench.streaming.classifier import load_classifier

    result = run_beat_benchmark("cnn1d-causal", data=tiny_track, epochs=1, results_dir=tmp_path, bootstrap_resamples=5)
    folder = result.record_path.parent / result.record["artifacts"]["folder"]
    assert json.loads((folder / "normalizer.json").read_text())["rr_columns"] == [
        "rr_pre", "rr_local", "rr_average", "rr_pre_ratio", "rr_local_ratio"
    ]  # fmt: skip
    classifier = load_classifier(str(folder))
    assert classifier.needs_post_rr is False
    fields = interval_fields(tiny_track.test)
    rr = {"pre": fields["rr_pre"], "post": np.full_like(fields["rr_post"], np.nan), "local": fields["rr_local"],
          "average": fields["rr_average"]}  # fmt: skip
    # Unknown post-RR intervals change nothing: the saved model reproduces the run's test predictions.
    with np.load(result.predictions_path) as saved:
        np.testing.assert_allclose(classifier.classify(fields["signal"], rr), saved["probabilities"], atol=1e-5)
    full, _ = keras_run  # cnn1d keeps rr_post: its stream waits for the next beat
    assert load_classifier(str(full.record_path.parent / full.record["artifacts"]["folder"])).needs_post_rr is True


def test_rr_features_option_is_checked_and_refused_for_estimators(tiny_track, tmp_path, write_submission):
    from ecgbench.models.loader import baselines_dir

    keras_source = "from ecgbench.models.loader import load_submission\nbuild_model = load_submission('cnn1d').module.build_model\n"
    bad = write_submission("bad-rr", keras_source, json.dumps({"epochs": 1, "options": {"rr_features": ["rr_next"]}}))
    with pytest.raises(ConfigError, match=r"bad-rr/recipe.json: options.rr_features: unknown RR feature\(s\) rr_next"):
        run_beat_benchmark(bad, data=tiny_track, quick=True, results_dir=tmp_path / "r1")
    prior_source = (baselines_dir() / "prior" / "submission.py").read_text()
    estimator = write_submission("prior-rr", prior_source, json.dumps({"options": {"rr_features": ["rr_pre"]}}))
    with pytest.raises(ConfigError, match="applies to Keras submissions"):
        run_beat_benchmark(estimator, data=tiny_track, quick=True, results_dir=tmp_path / "r2")
    # Both are refused before any data is loaded (no dataset is built under this folder).
    with pytest.raises(ConfigError, match=r"options.rr_features: unknown RR feature\(s\) rr_next"):
        run_beat_benchmark(bad, tfds_dir=tmp_path / "no-dataset", quick=True, results_dir=tmp_path / "r1")
    with pytest.raises(ConfigError, match="applies to Keras submissions"):
        run_beat_benchmark(estimator, tfds_dir=tmp_path / "no-dataset", quick=True, results_dir=tmp_path / "r2")
    assert not (tmp_path / "r1").exists() and not (tmp_path / "r2").exists()
