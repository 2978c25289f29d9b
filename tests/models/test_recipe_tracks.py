"""Per-track recipe blocks: resolution, key-by-key merge of options/augment, errors, serialisation."""

from __future__ import annotations

import json

import pytest

from ecgbench.errors import ConfigError
from ecgbench.models import Recipe
from ecgbench.models.protocol import RECIPE_TRACKS

BASE = {
    "epochs": 20,
    "balance": "sqrt_class_weight",
    "augment": {"scale_p": 0.5, "noise_p": 0.2},
    "options": {"leads": [0], "head_units": 64},
}


def test_track_block_replaces_fields_and_merges_options_key_by_key():
    recipe = Recipe.from_dict(
        {**BASE, "tracks": {"intrapatient": {"epochs": 40, "options": {"leads": [0, 1]}, "augment": {"noise_p": 0.0}}}}
    )
    intra = recipe.for_track("intrapatient")
    assert intra.epochs == 40
    assert intra.options == {"leads": [0, 1], "head_units": 64}
    assert intra.augment == {"scale_p": 0.5, "noise_p": 0.0}
    assert intra.balance == "sqrt_class_weight" and intra.tracks == {}
    # The other track keeps the top-level fields; the base recipe itself is unchanged.
    inter = recipe.for_track("interpatient")
    assert inter.epochs == 20 and inter.options == BASE["options"] and inter.augment == BASE["augment"]
    assert recipe.options == BASE["options"] and recipe.epochs == 20


def test_resolved_recipe_serialises_like_one_without_tracks():
    plain = Recipe.from_dict(BASE)
    with_block = Recipe.from_dict({**BASE, "tracks": {"intrapatient": {"epochs": 40}}})
    assert "tracks" not in plain.to_dict()
    assert with_block.for_track("interpatient").to_dict() == plain.to_dict()
    assert plain.for_track("intrapatient") == plain
    assert with_block.to_dict()["tracks"] == {"intrapatient": {"epochs": 40}}
    assert Recipe.from_dict(with_block.to_dict()) == with_block
    resolved = with_block.for_track("intrapatient").to_dict()
    assert "tracks" not in resolved and resolved["epochs"] == 40
    assert Recipe.from_dict(resolved).for_track("intrapatient").to_dict() == resolved  # what verify re-runs


def test_cli_overrides_win_over_the_track_block():
    recipe = Recipe.from_dict({**BASE, "tracks": {"intrapatient": {"epochs": 40, "seed": 3}}})
    run = recipe.for_track("intrapatient").with_overrides(epochs=7, seed=None)
    assert run.epochs == 7 and run.seed == 3


@pytest.mark.parametrize(
    ("tracks", "fragment"),
    [
        ({"rhythm": {"epochs": 3}}, "unknown track(s) rhythm in recipe field tracks; valid tracks: interpatient, intrapatient"),
        ({"intrapatient": {"epoch": 3}}, "tracks.intrapatient: unknown recipe key(s) epoch; valid keys:"),
        ({"intrapatient": {"tracks": {}}}, "tracks.intrapatient: unknown recipe key(s) tracks"),
        ({"intrapatient": {"optimizer": "lbfgs"}}, "tracks.intrapatient: unknown optimizer 'lbfgs'"),
        ({"intrapatient": {"epochs": 0}}, "tracks.intrapatient: recipe field epochs must be >= 1"),
        ({"intrapatient": {"options": [0, 1]}}, "tracks.intrapatient: recipe field options must be a JSON object"),
        ({"intrapatient": 40}, "tracks.intrapatient must be a JSON object"),
        ([{"intrapatient": {}}], "recipe field tracks must be a JSON object"),
    ],
)
def test_bad_track_blocks_fail_when_the_file_is_read(tmp_path, tracks, fragment):
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps({**BASE, "tracks": tracks}))
    with pytest.raises(ConfigError) as caught:
        Recipe.from_file(path)
    message = str(caught.value)
    assert str(path) in message and fragment in message


def test_unknown_track_name_at_resolution():
    with pytest.raises(ConfigError, match="unknown track 'weekly'; valid tracks: interpatient, intrapatient"):
        Recipe().for_track("weekly")


def test_merged_change_block_validates_like_a_track_block():
    recipe = Recipe.from_dict(BASE)
    assert recipe.merged({"options": {"head_units": 8}}).options == {"leads": [0], "head_units": 8}
    with pytest.raises(ConfigError, match="changes: unknown recipe key"):
        recipe.merged({"epoch": 3}, source="changes")


def test_recipe_tracks_match_the_runner_tracks():
    from ecgbench.runner.data import TRACKS

    assert set(RECIPE_TRACKS) == set(TRACKS)


def test_committed_cnn1d_interpatient_recipe_is_unchanged():
    """The inter-patient recipe cnn1d resolves to is the one its committed inter-patient run recorded."""
    from pathlib import Path

    from ecgbench.models import load_submission

    loaded = load_submission("cnn1d")
    assert "interpatient" not in loaded.recipe.tracks
    runs = sorted(Path(__file__).parents[2].glob("leaderboards/results/beats-interpatient/*-cnn1d-seed0.json"))
    if not runs:
        pytest.skip("no committed cnn1d inter-patient run record")
    recorded = json.loads(runs[-1].read_text())["recipe"]
    assert loaded.recipe.for_track("interpatient").to_dict() == recorded


def test_a_bad_top_level_value_names_the_recipe_file():
    with pytest.raises(ConfigError, match=r"^FILE\.json: recipe field epochs must be >= 1"):
        Recipe.from_dict({"epochs": 0}, source="FILE.json")
