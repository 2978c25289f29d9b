"""The beat runner end to end on a tiny synthetic track: records, determinism, failure handling."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.leaderboard import read_predictions, read_run_record, sha256_file
from ecgbench.models import SubmissionError
from ecgbench.runner.beat import run_beat_benchmark

BOOT = 50  # bootstrap resamples: enough to exercise the code, fast


def _run(submission, track_data, results_dir, **kwargs):
    return run_beat_benchmark(
        submission, data=track_data, results_dir=results_dir, bootstrap_resamples=BOOT, command="pytest", **kwargs
    )


def test_prior_predicts_the_training_prior_and_writes_a_record(tiny_track, tmp_path):
    result = _run("prior", tiny_track, tmp_path)
    counts = np.bincount(tiny_track.train.label, minlength=5)
    predictions = read_predictions(result.predictions_path)
    np.testing.assert_allclose(predictions["probabilities"], np.tile(counts / counts.sum(), (len(tiny_track.test), 1)), rtol=1e-6)
    np.testing.assert_array_equal(predictions["label"], tiny_track.test.label)
    np.testing.assert_array_equal(predictions["sample"], tiny_track.test.sample)

    record = read_run_record(result.record_path)
    assert result.record_path.parent == tmp_path / "beats-interpatient"
    assert record["predictions"]["sha256"] == sha256_file(result.predictions_path)
    assert record["submission"]["kind"] == "estimator" and record["provenance"]["command"] == "pytest"
    assert record["dataset"]["splits"]["test"] == "synthetic_test"
    # Always N: accuracy is the share of N beats, VEB sensitivity 0.
    n_share = 100.0 * np.mean(tiny_track.test.label == 0)
    assert record["metrics"]["gross.accuracy"]["value"] == pytest.approx(n_share)
    assert record["metrics"]["gross.veb.se"]["value"] == 0.0
    low, high = record["metrics"]["gross.accuracy"]["ci_low"], record["metrics"]["gross.accuracy"]["ci_high"]
    assert low <= n_share <= high
    assert not list(tmp_path.rglob("*.tmp"))


def test_quick_keras_runs_are_deterministic(tiny_track, tmp_path):
    kwargs = dict(seed=3, epochs=1, quick=True)
    first = _run("cnn1d", tiny_track, tmp_path / "a", **kwargs)
    second = _run("cnn1d", tiny_track, tmp_path / "b", **kwargs)
    assert first.record["metrics"] == second.record["metrics"]
    np.testing.assert_array_equal(
        read_predictions(first.predictions_path)["probabilities"], read_predictions(second.predictions_path)["probabilities"]
    )
    assert first.record["quick"] is True and first.record["recipe"]["epochs"] == 1
    assert first.record["training"]["epochs_run"] == 1
    assert first.record["training"]["normalizer"]["per_beat"] == "median"


def test_intrapatient_task_folder(tiny_track, tmp_path):
    result = _run("prior", tiny_track, tmp_path, track="intrapatient")
    assert result.record["task"] == "beats-intrapatient"
    assert result.record_path.parent.name == "beats-intrapatient"


_ESTIMATOR = '''
import numpy as np

class Submission:
    def __init__(self, spec):
        self.spec = spec

    def fit(self, train, val, recipe):
        {fit}

    def predict(self, arrays):
        {predict}
'''
_KERAS_RAISING = '''
def build_model(input_spec, recipe):
    raise ValueError("no model today")
'''
_KERAS_LOGITS = '''
def build_model(input_spec, recipe):
    import keras
    signal = keras.Input(input_spec.signal_shape, name="signal")
    rr = keras.Input((input_spec.n_rr,), name="rr")
    x = keras.layers.Flatten()(signal)
    out = keras.layers.Dense(input_spec.n_classes)(keras.layers.Concatenate()([x, rr]))  # logits, no softmax
    return keras.Model({"signal": signal, "rr": rr}, out)
'''


@pytest.mark.parametrize(
    ("name", "source", "fragment"),
    [
        ("crashes-in-fit", _ESTIMATOR.format(fit="raise RuntimeError('out of memory')", predict="pass"),
         "fit raised RuntimeError: out of memory"),
        ("crashes-in-predict", _ESTIMATOR.format(fit="pass", predict="raise KeyError('rr')"),
         "predict raised KeyError"),
        ("wrong-shape", _ESTIMATOR.format(fit="pass", predict="return np.full((len(arrays), 4), 0.25)"),
         r"predict returned shape \(\d+, 4\), expected \(\d+, 5\)"),
        ("returns-nan", _ESTIMATOR.format(fit="pass", predict="return np.full((len(arrays), 5), np.nan)"),
         "NaN or infinite values"),
        ("keras-raises", _KERAS_RAISING, "build_model raised ValueError: no model today"),
        ("keras-logits", _KERAS_LOGITS, "return softmax probabilities, not logits|negative values"),
    ],
)  # fmt: skip
def test_bad_submissions_fail_by_name_and_write_nothing(tiny_track, tmp_path, write_submission, name, source, fragment):
    folder = write_submission(name, source, recipe=json.dumps({"epochs": 1, "batch_size": 64}))
    results = tmp_path / "leaderboards" / "results"
    with pytest.raises(SubmissionError, match=fragment) as info:
        _run(folder, tiny_track, results)
    assert f"submission {name!r}" in str(info.value)
    assert not results.exists() or not any(results.rglob("*"))


def test_rr_lda_refits_on_ds1_train_val_after_scoring_val(tiny_track, tmp_path, write_submission):
    """The beat track's estimator refit: val is scored on the train-only model, then all of DS1 is used."""
    import json

    from ecgbench.models import baselines_dir

    source = (baselines_dir() / "rr-lda" / "submission.py").read_text()
    recipe = json.loads((baselines_dir() / "rr-lda" / "recipe.json").read_text())
    assert recipe["options"]["refit_on_train_val"] is True
    options = {**recipe["options"], "min_class_beats": 0}  # the tiny track has a few beats per class
    refitted = write_submission("rr-lda-refit", source, json.dumps({**recipe, "options": options}))
    plain = write_submission("rr-lda-plain", source, json.dumps({**recipe, "options": {**options, "refit_on_train_val": False}}))
    refit = run_beat_benchmark(str(refitted), data=tiny_track, results_dir=tmp_path / "refit", bootstrap_resamples=5).record
    plain_run = run_beat_benchmark(str(plain), data=tiny_track, results_dir=tmp_path / "plain", bootstrap_resamples=5).record
    block = refit["training"]["refit"]
    assert block["on"] == "train+val" and block["windows"] == len(tiny_track.train) + len(tiny_track.val)
    assert plain_run["training"]["refit"] is None
    assert refit["training"]["best_score"] == plain_run["training"]["best_score"]
