"""Model families with recipe variants: ``extends`` chains, the registry of names, and what a run's hash covers."""

from __future__ import annotations

import json
import shutil

import pytest

from ecgbench.errors import ConfigError
from ecgbench.models import SubmissionError, list_baselines, load_submission
from ecgbench.models.loader import baselines_dir
from ecgbench.models.recipe_files import read_recipe

#: The cnn1d variants that used to be folders of their own; their names are leaderboard names.
CNN1D_VARIANTS = ("cnn1d-causal", "cnn1d-causal-ensemble", "cnn1d-context", "cnn1d-context-afgate", "cnn1d-context-ensemble",
                  "cnn1d-context-ensemble-afgate", "cnn1d-context-ensemble-afgate-2lead")  # fmt: skip


def _write(path, values) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))


@pytest.fixture
def family(tmp_path, monkeypatch):
    """A registry holding a copy of the cnn1d family only."""
    root = tmp_path / "baselines"
    shutil.copytree(baselines_dir() / "cnn1d", root / "cnn1d")
    monkeypatch.setattr("ecgbench.models.loader.baselines_dir", lambda: root)
    return root / "cnn1d"


def test_every_former_cnn1d_variant_is_a_registered_recipe_of_the_one_cnn1d_folder():
    names = list_baselines()
    assert set(CNN1D_VARIANTS) <= set(names) and {"cnn1d", "resnet1d", "cnn1d-rhythm", "prior", "rr-lda", "rr-af"} <= set(names)
    folders = sorted(p.name for p in baselines_dir().iterdir() if (p / "submission.py").is_file())
    assert folders == ["cnn1d", "cnn1d-rhythm", "prior", "resnet1d", "rr-af", "rr-lda"]  # one folder per model family
    cnn1d = load_submission("cnn1d")
    for name in CNN1D_VARIANTS:
        loaded = load_submission(name)
        assert loaded.name == name and loaded.source == name and loaded.kind == "keras"
        assert loaded.folder == cnn1d.folder and loaded.recipe_path == cnn1d.folder / "recipes" / f"{name}.json"
        assert loaded.files[0] == cnn1d.folder / "submission.py" and loaded.files[-1] == cnn1d.folder / "recipe.json"


def test_the_hash_covers_the_code_and_every_recipe_of_the_chain_only(family):
    from ecgbench.leaderboard.provenance import sha256_files

    def digest(name):
        loaded = load_submission(name)
        return sha256_files(loaded.files, root=loaded.folder)

    before = digest("cnn1d-context-afgate")
    assert [p.name for p in load_submission("cnn1d-context-afgate").files] == [
        "submission.py", "cnn1d-context-afgate.json", "cnn1d-context.json", "cnn1d-causal.json", "recipe.json"]  # fmt: skip
    _write(family / "recipes" / "cnn1d-causal-ensemble.json", {"extends": "cnn1d-causal", "wrappers": {"ensemble": {"members": 5}}})
    assert digest("cnn1d-context-afgate") == before  # a sibling's recipe is not part of it
    for path in (family / "recipes" / "cnn1d-causal.json", family / "recipe.json", family / "submission.py"):
        path.write_text(path.read_text() + "\n")
        changed = digest("cnn1d-context-afgate")
        assert changed != before, path
        before = changed


def test_extends_merges_options_wrappers_and_track_blocks_key_by_key(family):
    _write(family / "recipes" / "v1.json", {"extends": "cnn1d", "epochs": 7, "options": {"filters": [8, 8, 8, 8]},
                                             "wrappers": {"ensemble": {"members": 2}, "af_gate": {}},
                                             "tracks": {"intrapatient": {"wrappers": {"af_gate": None}}}})  # fmt: skip
    _write(family / "recipes" / "v2.json", {"extends": "v1", "wrappers": {"af_gate": None}, "options": {"leads": [1]}})
    v1, v2 = load_submission("v1").recipe, load_submission("v2").recipe
    assert v1.epochs == 7 and v1.options == {"leads": [0], "filters": [8, 8, 8, 8]} and v1.batch_size == 256
    assert v1.wrappers == {"ensemble": {"members": 2}, "af_gate": {}}
    intra = v1.for_track("intrapatient")  # cnn1d's block (epochs 40, both leads) merged with the variant's
    assert intra.epochs == 40 and intra.options["leads"] == [0, 1] and intra.wrappers == {"ensemble": {"members": 2}}
    assert v2.wrappers == {"ensemble": {"members": 2}} and v2.options == {"leads": [1], "filters": [8, 8, 8, 8]}
    assert "v1" in list_baselines() and "v2" in list_baselines()


def test_bad_chains_name_the_file_and_the_fix(family):
    _write(family / "recipes" / "a.json", {"extends": "b"})
    _write(family / "recipes" / "b.json", {"extends": "a"})
    with pytest.raises(SubmissionError, match=r"a.json: extends makes a cycle \(a → b → a\)"):
        load_submission("a")
    _write(family / "recipes" / "orphan.json", {"extends": "cnn1d-nothing"})
    with pytest.raises(SubmissionError, match=r"no recipe named 'cnn1d-nothing' \(known: cnn1d, a, b, cnn1d-causal"):
        load_submission("orphan")
    _write(family / "recipes" / "typo.json", {"extends": "cnn1d", "optoins": {}})
    with pytest.raises(SubmissionError, match=r"typo.json: unknown recipe key\(s\) optoins"):
        load_submission("typo")
    with pytest.raises(ConfigError, match="is not valid JSON"):
        (family / "recipes" / "broken.json").write_text("{")
        read_recipe(family / "recipes" / "broken.json", family)


def test_a_name_declared_twice_is_refused(family):
    shutil.copytree(family, family.parent / "cnn1d-causal")  # a family folder named like a variant
    with pytest.raises(ConfigError, match=r"baseline name 'cnn1d-causal' is declared twice"):
        list_baselines()


def test_committed_records_recorded_the_recipe_their_variant_resolves_to_today():
    """The refactor kept every recipe: each committed run of a registered name recorded what the name resolves to now."""
    from pathlib import Path

    from ecgbench.models import Recipe
    from ecgbench.runner.beat import run_recipe

    results = Path(__file__).resolve().parents[2] / "leaderboards" / "results"
    if not results.is_dir():
        pytest.skip(f"{results} is absent (the committed results tree ships with the checkout, not the wheel)")
    names, compared = set(list_baselines()), 0
    for task, track in (("beats-interpatient", "interpatient"), ("beats-intrapatient", "intrapatient"), ("beats-crossdb-svdb", "interpatient")):
        for path in sorted((results / task).glob("*.json")):
            record = json.loads(path.read_text())
            name = record["submission"]["name"]
            if name not in names or record["submission"].get("source") != name:
                continue
            current = run_recipe(load_submission(name), record["seed"], None, record["quick"], track).to_dict()
            assert Recipe.from_dict(record["recipe"]).to_dict() == current, path.name
            compared += 1
    assert compared >= 60


def test_variant_names_are_listed_by_run_help_and_resolve_for_the_stream():
    from typer.testing import CliRunner

    from ecgbench.cli import app
    from ecgbench.streaming.model_adapter import _recipe_seed

    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert result.exit_code == 0
    listed = " ".join(result.stdout.split())
    for name in ("cnn1d", *CNN1D_VARIANTS):
        assert f" {name}," in listed or f" {name}." in listed, name
        assert _recipe_seed(name) == 0  # `--model NAME` looks up the run at the variant's recipe seed
