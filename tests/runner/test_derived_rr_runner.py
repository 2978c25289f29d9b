"""Derived RR column ``rr_irregularity``: normaliser schema, runner loading, a run, the stream and a model file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.data.normalization import Normalizer, fit_normalizer
from ecgbench.data.rr import ALL_RR_FEATURE_NAMES, RR_FEATURE_NAMES
from ecgbench.data.rr_irregularity import preceding_rr_irregularity
from ecgbench.errors import ConfigError
from ecgbench.models import BeatArrays
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.runner.data import derived_rr_parts, interval_fields, load_train_val

KERAS_SOURCE = "from ecgbench.models.loader import load_submission\nbuild_model = load_submission('cnn1d').module.build_model\n"
CAUSAL_IRREGULAR = ["rr_pre", "rr_local", "rr_average", "rr_pre_ratio", "rr_local_ratio", "rr_irregularity"]


def _beats(n: int = 30, record: str = "r") -> BeatArrays:
    rng = np.random.default_rng(0)
    rr = np.ones((n, 7), np.float32)
    rr[:, 0] = rng.uniform(0.4, 1.2, n)
    return BeatArrays(np.zeros((n, 4, 1), np.float32), rr, np.zeros(n, np.int64), np.array([record] * n), np.arange(n) * 300)


def test_derived_column_spans_splits_and_is_added_once():
    beats = _beats()
    even, odd = beats.subset(np.arange(0, 30, 2)), beats.subset(np.arange(1, 30, 2))
    with_even, with_odd = derived_rr_parts([even, odd])
    expected = preceding_rr_irregularity(beats.record, beats.sample, beats.rr[:, 0])
    np.testing.assert_array_equal(with_even.rr[:, 7], expected[0::2])
    np.testing.assert_array_equal(with_odd.rr[:, 7], expected[1::2])
    np.testing.assert_array_equal(with_even.rr[:, :7], even.rr)
    np.testing.assert_array_equal(interval_fields(with_even)["rr_irregularity"], with_even.rr[:, 7])
    assert "rr_irregularity" not in interval_fields(even)
    with pytest.raises(ConfigError, match="only be added to beats with the 7 stored RR columns"):
        derived_rr_parts([with_even])


def test_normaliser_with_a_derived_column_round_trips_and_old_files_still_load():
    fields = interval_fields(derived_rr_parts([_beats()])[0])
    normalizer = fit_normalizer(fields, per_beat="none", rr_columns=CAUSAL_IRREGULAR)
    assert normalizer.rr_feature_names == ALL_RR_FEATURE_NAMES and normalizer.derived_rr == ("rr_irregularity",)
    again = Normalizer.from_dict(json.loads(json.dumps(normalizer.to_dict())))
    assert again == normalizer
    out = again.transform_arrays(fields)["rr"]
    assert out.shape == (30, len(CAUSAL_IRREGULAR))
    standard = (fields["rr_irregularity"] - normalizer.rr_mean[7]) / normalizer.rr_std[7]
    np.testing.assert_allclose(out[:, -1], standard, rtol=1e-5, atol=1e-6)
    with pytest.raises(ConfigError, match="lacks the derived RR field.*rr_irregularity.*with_derived_rr"):
        again.transform_arrays(interval_fields(_beats()))
    plain = fit_normalizer(interval_fields(_beats()), per_beat="none")  # files written before derived columns existed
    assert Normalizer.from_dict(plain.to_dict()).rr_feature_names == RR_FEATURE_NAMES
    bad = {**normalizer.to_dict(), "rr_feature_names": [*RR_FEATURE_NAMES, "rr_template"]}
    with pytest.raises(ConfigError, match="not this version's RR vector"):
        Normalizer.from_dict(bad)


def test_fitting_a_derived_column_without_its_field_names_the_fix():
    with pytest.raises(ConfigError, match="arrays lacks the derived RR field.*rr_irregularity"):
        fit_normalizer(interval_fields(_beats()), rr_columns=CAUSAL_IRREGULAR)
    with pytest.raises(ConfigError, match="in the order"):
        fit_normalizer(interval_fields(_beats()), rr_columns=["rr_irregularity", "rr_pre"])


def test_validation_only_loading_refuses_derived_columns_on_the_intra_patient_track(tmp_path):
    with pytest.raises(ConfigError, match="derived RR columns on the intrapatient track"):
        load_train_val("intrapatient", tmp_path / "no-dataset", derived_rr=True)


@pytest.fixture(scope="module")
def irregular_run(tiny_track, tmp_path_factory):
    """One 1-epoch causal cnn1d run with the derived column on the tiny synthetic track."""
    folder = tmp_path_factory.mktemp("submissions") / "cnn1d-irregular"
    folder.mkdir()
    (folder / "submission.py").write_text(KERAS_SOURCE)
    (folder / "recipe.json").write_text(json.dumps({"epochs": 1, "options": {"rr_features": CAUSAL_IRREGULAR}}))
    return run_beat_benchmark(folder, data=tiny_track, epochs=1, results_dir=tmp_path_factory.mktemp("results"), bootstrap_resamples=5)


def test_run_saves_a_normaliser_with_the_derived_column(irregular_run):
    folder = irregular_run.record_path.parent / irregular_run.record["artifacts"]["folder"]
    saved = json.loads((folder / "normalizer.json").read_text())
    assert saved["rr_feature_names"][-1] == "rr_irregularity" and saved["rr_columns"] == CAUSAL_IRREGULAR
    assert len(saved["rr_mean"]) == len(ALL_RR_FEATURE_NAMES)


def test_stream_computes_the_derived_column_as_the_run_did(irregular_run, tiny_track, stream_each_record):
    """Fed a record's beats in order, in uneven batches, the streaming classifier gives the run's test predictions."""
    got, classifiers = stream_each_record(irregular_run, tiny_track.test)
    assert all(c.derived_rr == ("rr_irregularity",) and c.needs_post_rr is False for c in classifiers)
    assert np.any(derived_rr_parts([tiny_track.test])[0].rr[:, 7] > 0)  # the column is not constant zero here
    with np.load(irregular_run.predictions_path) as saved:
        np.testing.assert_allclose(got, saved["probabilities"], atol=1e-5)


def test_a_look_ahead_model_with_a_derived_column_is_refused_by_the_stream():
    from ecgbench.streaming.model_adapter import ModelClassifier

    fields = interval_fields(derived_rr_parts([_beats()])[0])
    normalizer = fit_normalizer(fields, per_beat="none", rr_columns=["rr_pre", "rr_post", "rr_irregularity"])
    with pytest.raises(ConfigError, match="derived RR column.*must be causal"):
        ModelClassifier(lambda inputs: None, normalizer)


def test_a_model_file_with_a_derived_column_scores_what_the_run_scored(irregular_run, tmp_path, score_as_model_file):
    manifest, onnx_run = score_as_model_file(irregular_run, tmp_path)
    assert manifest["inputs"]["rr"] == [len(CAUSAL_IRREGULAR)]
    with np.load(irregular_run.predictions_path) as keras_saved, np.load(onnx_run.predictions_path) as onnx_saved:
        np.testing.assert_allclose(onnx_saved["probabilities"], keras_saved["probabilities"], atol=1e-4)



def test_runner_computes_derived_columns_only_when_the_recipe_asks():
    from ecgbench.models import Recipe
    from ecgbench.runner.beat import needs_derived_rr

    assert needs_derived_rr(Recipe(options={"rr_features": CAUSAL_IRREGULAR}))
    assert not needs_derived_rr(Recipe(options={"rr_features": CAUSAL_IRREGULAR[:-1]})) and not needs_derived_rr(Recipe())
