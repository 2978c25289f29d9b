"""``ecgbench.load_model``: committed weights by name and seed, through the run records, hash-checked."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ecgbench.errors import CorruptDataError, DataNotFoundError
from ecgbench.leaderboard.pretrained import find_run, resolve_pretrained
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.runner.data import interval_fields


@pytest.fixture(scope="module")
def trained(tiny_track, tmp_path_factory):
    """One ranked 1-epoch cnn1d run on the tiny synthetic track."""
    results = tmp_path_factory.mktemp("results")
    return run_beat_benchmark("cnn1d", data=tiny_track, epochs=1, results_dir=results, bootstrap_resamples=5), results


def _copy_as(record_path, results, run_id: str, **changes):
    """A copy of a run record under another run id (same artefacts), with some fields changed."""
    record = json.loads(record_path.read_text())
    record.update(run_id=run_id, **changes)
    path = results / record["task"] / f"{run_id}.json"
    path.write_text(json.dumps(record))
    return path


def test_load_model_reproduces_the_runs_test_predictions(trained, tiny_track):
    import ecgbench

    result, results = trained
    model = ecgbench.load_model("cnn1d", seed=0, results_dir=results)
    assert model.run_id == result.record["run_id"] and model.folder.name == result.record["artifacts"]["folder"]
    test = tiny_track.test
    arrays = {**interval_fields(test), "record": test.record, "sample": test.sample, "label": test.label}
    with np.load(result.predictions_path) as saved:
        np.testing.assert_allclose(model.predict(arrays), saved["probabilities"], atol=1e-5)


def test_the_run_the_board_counts_is_chosen_never_a_quick_or_other_seed_run(trained, tmp_path):
    result, results = trained
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    original = copy / result.record["task"] / result.record_path.name
    assert find_run("cnn1d", 0, results_dir=copy) == original
    newer = _copy_as(original, copy, "20991231T000000Z-cnn1d-seed0")
    _copy_as(original, copy, "20991231T000001Z-cnn1d-seed0", quick=True)  # newest, but a smoke test
    _copy_as(original, copy, "20991231T000002Z-cnn1d-seed1", seed=1)
    assert find_run("cnn1d", 0, results_dir=copy) == newer
    assert resolve_pretrained("cnn1d", 1, results_dir=copy).record_path.name == "20991231T000002Z-cnn1d-seed1.json"
    with pytest.raises(DataNotFoundError, match="seed 7 .*have seeds 0, 1"):
        resolve_pretrained("cnn1d", 7, results_dir=copy)
    with pytest.raises(DataNotFoundError, match="no run of 'resnet1d'"):
        resolve_pretrained("resnet1d", 0, results_dir=copy)


def test_changed_weights_are_refused(trained, tmp_path):
    import ecgbench

    result, results = trained
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    weights = copy / result.record["task"] / result.record["artifacts"]["folder"] / "model.keras"
    weights.write_bytes(weights.read_bytes() + b"\0")
    with pytest.raises(CorruptDataError, match="changed after the run"):
        ecgbench.load_model("cnn1d", seed=0, results_dir=copy)
