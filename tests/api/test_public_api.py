"""The public API on one screen: ``import ecgbench`` stays light; load/Evaluator/load_model behave as documented."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import ecgbench
from ecgbench.errors import ConfigError
from ecgbench.models import SubmissionError


def test_import_ecgbench_and_the_cli_do_not_import_tensorflow():
    code = "import sys, ecgbench, ecgbench.cli; ecgbench.Evaluator; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert set(ecgbench.__all__) == {"Evaluator", "__version__", "load", "load_model"}


def test_expected_input_format_names_keys_shapes_and_class_order():
    beats = ecgbench.Evaluator("beats-interpatient").expected_input_format
    assert beats["class_names"] == ["N", "S", "V", "F", "Q"] and "ds2" in beats["split"]
    assert {"record", "sample", "probabilities", "prediction"} <= set(beats)
    assert "[n, 5]" in beats["probabilities"] and "360 Hz" in beats["sample"]
    rhythm = ecgbench.Evaluator("rhythm").expected_input_format
    assert "start" in rhythm and rhythm["class_names"][:2] == ["N", "AFIB"]


def test_unknown_task_and_split_are_refused_with_the_valid_choices():
    with pytest.raises(ConfigError, match="beats-interpatient, beats-intrapatient, beats-crossdb-svdb, rhythm"):
        ecgbench.Evaluator("beats")
    with pytest.raises(ConfigError, match="valid beats-intrapatient splits: train, test"):
        ecgbench.load("beats-intrapatient", "val")


def _reference(track):
    return {"record": track.test.record, "sample": track.test.sample, "label": track.test.label}


def test_eval_matches_keys_not_row_order_and_equals_the_runs_figures(prior_run, mitdb_like_track):
    with np.load(prior_run.predictions_path) as saved:
        arrays = {name: saved[name] for name in ("record", "sample", "probabilities")}
    evaluator = ecgbench.Evaluator("beats-interpatient", reference=_reference(mitdb_like_track), bootstrap_resamples=50)
    order = np.random.default_rng(3).permutation(arrays["record"].size)
    metrics = evaluator.eval({name: value[order] for name, value in arrays.items()}, seed=prior_run.record["seed"])
    assert metrics == prior_run.record["metrics"]
    assert evaluator.eval(arrays, seed=1) != metrics  # the bootstrap seed moves the intervals, not the values
    assert {k: v["value"] for k, v in evaluator.eval(arrays, seed=1).items()} == {k: v["value"] for k, v in metrics.items()}
    with pytest.raises(SubmissionError, match="has no prediction"):
        evaluator.eval({name: value[1:] for name, value in arrays.items()})


def test_load_model_resolves_a_committed_leaderboard_run_by_name_and_seed():
    from ecgbench.leaderboard.pretrained import resolve_pretrained
    from ecgbench.paths import repo_root

    results = repo_root() / "leaderboards" / "results"
    run = resolve_pretrained("cnn1d-context-ensemble-afgate", 0, results_dir=results)  # files hash-checked
    assert run.record["seed"] == 0 and run.record["submission"]["name"] == "cnn1d-context-ensemble-afgate"
    assert not run.record["quick"] and (run.folder / "model.keras").is_file()
    model = ecgbench.load_model("cnn1d-context-ensemble-afgate", seed=0, results_dir=results)
    assert model.run_id == run.run_id and model.af_gate is True and model.normalizer.context == "previous_beat"
