"""``leaderboard check/show/render`` read the one configured results tree, wherever they are run from."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from ecgbench.cli import app

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def test_check_without_records_is_an_error_naming_the_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECGBENCH_RESULTS_DIR", str(tmp_path / "none" / "results"))
    out = CliRunner().invoke(app, ["leaderboard", "check"], env=ENV)
    message = " ".join(out.stderr.split())
    assert out.exit_code == 2, out.output
    assert f"results tree {tmp_path / 'none' / 'results'} does not exist" in message and "--results-dir" in message
    (tmp_path / "empty").mkdir()
    empty = CliRunner().invoke(app, ["leaderboard", "check", "--results-dir", str(tmp_path / "empty")], env=ENV)
    assert empty.exit_code == 2 and "no run records" in empty.stderr  # never "0 of 0 pass" with exit 0
    render = CliRunner().invoke(app, ["leaderboard", "render"], env=ENV)
    assert render.exit_code == 2 and "does not exist" in render.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "empty"]  # nothing written into the current directory


def test_check_show_render_use_the_variable_from_any_directory(prior_run, tmp_path, monkeypatch):
    results = tmp_path / "tree" / "results"
    shutil.copytree(prior_run.record_path.parent.parent, results)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("ECGBENCH_RESULTS_DIR", str(results))
    runner = CliRunner()
    check = runner.invoke(app, ["leaderboard", "check", "--no-dataset"], env=ENV)
    assert "of 1 run record(s) pass" in " ".join(check.stderr.split())  # found it (the synthetic dataset is not published)
    show = runner.invoke(app, ["leaderboard", "show", "--json", "--no-dataset"], env=ENV)
    # Found it: the synthetic record fails the published-checksum check, so show names it as left out.
    assert show.exit_code == 0 and prior_run.record["run_id"] in show.stdout + show.stderr
    render = runner.invoke(app, ["leaderboard", "render"], env=ENV)
    assert render.exit_code == 0, render.output
    assert (tmp_path / "tree" / "beats-interpatient.md").is_file() and (tmp_path / "tree" / "index.html").is_file()
    assert list(elsewhere.iterdir()) == []
