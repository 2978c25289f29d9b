"""The runner's beat context (``options.context``): checks, split-spanning lookup, and a stream that rebuilds it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.models import BeatArrays
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.runner.data import context_parts, load_train_val

KERAS_SOURCE = "from ecgbench.models.loader import load_submission\nbuild_model = load_submission('cnn1d').module.build_model\n"


@pytest.fixture(scope="module")
def context_run(tiny_track, tmp_path_factory):
    """One ranked 1-epoch cnn1d-context run on the tiny synthetic track."""
    results = tmp_path_factory.mktemp("results")
    return run_beat_benchmark("cnn1d-context", data=tiny_track, epochs=1, results_dir=results, bootstrap_resamples=5)


def _cnn1d_context_variant_run(tiny_track, tmp_path_factory, name: str, **options):
    """One 1-epoch run of cnn1d-context's network and recipe with ``options`` changed."""
    from ecgbench.models.loader import baselines_dir, load_submission

    folder = tmp_path_factory.mktemp("submissions") / name
    folder.mkdir()
    (folder / "submission.py").write_text((baselines_dir() / "cnn1d" / "submission.py").read_text())
    recipe = load_submission("cnn1d-context").recipe.to_dict()  # the variant's recipe, extends chain resolved
    recipe["options"].update(options)
    (folder / "recipe.json").write_text(json.dumps(recipe))
    results = tmp_path_factory.mktemp("results")
    return run_beat_benchmark(folder, data=tiny_track, epochs=1, results_dir=results, bootstrap_resamples=5)


@pytest.fixture(scope="module")
def look_ahead_run(tiny_track, tmp_path_factory):
    """cnn1d-context with the look-ahead RR columns (``rr_post``, ``rr_post_ratio``) too."""
    from ecgbench.data.rr import RR_FEATURE_NAMES

    return _cnn1d_context_variant_run(tiny_track, tmp_path_factory, "ctx-look-ahead", rr_features=list(RR_FEATURE_NAMES))


@pytest.fixture(scope="module")
def template_run(tiny_track, tmp_path_factory):
    """cnn1d-context's network with the context ``previous_beat_and_template``."""
    return _cnn1d_context_variant_run(
        tiny_track, tmp_path_factory, "ctx-template", context="previous_beat_and_template", leads=[0, 2, 4]
    )


def test_predecessors_are_looked_up_across_splits():
    """Intra-patient beats of one record are spread over splits: each gets its true predecessor."""
    signal = np.arange(6, dtype=np.float32)[:, None, None] * np.ones((6, 3, 1), np.float32)  # beat k is all k
    beats = BeatArrays(signal, np.ones((6, 7), np.float32), np.zeros(6, np.int64), np.array(["r"] * 6), np.arange(6) * 100)
    even, odd = beats.subset(np.arange(0, 6, 2)), beats.subset(np.arange(1, 6, 2))
    with_even, with_odd = context_parts([even, odd], "previous_beat")
    np.testing.assert_array_equal(with_even.signal[:, 0, 1], [0, 1, 3])  # beats 0, 2, 4: predecessors 0 (itself), 1, 3
    np.testing.assert_array_equal(with_odd.signal[:, 0, 1], [0, 2, 4])
    np.testing.assert_array_equal(with_even.signal[:, :, 0], even.signal[:, :, 0])


def test_context_option_is_checked_before_any_data_loads(tmp_path, write_submission):
    from ecgbench.models.loader import baselines_dir

    unknown = write_submission("ctx-unknown", KERAS_SOURCE, json.dumps({"epochs": 1, "options": {"context": "template"}}))
    with pytest.raises(ConfigError, match=r"options.context 'template'.*previous_beat"):
        run_beat_benchmark(unknown, tfds_dir=tmp_path / "no-dataset", quick=True, results_dir=tmp_path / "r")
    prior_source = (baselines_dir() / "prior" / "submission.py").read_text()
    estimator = write_submission("prior-ctx", prior_source, json.dumps({"options": {"context": "previous_beat"}}))
    with pytest.raises(ConfigError, match="options.context applies to Keras submissions"):
        run_beat_benchmark(estimator, tfds_dir=tmp_path / "no-dataset", quick=True, results_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_validation_only_loading_refuses_an_intra_patient_context(tmp_path):
    with pytest.raises(ConfigError, match="intrapatient track needs the test split's beats"):
        load_train_val("intrapatient", tmp_path / "no-dataset", context="previous_beat")


def test_run_records_the_context_and_its_model_sees_each_beats_predecessor(context_run, tiny_track):
    folder = context_run.record_path.parent / context_run.record["artifacts"]["folder"]
    normalizer = json.loads((folder / "normalizer.json").read_text())
    assert normalizer["context"] == "previous_beat" and len(normalizer["signal_mean"]) == 4
    assert context_run.record["recipe"]["options"]["context"] == "previous_beat"
    assert "rr_post" not in normalizer["rr_columns"]


#: (run fixture, its context, signal channels): records of ~35 beats, so the template covers both the
#: short start of a record and the full 16-beat median.
CONTEXT_RUNS = pytest.mark.parametrize(
    ("run_fixture", "context", "channels"),
    [("context_run", "previous_beat", 4), ("template_run", "previous_beat_and_template", 6)],
)


@CONTEXT_RUNS
def test_stream_rebuilds_the_offline_context_chunk_by_chunk(run_fixture, context, channels, request, tiny_track, stream_each_record):
    """Fed one record's beats in order, in uneven batches, the streaming classifier gives the run's test predictions."""
    run = request.getfixturevalue(run_fixture)
    got, classifiers = stream_each_record(run, tiny_track.test)
    assert all(c.context == context and c.needs_post_rr is False for c in classifiers)
    with np.load(run.predictions_path) as saved:
        np.testing.assert_allclose(got, saved["probabilities"], atol=1e-5)


def test_a_look_ahead_context_model_streams_its_offline_predictions_with_provisional_labels(look_ahead_run, tiny_track, stream_each_record):
    """Each beat is first sent as a provisional label (post-RR unknown) beside the previous batch, then
    finally: the provisional calls must not enter the context, or the next beat's predecessor is wrong."""
    got, classifiers = stream_each_record(look_ahead_run, tiny_track.test, provisional=True)
    assert all(c.context == "previous_beat" and c.needs_post_rr for c in classifiers)
    with np.load(look_ahead_run.predictions_path) as saved:
        np.testing.assert_allclose(got, saved["probabilities"], atol=1e-5)


@CONTEXT_RUNS
def test_a_context_model_submitted_as_a_file_gets_its_context_built(run_fixture, context, channels, request, tmp_path, score_as_model_file):
    """The ONNX file of the run, with its manifest's normaliser, scores exactly what the run scored."""
    run = request.getfixturevalue(run_fixture)
    manifest, onnx_run = score_as_model_file(run, tmp_path)
    assert manifest["inputs"]["signal"] == [288, channels] and manifest["normalizer"]["context"] == context
    with np.load(run.predictions_path) as keras_saved, np.load(onnx_run.predictions_path) as onnx_saved:
        np.testing.assert_allclose(onnx_saved["probabilities"], keras_saved["probabilities"], atol=1e-4)


def test_rhythm_runner_refuses_a_beat_context_before_loading_data(tmp_path, write_submission):
    from ecgbench.runner.rhythm import run_rhythm_benchmark

    folder = write_submission("rhythm-context", KERAS_SOURCE, json.dumps({"epochs": 1, "options": {"context": "previous_beat"}}))
    with pytest.raises(ConfigError, match="options.context is a beat-track option"):
        run_rhythm_benchmark(folder, tfds_dir=tmp_path / "no-dataset-here", results_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_a_malformed_ensemble_wrapper_of_a_keras_recipe_fails_before_any_data_loads(tmp_path, write_submission):
    from ecgbench.models import SubmissionError

    bad = write_submission("bad-ensemble-early", KERAS_SOURCE, json.dumps({"epochs": 1, "wrappers": {"ensemble": {"members": "three"}}}))
    with pytest.raises(SubmissionError, match=r"bad-ensemble-early/recipe.json: wrappers.ensemble.members must be an integer"):
        run_beat_benchmark(bad, tfds_dir=tmp_path / "no-dataset", quick=True, results_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_a_context_model_file_is_refused_on_the_intra_patient_task(context_run, tmp_path):
    """Its test beats' predecessors lie partly in intra_train, which a model-file evaluation does not load."""
    from ecgbench.models import SubmissionError
    from ecgbench.models.manifest import read_manifest

    folder = tmp_path / "intra-file"
    folder.mkdir()
    (folder / "model.keras").write_bytes(b"")
    run_folder = context_run.record_path.parent / context_run.record["artifacts"]["folder"]
    manifest = {"task": "beats-intrapatient", "model": "model.keras", "inputs": {"signal": [288, 4], "rr": [5]},
                "normalizer": json.loads((run_folder / "normalizer.json").read_text()), "trained_on": {"train": "intra_train"}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SubmissionError, match="context 'previous_beat'.*beats-interpatient only"):
        read_manifest(folder)
    manifest["task"] = "beats-interpatient"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert read_manifest(folder).inputs["signal"] == (288, 4)
