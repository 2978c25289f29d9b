"""``ecgbench submit`` and ``verify``: trained Keras and ONNX models reach the leaderboard; bad input changes nothing."""

from __future__ import annotations

import json
import shutil

import pytest

from ecgbench.leaderboard.render import render_leaderboards
from ecgbench.leaderboard.store import load_run
from ecgbench.errors import DataNotFoundError
from ecgbench.models import SubmissionError
from ecgbench.runner.submit import submit
from ecgbench.runner.verify import verify_run

from lb_helpers import fake_run, load_example

BOOT = 50


@pytest.fixture(scope="module")
def keras_example(mitdb_like_track, tmp_path_factory):
    """The example submission of examples/submission_keras, trained for one epoch on the synthetic track."""
    module = load_example("examples/submission_keras/make_model.py")
    return module.make_example(tmp_path_factory.mktemp("keras") / "submission_keras", mitdb_like_track.train, epochs=1)


@pytest.fixture()
def leaderboard(tmp_path):
    """A results tree with one fake run and its rendered files; returns (results dir, snapshot of the files)."""
    import numpy as np

    results = tmp_path / "leaderboards" / "results"
    fake_run(results, "20260102T030405Z-alpha-seed0", "alpha", np.array([0, 1]), np.array(["100", "100"]))
    render_leaderboards(results)
    return results


def _files(results):
    return {p.name: p.read_bytes() for p in results.parent.iterdir() if p.is_file()}


def test_keras_and_onnx_submissions_appear_in_the_leaderboard(mitdb_like_track, keras_example, session, leaderboard, tmp_path):
    export = load_example("examples/submission_onnx/export_baseline.py")
    onnx_folder = export.export_baseline("cnn1d", mitdb_like_track, tmp_path / "submission_onnx", epochs=1, seed=0)
    assert (keras_example / "model.keras").stat().st_size < 1_000_000
    runs = []
    for folder in (keras_example, onnx_folder):
        result = submit(folder, data=mitdb_like_track, results_dir=leaderboard, bootstrap_resamples=BOOT, session=session, command="pytest")
        assert result.report.ok
        runs.append(result.run.record)
    assert [r["submission"]["kind"] for r in runs] == ["keras-file", "onnx"]
    assert runs[1]["submission"]["name"] == "cnn1d-onnx" and runs[1]["dataset"]["splits"]["train"] == "ds1_train"
    board = (leaderboard.parent / "beats-interpatient.md").read_text()
    assert "example-keras" in board and "cnn1d-onnx" in board
    assert "alpha" not in board  # the fake record fails the checks, so the re-render leaves it out
    assert "cnn1d-onnx" in (leaderboard.parent / "index.html").read_text()


def test_verify_reproduces_a_trained_model_submission(mitdb_like_track, keras_example, session, tmp_path):
    result = submit(keras_example, data=mitdb_like_track, results_dir=tmp_path / "results", bootstrap_resamples=BOOT, session=session)
    report = verify_run(load_run(result.run.record_path), data=mitdb_like_track)
    assert report.reproduced and report.submission_unchanged


def test_verify_reproduces_a_quick_run_digit_for_digit(mitdb_like_track, tmp_path):
    from ecgbench.runner.beat import run_beat_benchmark

    run = run_beat_benchmark("cnn1d", data=mitdb_like_track, results_dir=tmp_path, seed=5, epochs=1, quick=True,
                             bootstrap_resamples=BOOT, command="ecgbench run baseline cnn1d --quick --seed 5 --epochs 1")  # fmt: skip
    report = verify_run(load_run(run.record_path), data=mitdb_like_track)
    assert report.reproduced, [c for c in report.checks if not c.equal]
    assert report.predictions_equal and report.command.endswith("--epochs 1")
    assert len(report.checks) == 3 * len(run.record["metrics"])
    assert all(c.recorded == c.reproduced for c in report.checks)


def test_verify_detects_an_edited_record(mitdb_like_track, prior_run, tmp_path):
    record_path = tmp_path / "beats-interpatient" / prior_run.record_path.name
    record_path.parent.mkdir()
    shutil.copy(prior_run.record_path, record_path)
    shutil.copy(prior_run.predictions_path, record_path.with_suffix(".npz"))
    record = json.loads(record_path.read_text())
    record["metrics"]["gross.accuracy"]["value"] += 0.01
    record_path.write_text(json.dumps(record))
    report = verify_run(load_run(record_path), data=mitdb_like_track)
    assert not report.reproduced
    assert [(c.metric, c.field) for c in report.checks if not c.equal] == [("gross.accuracy", "value")]
    assert report.same_processor and report.processor == record["provenance"]["hardware"]["processor"]


def test_verify_names_a_different_recording_cpu(mitdb_like_track, prior_run, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import ecgbench.runner.verify as verify_module
    from ecgbench.cli import app

    record_path = tmp_path / "beats-interpatient" / prior_run.record_path.name
    record_path.parent.mkdir()
    shutil.copy(prior_run.predictions_path, record_path.with_suffix(".npz"))
    record = json.loads(prior_run.record_path.read_text())
    record["provenance"]["hardware"]["processor"] = "Some Other CPU"
    record_path.write_text(json.dumps(record))
    report = verify_run(load_run(record_path), data=mitdb_like_track)
    assert report.reproduced and not report.same_processor  # the prior baseline trains nothing: equal anyway
    assert report.to_dict()["recorded_processor"] == "Some Other CPU" and report.to_dict()["same_processor"] is False
    record["metrics"]["gross.accuracy"]["value"] += 0.01  # a mismatch on another CPU names both CPUs
    record_path.write_text(json.dumps(record))
    monkeypatch.setattr(verify_module, "verify_run", lambda entry, tfds_dir=None: verify_run(entry, data=mitdb_like_track))
    result = CliRunner().invoke(app, ["verify", str(record_path), "--results-dir", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "CPU model: recorded Some Other CPU, now" in result.output


def _manifest(folder, **changes):
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"task": "beats-everything"}, "field 'task' is 'beats-everything'"),
        ({"inputs": {"signal": [360, 1], "rr": [7]}}, r"field 'inputs.signal' is \[360, 1\]; the task provides shape \[288, 2\]"),
        ({"inputs": {"ecg": [288, 2]}}, "field 'inputs' names 'ecg'"),
        ({"model": "missing.keras"}, "field 'model' names 'missing.keras'"),
        ({"normalizer": {"per_beat": "median"}}, "field 'normalizer': normalizer dict lacks field"),
        ({"colour": "blue"}, "unknown field"),
        ({"inputs": {"signal": [288, 2]}}, "the model takes input\\(s\\) rr that the manifest does not declare"),
    ],
)
def test_bad_manifests_fail_clearly_and_touch_nothing(mitdb_like_track, keras_example, session, leaderboard, tmp_path, change, fragment):
    folder = tmp_path / "submission"
    shutil.copytree(keras_example, folder)
    _manifest(folder, **change)
    before = _files(leaderboard)
    with pytest.raises(SubmissionError, match=fragment):
        submit(folder, data=mitdb_like_track, results_dir=leaderboard, bootstrap_resamples=BOOT, session=session)
    assert _files(leaderboard) == before
    assert sorted(p.name for p in (leaderboard / "beats-interpatient").iterdir()) == [
        "20260102T030405Z-alpha-seed0.json", "20260102T030405Z-alpha-seed0.npz"
    ]  # fmt: skip


def test_a_normaliser_selecting_rr_columns_sets_the_rr_width(mitdb_like_track, keras_example, session, leaderboard, tmp_path):
    folder = tmp_path / "submission"
    shutil.copytree(keras_example, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    causal = ["rr_pre", "rr_local", "rr_average", "rr_pre_ratio", "rr_local_ratio"]
    _manifest(folder, normalizer={**manifest["normalizer"], "rr_columns": causal})  # still declares rr [7]
    with pytest.raises(SubmissionError, match=r"field 'inputs.rr' is \[7\]; the task provides shape \[5\]"):
        submit(folder, data=mitdb_like_track, results_dir=leaderboard, bootstrap_resamples=BOOT, session=session)


def test_model_whose_inputs_do_not_match_the_task(mitdb_like_track, session, leaderboard, tmp_path):
    import keras

    folder = tmp_path / "small-input"
    folder.mkdir()
    signal = keras.Input(shape=(100, 1), name="signal")
    rr = keras.Input(shape=(7,), name="rr")
    h = keras.layers.Concatenate()([keras.layers.Flatten()(signal), rr])
    keras.Model({"signal": signal, "rr": rr}, keras.layers.Dense(5, activation="softmax")(h)).save(folder / "model.keras")
    (folder / "manifest.json").write_text(json.dumps({
        "task": "beats-interpatient", "model": "model.keras", "inputs": {"signal": [288, 2], "rr": [7]},
        "normalizer": "none", "trained_on": {"train": "ds1_train"},
    }))  # fmt: skip
    before = _files(leaderboard)
    with pytest.raises(SubmissionError, match=r"model input 'signal' has per-example shape \[100, 1\], the task provides \[288, 2\]"):
        submit(folder, data=mitdb_like_track, results_dir=leaderboard, bootstrap_resamples=BOOT, session=session)
    assert _files(leaderboard) == before


def test_malformed_manifest_json(mitdb_like_track, keras_example, session, leaderboard, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(keras_example, folder)
    (folder / "manifest.json").write_text("{'task': oops}")
    before = _files(leaderboard)
    with pytest.raises(SubmissionError, match="manifest.json: not valid JSON"):
        submit(folder, data=mitdb_like_track, results_dir=leaderboard, session=session)
    assert _files(leaderboard) == before


def test_a_run_failing_the_checks_is_not_published(mitdb_like_track, keras_example, leaderboard):
    from ecgbench.leaderboard.checks import CheckSession

    strict = CheckSession(canonical={("mitdb/beats", "1.0.0"): "2" * 64}, use_local_dataset=False)  # synthetic data is not published
    before = _files(leaderboard)
    with pytest.raises(SubmissionError, match="failed the leaderboard checks.*dataset-checksum"):
        submit(keras_example, data=mitdb_like_track, results_dir=leaderboard, bootstrap_resamples=BOOT, session=strict)
    assert _files(leaderboard) == before
    assert len(list((leaderboard / "beats-interpatient").iterdir())) == 2
    # a trained code submission also leaves no artefact folder behind
    from ecgbench.models import baselines_dir

    with pytest.raises(SubmissionError, match="failed the leaderboard checks"):
        submit(baselines_dir() / "cnn1d", data=mitdb_like_track, results_dir=leaderboard, epochs=1, bootstrap_resamples=BOOT, session=strict)
    assert _files(leaderboard) == before
    assert len(list((leaderboard / "beats-interpatient").iterdir())) == 2


def test_folder_without_submission_files(tmp_path, session):
    with pytest.raises(SubmissionError, match="neither manifest.json"):
        submit(tmp_path, session=session)


def test_cli_submit_and_verify_report_bad_input(keras_example, leaderboard, tmp_path):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    folder = tmp_path / "cli-broken"
    shutil.copytree(keras_example, folder)
    _manifest(folder, inputs={"signal": [288, 3]})
    before = _files(leaderboard)
    result = CliRunner().invoke(app, ["submit", str(folder), "--results-dir", str(leaderboard)])
    assert result.exit_code == 2 and "inputs.signal" in result.output
    assert _files(leaderboard) == before
    record = json.loads((leaderboard / "beats-interpatient" / "20260102T030405Z-alpha-seed0.json").read_text())
    record["task"] = "streaming"
    stream = leaderboard / "streaming" / "20260102T030405Z-alpha-seed0.json"
    stream.parent.mkdir()
    stream.write_text(json.dumps(record))
    result = CliRunner().invoke(app, ["verify", str(stream)])
    assert result.exit_code == 2 and "verify re-runs beat-track runs" in result.output


def test_onnx_conversion_of_a_saved_run_reproduces_its_figures(mitdb_like_track, tmp_path):
    """examples/submission_onnx --from-run: the ONNX model of a run scores exactly what the run scored."""
    import numpy as np

    from ecgbench.runner.beat import run_beat_benchmark
    from ecgbench.runner.model_file import evaluate_model_file

    result = run_beat_benchmark("cnn1d", data=mitdb_like_track, epochs=1, results_dir=tmp_path / "keras", bootstrap_resamples=5)
    export = load_example("examples/submission_onnx/export_baseline.py")
    folder = export.export_run_artifacts(result.record_path.parent / result.record["run_id"], tmp_path / "onnx")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["name"] == "cnn1d-onnx" and result.record["run_id"] in manifest["description"]
    onnx_run = evaluate_model_file(folder, data=mitdb_like_track, results_dir=tmp_path / "results", bootstrap_resamples=5)
    with np.load(result.predictions_path) as keras_saved, np.load(onnx_run.predictions_path) as onnx_saved:
        np.testing.assert_allclose(onnx_saved["probabilities"], keras_saved["probabilities"], atol=1e-4)
    assert {k: v["value"] for k, v in onnx_run.record["metrics"].items()} == {
        k: v["value"] for k, v in result.record["metrics"].items()
    }


def test_onnx_conversion_names_missing_artefacts(tmp_path):
    export = load_example("examples/submission_onnx/export_baseline.py")
    with pytest.raises(DataNotFoundError, match="model.keras"):
        export.export_run_artifacts(tmp_path / "20260101T000000Z-cnn1d-seed0", tmp_path / "onnx")
