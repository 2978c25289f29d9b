"""``verify`` of a recipe variant: what its submission hash covers, and a message that tells a new file layout from a new recipe."""

from __future__ import annotations

import json
import shutil

import pytest

from ecgbench.leaderboard.store import load_run
from ecgbench.models.loader import baselines_dir
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.runner.verify import verify_run


@pytest.fixture
def gated_prior(tmp_path, monkeypatch):
    """A registry whose prior family has a variant ``prior-gated`` declaring the AF gate wrapper."""
    root = tmp_path / "baselines"
    shutil.copytree(baselines_dir() / "prior", root / "prior")
    (root / "prior" / "recipes").mkdir()
    (root / "prior" / "recipes" / "prior-gated.json").write_text(json.dumps({"extends": "prior", "wrappers": {"af_gate": {}}}))
    monkeypatch.setattr("ecgbench.models.loader.baselines_dir", lambda: root)
    return root / "prior"


def test_a_variant_run_keeps_its_name_and_verify_tells_a_new_layout_from_a_new_recipe(gated_prior, tiny_track, tmp_path):
    run = run_beat_benchmark("prior-gated", data=tiny_track, results_dir=tmp_path / "results", bootstrap_resamples=10, command="pytest")
    record = run.record
    assert record["submission"]["name"] == "prior-gated" and "-prior-gated-seed0" in record["run_id"]
    assert record["recipe"]["wrappers"] == {"af_gate": {}} and "extends" not in record["recipe"]
    report = verify_run(load_run(run.record_path), data=tiny_track)
    assert report.reproduced and report.submission_unchanged and report.recipe_unchanged
    assert report.submission_summary() == "submission files unchanged"

    # The same run as the old layout recorded it: another hash, the gate spelt as an option.
    record["submission"]["sha256"] = "0" * 64
    record["recipe"]["options"] = {**record["recipe"].get("options", {}), "af_gate": True}
    del record["recipe"]["wrappers"]
    run.record_path.write_text(json.dumps(record))
    report = verify_run(load_run(run.record_path), data=tiny_track)
    assert report.reproduced and report.submission_unchanged is False and report.recipe_unchanged is True
    assert "still resolves to the recorded one" in report.submission_summary() and "CHANGED" not in report.submission_summary()

    # A recipe that no longer resolves to the recorded one is a change, said plainly; the re-run keeps the recorded recipe.
    (gated_prior / "recipes" / "prior-gated.json").write_text(json.dumps({"extends": "prior"}))
    report = verify_run(load_run(run.record_path), data=tiny_track)
    assert report.reproduced and report.recipe_unchanged is False
    assert report.submission_summary().startswith("submission files CHANGED since the run, recipe included")


def test_cli_verify_prints_the_summary(gated_prior, tiny_track, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import ecgbench.runner.verify as verify_module
    from ecgbench.cli import app

    run = run_beat_benchmark("prior-gated", data=tiny_track, results_dir=tmp_path / "results", bootstrap_resamples=10, command="pytest")
    record = {**run.record, "submission": {**run.record["submission"], "sha256": "0" * 64}}
    run.record_path.write_text(json.dumps(record))
    real = verify_module.verify_run
    monkeypatch.setattr(verify_module, "verify_run", lambda entry, tfds_dir=None: real(entry, data=tiny_track))
    result = CliRunner().invoke(app, ["verify", str(run.record_path), "--results-dir", str(tmp_path / "results")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "code or file layout changed since" in result.output and "verdict: reproduced digit for digit" in result.output
