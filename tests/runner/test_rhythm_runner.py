"""The rhythm runner on a tiny synthetic window track: records, scores, selection, splits, CLI."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.leaderboard import read_predictions, read_run_record
from ecgbench.models import BeatArrays
from ecgbench.records import RHYTHM_CLASSES, RHYTHM_TEST, RHYTHM_TRAIN, RHYTHM_VAL, subject_of
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.runner.data import TrackData
from ecgbench.runner.rhythm import run_rhythm_benchmark
from ecgbench.runner.rhythm_data import check_subject_disjoint, rhythm_task, rhythm_window_spec, window_config
from ecgbench.runner.rhythm_evaluate import confusion_figures, score_rhythm

FS = 360.0
WINDOW_S, STRIDE_S, DURATION_S = 10.0, 5.0, 120.0
BOOT = 50
#: Synthetic rhythms: class → (heart rate bpm, RR jitter as a fraction of the mean RR).
RHYTHMS = {"N": (70.0, 0.02), "AFIB": (95.0, 0.25), "VT": (170.0, 0.02)}


def _windows(name: str, rhythm: str, seed: int) -> BeatArrays:
    rate, jitter = RHYTHMS[rhythm]
    ecg = synthetic_ecg(fs=FS, duration=DURATION_S, heart_rate=rate, rr_jitter=jitter, seed=seed)
    size, step = int(WINDOW_S * FS), int(STRIDE_S * FS)
    starts = np.arange(0, ecg.signal.shape[0] - size + 1, step)
    return BeatArrays(
        signal=np.stack([ecg.signal[s : s + size] for s in starts]).astype(np.float32),
        rr=np.zeros((starts.size, 0), np.float32),
        label=np.full(starts.size, RHYTHM_CLASSES.index(rhythm), np.int64),
        record=np.full(starts.size, name),
        sample=starts.astype(np.int64),
    )


def _split(names: list[str], seed: int) -> BeatArrays:
    parts = [_windows(name, rhythm, seed + i) for i, (name, rhythm) in enumerate(zip(names, [*RHYTHMS] * 3))]
    return BeatArrays.concatenate(parts)


@pytest.fixture(scope="module")
def rhythm_track() -> TrackData:
    """Three records per split (one N, one AFIB, one VT), 120 s each, 10-s windows every 5 s."""
    train, val, test = _split(["r0", "r1", "r2"], 0), _split(["r3", "r4", "r5"], 10), _split(["r6", "r7", "r8"], 20)
    digest = hashlib.sha256(b"".join(s.signal.tobytes() for s in (train, val, test))).hexdigest()
    return TrackData(
        train=train, val=val, test=test,
        splits={"train": "synthetic_train", "val": "synthetic_val", "test": "synthetic_test"},
        dataset={"name": "synthetic-rhythm", "version": "0", "checksum": digest, "window_s": WINDOW_S},
        sampling_rate=FS,
    )  # fmt: skip


def _run(name, data, tmp_path, **kwargs):
    return run_rhythm_benchmark(name, data=data, results_dir=tmp_path, bootstrap_resamples=BOOT, command="pytest", **kwargs)


def test_prior_writes_a_rhythm_record(rhythm_track, tmp_path):
    result = _run("prior", rhythm_track, tmp_path)
    record = read_run_record(result.record_path)
    assert result.record_path.parent == tmp_path / "rhythm"
    assert record["class_names"] == list(RHYTHM_CLASSES) and record["aha_goals"]["vt.se"] == 75.0
    assert record["test_support"] == {"af.se": 23, "ventricular.se": 23, "vt.se": 23, "vf.se": 0}
    predictions = read_predictions(result.predictions_path)
    assert predictions["probabilities"].shape == (len(rhythm_track.test), len(RHYTHM_CLASSES))
    np.testing.assert_array_equal(predictions["sample"], rhythm_track.test.sample)
    # Equal class counts: arg-max of the prior is the first of the tied classes (N); a third of windows right.
    assert record["metrics"]["accuracy"]["value"] == pytest.approx(100 / 3)
    assert record["metrics"]["af.se"]["value"] == 0.0 and record["metrics"]["vf.se"]["value"] is None
    low, high = record["metrics"]["accuracy"]["ci_low"], record["metrics"]["accuracy"]["ci_high"]
    assert low <= record["metrics"]["accuracy"]["value"] <= high


def _rr_af_variant(write_submission, name: str, **options):
    """rr-af's own code and recipe with ``options`` merged into the recipe's options, as a submission folder."""
    from ecgbench.models import baselines_dir

    source = (baselines_dir() / "rr-af" / "submission.py").read_text()
    recipe = json.loads((baselines_dir() / "rr-af" / "recipe.json").read_text())
    return write_submission(name, source, json.dumps({**recipe, "options": {**recipe["options"], **options}}))


def _small_leaf_gbm() -> list[dict]:
    """rr-af's default stage-1 GBM settings with leaves of 5 windows: their 100-window leaves suit MIT-BIH's
    13 000 training windows, but cannot split this fixture's 69 (the stage would predict the prior)."""
    from ecgbench.models import baselines_dir
    from ecgbench.models.loader import load_submission

    module = load_submission(str(baselines_dir() / "rr-af")).module
    return [{**params, "min_samples_leaf": 5} for params in module.DEFAULT_AF_GBM]


def test_rr_af_detects_af_and_vt_from_detected_beats(rhythm_track, tmp_path):
    result = _run("rr-af", rhythm_track, tmp_path)
    metrics = result.record["metrics"]
    assert metrics["af.se"]["value"] >= 90 and metrics["af.sp"]["value"] >= 90
    assert metrics["ventricular.se"]["value"] >= 90
    assert result.record["training"]["selection_classes"] == ["N", "AFIB", "VT"]
    again = _run("rr-af", rhythm_track, tmp_path / "again")
    assert np.array_equal(read_predictions(again.predictions_path)["probabilities"], read_predictions(result.predictions_path)["probabilities"])


def test_rr_af_stage_one_model_option(rhythm_track, tmp_path, write_submission):
    from ecgbench.models import SubmissionError, baselines_dir
    from ecgbench.models.loader import load_submission

    assert json.loads((baselines_dir() / "rr-af" / "recipe.json").read_text())["options"]["af_model"] == "logistic"
    spec = rhythm_window_spec(rhythm_track.train, FS)
    af = RHYTHM_CLASSES.index("AFIB")
    variants = (("logistic", {"af_C": [0.1]}, "Pipeline"), ("gbm", {"af_gbm": _small_leaf_gbm()}, "HistGradientBoostingClassifier"))
    for model, options, expected in variants:
        loaded = load_submission(str(_rr_af_variant(write_submission, f"rr-af-{model}", af_model=model, **options)))
        submission = loaded.module.Submission(spec)
        submission.fit(rhythm_track.train, rhythm_track.val, loaded.recipe)
        af_model, _ = submission.models
        assert type(af_model).__name__ == expected
        setting, _ = submission.chosen
        assert set(setting) == set(options)
        assert all(set(row) >= set(setting) for row in submission.selection)
        predicted = submission.predict(rhythm_track.test).argmax(axis=1)
        assert np.mean(predicted[rhythm_track.test.label == af] == af) >= 0.9
    bad = _rr_af_variant(write_submission, "rr-af-bad-model", af_model="svm")
    with pytest.raises(SubmissionError, match="af_model='svm' is not one of logistic, gbm"):
        _run(str(bad), rhythm_track, tmp_path / "bad")
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").rglob("*.json"))


def test_rr_af_af_feature_set_restricts_stage_one_only(rhythm_track, tmp_path, write_submission):
    from ecgbench.models import SubmissionError
    from ecgbench.models.loader import load_submission

    loaded = load_submission(str(_rr_af_variant(write_submission, "rr-af-robust", af_features="ectopy_robust", refit_on_train_val=False)))
    submission = loaded.module.Submission(rhythm_window_spec(rhythm_track.train, FS))
    submission.fit(rhythm_track.train, rhythm_track.val, loaded.recipe)
    af_model, rest_model = submission.models
    expected = loaded.module.AF_FEATURE_SETS["ectopy_robust"]
    assert af_model.n_features_in_ == len(expected) < rest_model.n_features_in_ == len(loaded.module.PERIODIC_WINDOW_FEATURE_NAMES)
    assert submission.predict(rhythm_track.test).shape == (len(rhythm_track.test), len(RHYTHM_CLASSES))
    for options, message in (({"af_features": "magic"}, "af_features='magic' is not one of all, ectopy_robust"),
                             ({"af_features": "ectopy_robust", "periodicity": False}, "set options.periodicity to true")):  # fmt: skip
        bad = _rr_af_variant(write_submission, f"rr-af-bad-{len(message)}", **options)
        with pytest.raises(SubmissionError, match=message):
            _run(str(bad), rhythm_track, tmp_path / "bad")
        assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").rglob("*.json"))


def test_confusion_figures_golden():
    names = ("N", "AFIB", "VT", "VFL")
    cm = np.array([[8, 1, 1, 0], [2, 6, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]])
    f = confusion_figures(cm, names)
    assert f["accuracy"] == pytest.approx(100 * 18 / 24)
    assert f["af.se"] == pytest.approx(75.0) and f["af.sp"] == pytest.approx(100 * 15 / 16) and f["af.ppv"] == pytest.approx(600 / 7)
    assert f["ventricular.se"] == pytest.approx(100.0) and f["ventricular.sp"] == pytest.approx(100 * 17 / 18)
    assert f["vt.se"] == pytest.approx(75.0) and f["vf.se"] == pytest.approx(50.0)
    assert f["classes.N.sp"] == pytest.approx(100 * 12 / 14)


def test_score_rhythm_bootstraps_subjects_not_windows():
    labels = np.array([0, 0, 1, 1, 0, 1])
    arrays = BeatArrays(
        signal=np.zeros((6, 4, 1), np.float32), rr=np.zeros((6, 0), np.float32), label=labels,
        record=np.array(["201", "201", "202", "202", "100", "100"]), sample=np.arange(6),
    )  # fmt: skip
    probabilities = np.eye(len(RHYTHM_CLASSES))[[0, 0, 1, 0, 0, 1]]
    report, metrics = score_rhythm(arrays, probabilities, RHYTHM_CLASSES, n_resamples=200, seed=1)
    assert metrics["af.se"]["value"] == pytest.approx(200 / 3)
    # two subjects (201+202 together, 100): a replicate is one of three pools, so at most 3 distinct values
    assert report.accuracy == pytest.approx(100 * 5 / 6)
    assert metrics["af.se"]["ci_low"] >= 50.0 and metrics["af.se"]["ci_high"] <= 100.0


def test_test_subjects_never_train_or_select():
    train, val, test = ({subject_of(r) for r in split} for split in (RHYTHM_TRAIN, RHYTHM_VAL, RHYTHM_TEST))
    assert not (test & train) and not (test & val) and not (train & val)
    leaky = TrackData(
        train=_windows("202", "N", 0), val=_windows("105", "N", 1), test=_windows("201", "N", 2),
        splits={"train": "train", "val": "val", "test": "test"},
    )  # fmt: skip
    with pytest.raises(ConfigError, match="shares subject"):
        check_subject_disjoint(leaky)


def test_window_choice():
    assert rhythm_task(10) == "rhythm" and rhythm_task(4) == "rhythm-4s" and window_config(30) == "rhythm_30s"
    with pytest.raises(ConfigError, match="rhythm window"):
        window_config(7)


def test_cli_rhythm_task(rhythm_track, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    monkeypatch.setattr("ecgbench.runner.rhythm.load_rhythm_track", lambda *args, **kwargs: rhythm_track)
    runner = CliRunner()
    env = {"COLUMNS": "140", "NO_COLOR": "1"}
    args = ["run", "baseline", "prior", "--task", "rhythm", "--results-dir", str(tmp_path / "results"), "--bootstrap", "20"]
    table = runner.invoke(app, args, env=env)
    assert table.exit_code == 0, table.output
    assert "AHA goal" in table.stdout and "VT+VFL Se (n=23)" in table.stdout
    payload = json.loads(runner.invoke(app, [*args, "--json"], env=env).stdout)
    assert payload["task"] == "rhythm"
    bad = runner.invoke(app, ["run", "baseline", "prior", "--task", "rhythm", "--window", "7"], env=env)
    assert bad.exit_code == 2 and "rhythm window" in bad.stderr
    bad_task = runner.invoke(app, ["run", "baseline", "prior", "--task", "weekly"], env=env)
    assert bad_task.exit_code == 2 and "unknown task 'weekly'" in bad_task.stderr


@pytest.mark.slow
def test_built_rhythm_splits_are_subject_disjoint(built_mitdb):
    """The real built TFDS windows hold exactly the fixed record lists."""
    from ecgbench.data import load_split

    records = {
        split: {r.decode() for r in load_split(split, "rhythm", built_mitdb).map(lambda e: e["record"]).as_numpy_iterator()}
        for split in ("train", "val", "test")
    }
    assert records["test"] <= set(RHYTHM_TEST) and records["val"] <= set(RHYTHM_VAL) and records["train"] <= set(RHYTHM_TRAIN)
    subjects = {split: {subject_of(r) for r in names} for split, names in records.items()}
    assert not (subjects["test"] & (subjects["train"] | subjects["val"]))


def test_keras_rhythm_model_trains_with_augmentation(rhythm_track, tmp_path, write_submission):
    from ecgbench.models import baselines_dir

    source = (baselines_dir() / "cnn1d-rhythm" / "submission.py").read_text()
    recipe = json.dumps({"epochs": 2, "batch_size": 16, "augment": {"scale_p": 0.5, "gaussian_noise_p": 0.5, "real_noise_p": 0.0}})
    folder = write_submission("cnn-aug", source, recipe)
    first = _run(str(folder), rhythm_track, tmp_path / "a")
    assert first.record["submission"]["kind"] == "keras" and first.record["training"]["epochs_run"] == 2
    assert len(first.record["training"]["history"]) == 2
    again = _run(str(folder), rhythm_track, tmp_path / "b")
    np.testing.assert_allclose(
        read_predictions(again.predictions_path)["probabilities"], read_predictions(first.predictions_path)["probabilities"], atol=1e-5
    )


def test_refit_on_train_val_records_what_it_trained_on(rhythm_track, tmp_path, write_submission):
    plain = _rr_af_variant(write_submission, "rr-af-plain", refit_on_train_val=False)
    refit = _run("rr-af", rhythm_track, tmp_path / "refit").record
    assert refit["recipe"]["options"]["refit_on_train_val"] is True
    block = refit["training"]["refit"]
    assert block["on"] == "train+val" and block["windows"] == len(rhythm_track.train) + len(rhythm_track.val)
    assert block["records"] == sorted({*rhythm_track.train.record.tolist(), *rhythm_track.val.record.tolist()})
    assert not {subject_of(r) for r in block["records"]} & {subject_of(r) for r in rhythm_track.test.record.tolist()}
    # selection happened on val before the refit: the recorded val score is the train-only model's
    plain_record = _run(str(plain), rhythm_track, tmp_path / "plain").record
    assert plain_record["training"]["refit"] is None
    assert refit["training"]["best_score"] == plain_record["training"]["best_score"]
    assert refit["metrics"]["af.se"]["value"] >= 90 and refit["metrics"]["ventricular.se"]["value"] >= 90


def test_refit_never_sees_a_test_subject(rhythm_track):
    from ecgbench.runner.rhythm_refit import train_val_arrays

    union = train_val_arrays(rhythm_track)
    assert len(union) == len(rhythm_track.train) + len(rhythm_track.val)
    leaky = TrackData(
        train=_windows("105", "N", 0), val=_windows("202", "AFIB", 1), test=_windows("201", "N", 2),
        splits={"train": "train", "val": "val", "test": "test"},
    )  # fmt: skip
    with pytest.raises(ConfigError, match="refit set"):
        train_val_arrays(leaky)


def test_refit_needs_a_refit_method_and_a_boolean_flag(rhythm_track, tmp_path, write_submission):
    from ecgbench.models import SubmissionError, baselines_dir

    source = (baselines_dir() / "prior" / "submission.py").read_text()
    folder = write_submission("prior-refit", source, json.dumps({"options": {"refit_on_train_val": True}}))
    with pytest.raises(SubmissionError, match="no refit"):
        _run(str(folder), rhythm_track, tmp_path)
    folder = write_submission("prior-bad-flag", source, json.dumps({"options": {"refit_on_train_val": "yes"}}))
    with pytest.raises(ConfigError, match="true or false"):
        _run(str(folder), rhythm_track, tmp_path)


def test_keras_refit_trains_the_best_epoch_count_on_train_val(rhythm_track, tmp_path, write_submission):
    from ecgbench.models import baselines_dir

    source = (baselines_dir() / "cnn1d-rhythm" / "submission.py").read_text()
    recipe = json.dumps({"epochs": 2, "batch_size": 16, "options": {"refit_on_train_val": True}})
    record = _run(str(write_submission("cnn-refit", source, recipe)), rhythm_track, tmp_path).record
    block = record["training"]["refit"]
    assert block["epochs"] == record["training"]["best_epoch"] and block["windows"] == len(rhythm_track.train) + len(rhythm_track.val)
