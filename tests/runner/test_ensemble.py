"""The ``ensemble`` recipe wrapper: members are single runs, the saved model averages them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.models import Recipe, SubmissionError
from ecgbench.models.loader import baselines_dir, load_submission
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.runner.data import interval_fields
from ecgbench.runner.ensemble import ensemble_size, member_seeds

_CNN1D = "from ecgbench.models.loader import load_submission\nbuild_model = load_submission('cnn1d').module.build_model\n"


def _recipe(ensemble, **fields) -> str:
    recipe = {**load_submission("cnn1d").recipe.to_dict(), **fields}
    recipe["wrappers"] = {"ensemble": {"members": ensemble}}
    return json.dumps(recipe)


def _without_seconds(history: list[dict]) -> list[dict]:
    return [{key: value for key, value in epoch.items() if key != "seconds"} for epoch in history]


def test_member_seeds_of_different_run_seeds_never_overlap():
    assert member_seeds(0, 3) == [0, 1, 2]
    assert member_seeds(2, 3) == [6, 7, 8]
    assert member_seeds(5, 1) == [5]


@pytest.mark.parametrize("value", [0, -1, 11, 2.0, "3", True, [3]])
def test_ensemble_members_must_be_a_small_positive_integer(value):
    with pytest.raises(ConfigError, match=r"my/recipe.json: wrappers.ensemble.members must be an integer from 1 to 10"):
        Recipe.from_dict({"wrappers": {"ensemble": {"members": value}}}, source="my/recipe.json")
    # the spelling of records written before wrappers is read, and checked, the same way
    with pytest.raises(ConfigError, match=r"my/recipe.json: wrappers.ensemble.members must be an integer from 1 to 10"):
        Recipe.from_dict({"options": {"ensemble": value}}, source="my/recipe.json")
    assert ensemble_size(Recipe()) == 1 and ensemble_size(Recipe.from_dict({"options": {"ensemble": 3}})) == 3


@pytest.mark.parametrize(("wrappers", "message"), [({"ensemble": {}}, "wrappers.ensemble takes members"),
                                                   ({"ensemble": {"members": 3, "size": 3}}, "wrappers.ensemble takes members"),
                                                   ({"bagging": {}}, "unknown wrapper 'bagging'; valid wrappers: ensemble, af_gate"),
                                                   ({"ensemble": 3}, "wrappers.ensemble must be a JSON object")])  # fmt: skip
def test_a_malformed_wrapper_names_the_recipe_and_the_valid_choices(wrappers, message):
    with pytest.raises(ConfigError, match=rf"my/recipe.json: .*{message}"):
        Recipe.from_dict({"wrappers": wrappers}, source="my/recipe.json")


@pytest.mark.parametrize("single_name", ["cnn1d-causal", "cnn1d-context"])
def test_ensemble_recipe_is_the_single_baselines_with_three_members(single_name):
    single = load_submission(single_name).recipe.to_dict()
    ensemble = load_submission(f"{single_name}-ensemble").recipe.to_dict()
    assert ensemble.pop("wrappers") == {"ensemble": {"members": 3}}
    assert ensemble == single


def test_members_are_the_single_runs_and_the_saved_model_averages_them(tiny_track, tmp_path, write_submission):
    from ecgbench.streaming.classifier import load_classifier

    # Three epochs with patience 0, so each member's own early stopping and best-epoch restore act.
    single = write_submission("single", _CNN1D, _recipe(1, epochs=3, patience=0))
    singles = [run_beat_benchmark(single, data=tiny_track, seed=seed, results_dir=tmp_path / "single", bootstrap_resamples=5)
               for seed in (2, 3)]  # fmt: skip
    folder = write_submission("pair", _CNN1D, _recipe(2, epochs=3, patience=0))
    result = run_beat_benchmark(folder, data=tiny_track, seed=1, results_dir=tmp_path / "ensemble", bootstrap_resamples=5)

    training = result.record["training"]
    assert "members" not in singles[0].record["training"]
    assert [member["seed"] for member in training["members"]] == [2, 3]  # run seed 1, two members: 2 and 3
    assert training["epochs_run"] == sum(member["epochs_run"] for member in training["members"])
    for member, single in zip(training["members"], singles, strict=True):
        # Same seed, same training, same digits (only the wall-clock seconds differ).
        assert _without_seconds(member["history"]) == _without_seconds(single.record["training"]["history"])
    with np.load(singles[0].predictions_path) as a, np.load(singles[1].predictions_path) as b, np.load(result.predictions_path) as ens:
        expected = (a["probabilities"] + b["probabilities"]) / 2
        np.testing.assert_allclose(ens["probabilities"], expected, atol=1e-6)
    # The saved model is one model: the stream loads it like any other and reproduces the run.
    classifier = load_classifier(str(result.record_path.parent / result.record["artifacts"]["folder"]))
    fields = interval_fields(tiny_track.test)
    rr = {"pre": fields["rr_pre"], "post": fields["rr_post"], "local": fields["rr_local"], "average": fields["rr_average"]}
    np.testing.assert_allclose(classifier.classify(fields["signal"], rr), expected, atol=1e-5)


def test_ensemble_option_is_refused_for_estimators_and_bad_values(tiny_track, tmp_path, write_submission):
    prior_source = (baselines_dir() / "prior" / "submission.py").read_text()
    estimator = write_submission("prior-ensemble", prior_source, json.dumps({"wrappers": {"ensemble": {"members": 3}}}))
    with pytest.raises(ConfigError, match="the ensemble wrapper applies to Keras submissions"):
        run_beat_benchmark(estimator, data=tiny_track, quick=True, results_dir=tmp_path / "r1")
    bad = write_submission("bad-ensemble", _CNN1D, _recipe("three"))
    with pytest.raises(SubmissionError, match=r"bad-ensemble/recipe.json: wrappers.ensemble.members must be an integer"):
        run_beat_benchmark(bad, data=tiny_track, quick=True, results_dir=tmp_path / "r2")
    assert not (tmp_path / "r1").exists() and not (tmp_path / "r2").exists()


def test_rhythm_runner_refuses_an_ensemble_before_loading_data(tmp_path, write_submission):
    from ecgbench.runner.rhythm import run_rhythm_benchmark

    folder = write_submission("rhythm-ensemble", _CNN1D, _recipe(3))
    with pytest.raises(ConfigError, match=r"wrappers \(ensemble\) apply to the beat tracks"):
        run_rhythm_benchmark(folder, tfds_dir=tmp_path / "no-dataset-here", results_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()
