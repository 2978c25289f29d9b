"""A trained-model manifest is confined to its folder, bounded in size, and malformed JSON of any shape fails clearly."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from ecgbench.models.errors import SubmissionError
from ecgbench.models.manifest import MAX_DESCRIPTION_CHARS, MAX_FIELD_CHARS, MAX_JSON_DEPTH, MAX_MANIFEST_BYTES, read_manifest

BASE = {
    "task": "beats-interpatient",
    "model": "model.keras",
    "inputs": {"signal": [288, 2], "rr": [7]},
    "normalizer": "none",
    "trained_on": {"train": "ds1_train", "val": "ds1_val"},
}


@pytest.fixture
def folder(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "model.keras").write_bytes(b"placeholder")  # read_manifest checks the path, it does not load the model
    return sub


def _write(folder, manifest=None, text=None):
    (folder / "manifest.json").write_text(text if text is not None else json.dumps(manifest))
    return folder


def test_a_good_manifest_reads(folder):
    assert read_manifest(_write(folder, BASE)).model_path == folder / "model.keras"


@pytest.mark.parametrize("model", ["../outside.keras", "../../outside.keras", "sub/../../outside.keras"])
def test_model_path_escaping_the_folder_is_refused(folder, model):
    (folder.parent / "outside.keras").write_bytes(b"x")
    (folder / "sub").mkdir()
    with pytest.raises(SubmissionError, match="outside the submission folder"):
        read_manifest(_write(folder, {**BASE, "model": model}))


def test_absolute_model_path_is_refused(folder):
    with pytest.raises(SubmissionError, match="absolute path"):
        read_manifest(_write(folder, {**BASE, "model": str(folder / "model.keras")}))


def test_symlink_out_of_the_folder_is_refused(folder):
    target = folder.parent / "elsewhere.keras"
    target.write_bytes(b"x")
    os.symlink(target, folder / "link.keras")
    with pytest.raises(SubmissionError, match="outside the submission folder"):
        read_manifest(_write(folder, {**BASE, "model": "link.keras"}))


def test_symlink_inside_a_savedmodel_folder_pointing_out_is_refused(folder):
    saved = folder / "saved"
    saved.mkdir()
    (folder.parent / "weights.bin").write_bytes(b"x")
    os.symlink(folder.parent / "weights.bin", saved / "weights.bin")
    with pytest.raises(SubmissionError, match="weights.bin resolves to"):
        read_manifest(_write(folder, {**BASE, "model": "saved"}))


def test_symlink_inside_the_folder_is_fine(folder):
    os.symlink(folder / "model.keras", folder / "alias.keras")
    assert read_manifest(_write(folder, {**BASE, "model": "alias.keras"})).model_path.name == "alias.keras"


def test_oversized_manifest_is_refused_before_parsing(folder):
    text = json.dumps({**BASE, "description": "x" * MAX_MANIFEST_BYTES})
    with pytest.raises(SubmissionError, match="at most 1,000,000"):
        read_manifest(_write(folder, text=text))


def test_long_description_and_fields_are_refused(folder):
    with pytest.raises(SubmissionError, match="field 'description' is 2,001 characters"):
        read_manifest(_write(folder, {**BASE, "description": "x" * (MAX_DESCRIPTION_CHARS + 1)}))
    with pytest.raises(SubmissionError, match="field 'name' is"):
        read_manifest(_write(folder, {**BASE, "name": "n" * (MAX_FIELD_CHARS + 1)}))
    with pytest.raises(SubmissionError, match="trained_on"):
        read_manifest(_write(folder, {**BASE, "trained_on": {"train": "t" * (MAX_FIELD_CHARS + 1)}}))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply|nested more than"),
        (json.dumps({**BASE, "normalizer": json.loads("[" * (MAX_JSON_DEPTH + 2) + "]" * (MAX_JSON_DEPTH + 2))}), "nested more than"),
        ("[1, 2]", "not a JSON list"),
        ('"model.keras"', "not a JSON str"),
        ("null", "not a JSON NoneType"),
        ("\xff\xfe", "not valid JSON"),
        (json.dumps({**BASE, "task": ["beats-interpatient"]}), "field 'task' must be a string"),
        (json.dumps({**BASE, "model": {"path": "model.keras"}}), "field 'model' must be a string"),
        (json.dumps({**BASE, "name": 7}), "field 'name' must be a string"),
        (json.dumps({**BASE, "normalizer": {"per_beat": "median", "signal_mean": "oops"}}), "field 'normalizer'"),
        (json.dumps({**BASE, "normalizer": 3}), "field 'normalizer' must be"),
        (json.dumps({**BASE, "inputs": [1]}), "field 'inputs' must map"),
        (json.dumps({**BASE, "seed": "0"}), "field 'seed' must be an integer"),
    ],
)
def test_malformed_manifests_give_a_clear_error(folder, text, fragment):
    with pytest.raises(SubmissionError, match=fragment):
        read_manifest(_write(folder, text=text))


def test_cli_reports_a_deeply_nested_manifest_without_a_traceback(folder):
    from ecgbench.cli import app

    _write(folder, text="{" + '"a":{' * 50_000 + "}" * 50_001)
    result = CliRunner().invoke(app, ["submit", str(folder)], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 2, result.output
    assert "nested" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, RecursionError)
