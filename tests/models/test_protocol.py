"""Recipe parsing, BeatArrays, output validation and the submission loader/registry."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.models import (
    BeatArrays,
    Recipe,
    SubmissionError,
    check_probabilities,
    list_baselines,
    load_submission,
)


def test_recipe_defaults_and_overrides():
    recipe = Recipe.from_dict({"epochs": 3, "augment": {"scale_p": 0.5}})
    assert recipe.epochs == 3 and recipe.augment == {"scale_p": 0.5}
    changed = recipe.with_overrides(seed=7, epochs=None)
    assert changed.seed == 7 and changed.epochs == 3
    assert Recipe.from_dict(recipe.to_dict()) == recipe


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"optimiser": "adam"}, "unknown recipe key(s) optimiser"),
        ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'"),
        ({"balance": "smote"}, "unknown balance mode 'smote'"),
        ({"epochs": 0}, "epochs must be >= 1"),
        ({"learning_rate": -1.0}, "learning_rate must be > 0"),
        ({"monitor": "auc"}, "unknown monitor 'auc'"),
    ],
)
def test_recipe_rejects_bad_values(values, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        Recipe.from_dict(values)


def test_recipe_file_bad_json_names_file(tmp_path):
    path = tmp_path / "recipe.json"
    path.write_text("{epochs: 3")
    with pytest.raises(ConfigError, match="recipe.json is not valid JSON"):
        Recipe.from_file(path)


def test_beat_arrays_subset_and_length_check():
    beats = BeatArrays(
        signal=np.zeros((4, 288, 2), np.float32),
        rr=np.ones((4, 7), np.float32),
        label=np.array([0, 1, 2, 0]),
        record=np.array(["a", "a", "b", "b"]),
        sample=np.arange(4),
    )
    assert len(beats.subset(beats.record == "b")) == 2
    assert (beats.without_labels().label == -1).all()
    with pytest.raises(ConfigError, match="rr has 3 rows, label has 4"):
        BeatArrays(beats.signal, beats.rr[:3], beats.label, beats.record, beats.sample)


def test_check_probabilities_accepts_softmax():
    probs = np.full((3, 5), 0.2, np.float64)
    out = check_probabilities(probs, 3, 5, "demo")
    assert out.dtype == np.float32 and out.shape == (3, 5)


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        (np.full((3, 4), 0.25), r"shape \(3, 4\), expected \(3, 5\)"),
        (np.full((2, 5), 0.2), r"shape \(2, 5\), expected \(3, 5\)"),
        (np.array([[0.2] * 5, [np.nan] * 5, [0.2] * 5]), "NaN or infinite values in 1 of 3 rows"),
        (np.array([[1.0, 1.0, -1.0, 0.0, 0.0]] * 3), "negative values"),
        (np.full((3, 5), 3.0), "row 0 sums to 15.0000"),
        ([["a"] * 5] * 3, "non-numeric"),
    ],
)
def test_check_probabilities_rejects_bad_output(output, fragment):
    with pytest.raises(SubmissionError, match=fragment) as info:
        check_probabilities(output, 3, 5, "demo")
    assert "submission 'demo'" in str(info.value)


def test_registry_lists_the_baselines():
    assert {"prior", "rr-lda", "cnn1d", "resnet1d"} <= set(list_baselines())


@pytest.mark.parametrize("name", ["prior", "rr-lda", "cnn1d", "resnet1d"])
def test_baselines_load_with_their_kind(name):
    loaded = load_submission(name)
    assert loaded.name == name
    assert loaded.kind == ("estimator" if name in ("prior", "rr-lda") else "keras")
    assert loaded.files[0].name == "submission.py"


def test_unknown_baseline_lists_valid_names():
    with pytest.raises(SubmissionError, match="unknown baseline 'nope'; valid baselines: .*cnn1d"):
        load_submission("nope")


def test_folder_without_submission_file(tmp_path):
    with pytest.raises(SubmissionError, match="submission.py not found"):
        load_submission(tmp_path)


def test_submission_that_fails_to_import(tmp_path):
    (tmp_path / "submission.py").write_text("raise RuntimeError('boom at import')\n")
    with pytest.raises(SubmissionError, match="importing .* raised RuntimeError: boom at import"):
        load_submission(tmp_path)


def test_submission_without_entry_point(tmp_path):
    (tmp_path / "submission.py").write_text("x = 1\n")
    with pytest.raises(SubmissionError, match="must define build_model"):
        load_submission(tmp_path)


def test_submission_with_bad_recipe(tmp_path):
    (tmp_path / "submission.py").write_text("def build_model(spec, recipe):\n    return None\n")
    (tmp_path / "recipe.json").write_text(json.dumps({"batch": 3}))
    with pytest.raises(SubmissionError, match=r"invalid recipe.json: .*unknown recipe key\(s\) batch"):
        load_submission(tmp_path)


def test_borrowed_code_is_part_of_the_submission_and_its_hash(tmp_path):
    from ecgbench.leaderboard.provenance import sha256_files
    from ecgbench.models.loader import baselines_dir

    cnn1d_code = baselines_dir() / "cnn1d" / "submission.py"
    assert load_submission("cnn1d").files == [cnn1d_code, cnn1d_code.with_name("recipe.json")]
    # a folder that borrows a copy of cnn1d hashes differently once that copy changes: the record notices the borrowed edit
    shutil.copytree(baselines_dir() / "cnn1d", tmp_path / "cnn1d")
    (tmp_path / "borrower").mkdir()
    (tmp_path / "borrower" / "submission.py").write_text(
        f"from ecgbench.models.loader import load_submission\nbuild_model = load_submission({str(tmp_path / 'cnn1d')!r}).module.build_model\n"
    )
    copy = load_submission(tmp_path / "borrower")
    assert tmp_path / "cnn1d" / "submission.py" in copy.files
    before = sha256_files(copy.files, root=copy.folder)
    (tmp_path / "cnn1d" / "submission.py").write_text((tmp_path / "cnn1d" / "submission.py").read_text() + "\n# changed\n")
    assert sha256_files(load_submission(tmp_path / "borrower").files, root=copy.folder) != before


def test_cnn1d_causal_recipe_is_cnn1ds_without_the_look_ahead_columns():
    cnn1d, causal = load_submission("cnn1d").recipe.to_dict(), load_submission("cnn1d-causal").recipe.to_dict()
    assert causal["options"].pop("rr_features") == ["rr_pre", "rr_local", "rr_average", "rr_pre_ratio", "rr_local_ratio"]
    assert causal == cnn1d
