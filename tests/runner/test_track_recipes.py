"""The runner's use of per-track recipe blocks, the val-only loading path, and experiments/beat_val.py."""

from __future__ import annotations

import importlib

import json
import shutil

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.models.loader import baselines_dir
from ecgbench.runner.beat import load_with_recipe, run_beat_benchmark

BOOT = 20

TRACK_RECIPE = {
    "epochs": 3,
    "seed": 1,
    "options": {"leads": [0], "head_units": 16},
    "tracks": {"intrapatient": {"epochs": 1, "options": {"head_units": 8}}},
}


@pytest.fixture()
def tracked_cnn1d(tmp_path):
    """cnn1d's model file with a recipe holding an intra-patient block."""
    folder = tmp_path / "submissions" / "cnn1d-tracked"
    folder.mkdir(parents=True)
    shutil.copy(baselines_dir() / "cnn1d" / "submission.py", folder / "submission.py")
    (folder / "recipe.json").write_text(json.dumps(TRACK_RECIPE))
    return folder


@pytest.fixture(scope="module")
def beat_val():
    return importlib.import_module("experiments.beat_recipes.beat_val")


def test_precedence_top_level_track_changes_cli(tracked_cnn1d):
    _, inter = load_with_recipe(tracked_cnn1d, None, None, False, track="interpatient")
    assert inter.epochs == 3 and inter.options == {"leads": [0], "head_units": 16}
    _, intra = load_with_recipe(tracked_cnn1d, None, None, False, track="intrapatient")
    assert intra.epochs == 1 and intra.options == {"leads": [0], "head_units": 8} and intra.tracks == {}
    changes = {"epochs": 5, "options": {"leads": [0, 1]}}
    _, changed = load_with_recipe(tracked_cnn1d, None, None, False, track="intrapatient", changes=changes)
    assert changed.epochs == 5 and changed.options == {"leads": [0, 1], "head_units": 8}
    _, cli = load_with_recipe(tracked_cnn1d, 4, 9, False, track="intrapatient", changes={"epochs": 5})
    assert cli.epochs == 9 and cli.seed == 4
    _, rhythm = load_with_recipe(tracked_cnn1d, None, None, False)  # rhythm runs ignore the block
    assert rhythm.epochs == 3
    with pytest.raises(ConfigError, match="recipe changes: unknown recipe key"):
        load_with_recipe(tracked_cnn1d, None, None, False, track="intrapatient", changes={"epoch": 5})


def test_run_records_the_resolved_recipe_and_verify_reproduces_it(tracked_cnn1d, tiny_track, tmp_path):
    from ecgbench.leaderboard.store import load_run
    from ecgbench.runner.verify import verify_run

    run = run_beat_benchmark(tracked_cnn1d, track="intrapatient", data=tiny_track, results_dir=tmp_path / "results",
                             quick=True, bootstrap_resamples=BOOT, command="pytest")  # fmt: skip
    recipe = run.record["recipe"]
    assert "tracks" not in recipe
    assert recipe["epochs"] == 1 and recipe["options"] == {"leads": [0], "head_units": 8} and recipe["seed"] == 1
    assert run.record["training"]["epochs_run"] == 1
    report = verify_run(load_run(run.record_path), data=tiny_track)
    assert report.reproduced, [c for c in report.checks if not c.equal]


def test_cli_epochs_beat_the_track_block_in_a_run(tracked_cnn1d, tiny_track, tmp_path):
    run = run_beat_benchmark(tracked_cnn1d, track="intrapatient", data=tiny_track, results_dir=tmp_path, epochs=2,
                             bootstrap_resamples=BOOT, command="pytest")  # fmt: skip
    assert run.record["recipe"]["epochs"] == 2 and run.record["recipe"]["options"]["head_units"] == 8


def _raw(beats):
    from ecgbench.runner.data import interval_fields

    return {**interval_fields(beats), "label": beats.label, "record": beats.record, "sample": beats.sample}


@pytest.mark.parametrize(("track", "expected"), [("intrapatient", ["intra_train"]), ("interpatient", ["ds1_train", "ds1_val"])])
def test_load_train_val_never_opens_the_test_split(monkeypatch, tiny_track, track, expected):
    import ecgbench.data
    from ecgbench.runner.data import INTRA_VAL_FRACTION, INTRA_VAL_SEED, load_train_val, split_validation

    opened = []
    raw = {"intra_train": tiny_track.train, "ds1_train": tiny_track.train, "ds1_val": tiny_track.val}

    def fake_load_split(split, config, tfds_dir=None):
        opened.append(split)
        if split not in raw:
            raise AssertionError(f"split {split} must not be loaded")
        return split

    monkeypatch.setattr(ecgbench.data, "load_split", fake_load_split)
    monkeypatch.setattr(ecgbench.data, "to_numpy", lambda split: _raw(raw[split]))
    train, val, splits = load_train_val(track)
    assert opened == expected
    if track == "intrapatient":
        want_train, want_val = split_validation(tiny_track.train, INTRA_VAL_FRACTION, seed=INTRA_VAL_SEED)
        assert splits["val"] == f"intra_train[stratified 10%, seed {INTRA_VAL_SEED}]"
    else:
        want_train, want_val = tiny_track.train, tiny_track.val
    np.testing.assert_array_equal(train.sample, want_train.sample)
    np.testing.assert_array_equal(val.sample, want_val.sample)
    assert len(train) + len(val) == len(tiny_track.train) + (len(tiny_track.val) if track == "interpatient" else 0)


def test_beat_val_parses_changes(beat_val):
    assert beat_val.parse_changes(["epochs=40", "options.leads=[0,1]", "options.x=2", "balance=none"]) == {
        "epochs": 40, "options": {"leads": [0, 1], "x": 2}, "balance": "none",
    }  # fmt: skip
    with pytest.raises(ConfigError, match="expected FIELD=VALUE"):
        beat_val.parse_changes(["epochs"])
    with pytest.raises(ConfigError, match="only augment, options, wrappers take a dotted key"):
        beat_val.parse_changes(["seed.x=1"])


def test_beat_val_trains_exactly_as_the_runner(beat_val, tiny_track, tmp_path):
    """Same seed and recipe: the script's per-epoch validation scores are the runner's, digit for digit."""
    run = run_beat_benchmark("cnn1d", track="intrapatient", data=tiny_track, results_dir=tmp_path, epochs=2, seed=3,
                             bootstrap_resamples=BOOT, command="pytest")  # fmt: skip
    result = beat_val.train_and_score("cnn1d", "intrapatient", {"epochs": 2}, seed=3, splits=(tiny_track.train, tiny_track.val))

    def scores(history):
        return [{k: v for k, v in entry.items() if k != "seconds"} for entry in history]

    assert scores(result["history"]) == scores(run.record["training"]["history"])
    assert result["best_epoch"] == run.record["training"]["best_epoch"] and result["epochs_run"] == 2
    assert result["recipe"] == run.record["recipe"]
    assert result["val"]["macro_f1_nsv"] == pytest.approx(100 * run.record["training"]["best_score"], abs=1e-3)
    assert set(result["val"]) == {"accuracy", "macro_f1_nsv", *(f"{g}.{f}" for g in ("sveb", "veb") for f in ("se", "ppv", "f1"))}
    assert 0.0 <= result["val"]["accuracy"] <= 100.0


def test_subject_folds_keep_a_subject_together_and_use_every_record_once(beat_val):
    records = ["101", "106", "201", "202", "203", "108", "109", "112"]
    folds = beat_val.subject_folds(records, 3)
    assert sorted(r for fold in folds for r in fold) == sorted(records)
    assert any({"201", "202"} <= set(fold) for fold in folds)
    assert folds[0] == ["101", "109", "203"]  # subjects 101 106 108 109 112 201 203 dealt round-robin
    with pytest.raises(ConfigError, match="between 3 and 7 folds"):
        beat_val.subject_folds(records, 8)


def test_cross_validation_never_trains_or_selects_on_the_held_out_records(beat_val, tiny_track, monkeypatch, tmp_path):
    import ecgbench.runner.beat as runner_beat

    seen = []
    original = runner_beat.fit_keras_on_splits

    def spy(submission, spec, recipe, train, val, **kwargs):
        seen.append((set(np.unique(train.record).tolist()), set(np.unique(val.record).tolist())))
        return original(submission, spec, recipe, train, val, **kwargs)

    monkeypatch.setattr(runner_beat, "fit_keras_on_splits", spy)
    beats = type(tiny_track.train).concatenate([tiny_track.train, tiny_track.val])
    saved = tmp_path / "held_out.npz"
    result = beat_val.cross_validate("cnn1d", "interpatient", {"epochs": 1}, 3, seed=0, beats=beats, predictions_path=saved)
    assert result["n_beats"] == len(beats)
    held = np.load(saved)
    np.testing.assert_array_equal(held["record"], beats.record)
    np.testing.assert_array_equal(held["label"], beats.label)
    assert held["probabilities"].shape == (len(beats), 5) and np.allclose(held["probabilities"].sum(axis=1), 1.0, atol=1e-4)
    for fold, (trained, validated) in zip(result["folds"], seen, strict=True):
        held_out = set(fold["held_out"])
        assert not held_out & (trained | validated) and validated == set(fold["val"]) and not trained & validated
        assert held_out | trained | validated == set(np.unique(beats.record).tolist())
        assert sorted(fold["record_accuracy"]) == sorted(held_out)
    assert sorted(r for fold in result["folds"] for r in fold["held_out"]) == sorted(np.unique(beats.record).tolist())
    with pytest.raises(ConfigError, match="interpatient"):
        beat_val.cross_validate("cnn1d", "intrapatient", {}, 3, beats=beats)
