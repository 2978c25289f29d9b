"""experiments/cv_compare_ds1.py: every application's candidate change is a recipe the runner accepts."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture(scope="module")
def cv_compare():
    return importlib.import_module("experiments.beat_recipes.cv_compare_ds1")


@pytest.mark.parametrize("application", ["look-ahead-rr", "both-leads"])
def test_each_candidate_change_resolves_to_a_recipe_the_runner_accepts(cv_compare, application):
    beat_val = importlib.import_module("experiments.beat_recipes.beat_val")
    changes = beat_val.parse_changes([cv_compare.CANDIDATE_CHANGES[application]])
    _, recipe, _, context = beat_val._keras_submission(cv_compare.SUBMISSION, "interpatient", changes, 0)
    assert context == "previous_beat"
    if application == "both-leads":
        assert recipe.options["leads"] == [0, 1, 2, 3]
    else:
        assert "rr_post" in recipe.options["rr_features"]
