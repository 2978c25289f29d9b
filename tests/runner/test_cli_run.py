"""``ecgbench run baseline`` through the Typer CLI (no TTY, fixed width), on the synthetic track."""

from __future__ import annotations

import json


def test_run_baseline_json_and_errors(tmp_path, monkeypatch, tiny_track):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    monkeypatch.setattr("ecgbench.runner.beat.load_track", lambda *args, **kwargs: tiny_track)
    runner = CliRunner()
    results = tmp_path / "results"
    out = runner.invoke(
        app, ["run", "baseline", "prior", "--results-dir", str(results), "--bootstrap", "20", "--json"],
        env={"COLUMNS": "120", "NO_COLOR": "1"},
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["task"] == "beats-interpatient" and payload["submission"]["name"] == "prior"
    assert (results / "beats-interpatient" / f"{payload['run_id']}.json").is_file()
    board = (tmp_path / "beats-interpatient.md").read_text()  # the run re-rendered the boards beside its results
    assert "leaderboards re-rendered" in out.stderr
    # the synthetic track's dataset is not a published build: the record fails the checks, so the boards leave it out
    assert payload["run_id"] not in board
    assert f"{payload['run_id']}.json is left out of the leaderboards" in " ".join(out.stderr.split())

    bad = runner.invoke(app, ["run", "baseline", "no-such-model", "--results-dir", str(results)])
    assert bad.exit_code == 2
    assert "unknown baseline 'no-such-model'" in bad.stderr
    bad_track = runner.invoke(app, ["run", "baseline", "prior", "--track", "weekly"])
    assert bad_track.exit_code == 2 and "unknown track 'weekly'" in bad_track.stderr


def test_run_record_survives_a_leaderboard_that_cannot_render(tmp_path, monkeypatch, tiny_track):
    from typer.testing import CliRunner

    from ecgbench.cli import app
    from ecgbench.errors import CorruptDataError

    def broken(results_dir):
        raise CorruptDataError("record x.json: bad JSON")

    monkeypatch.setattr("ecgbench.runner.beat.load_track", lambda *args, **kwargs: tiny_track)
    monkeypatch.setattr("ecgbench.leaderboard.render.render_leaderboards", broken)
    results = tmp_path / "results"
    out = CliRunner().invoke(app, ["run", "baseline", "prior", "--results-dir", str(results), "--bootstrap", "20"],
                             env={"COLUMNS": "200", "NO_COLOR": "1"})  # fmt: skip
    assert out.exit_code == 2
    written = list((results / "beats-interpatient").glob("*.json"))
    assert len(written) == 1
    message = " ".join(out.stderr.split())
    assert f"{written[0]} was written, but the leaderboards were not re-rendered: record x.json: bad JSON" in message
    assert f"ecgbench leaderboard render --results-dir {results}" in message


def test_run_without_results_dir_writes_to_the_configured_tree_not_the_cwd(tmp_path, monkeypatch, tiny_track):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    monkeypatch.setattr("ecgbench.runner.beat.load_track", lambda *args, **kwargs: tiny_track)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("ECGBENCH_RESULTS_DIR", str(tmp_path / "mine" / "results"))
    out = CliRunner().invoke(app, ["run", "baseline", "prior", "--bootstrap", "20", "--json"], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert out.exit_code == 0, out.output
    run_id = json.loads(out.stdout)["run_id"]
    assert (tmp_path / "mine" / "results" / "beats-interpatient" / f"{run_id}.json").is_file()
    assert (tmp_path / "mine" / "beats-interpatient.md").is_file()  # boards beside the results tree
    assert list(elsewhere.iterdir()) == []  # no stray leaderboards/ tree in the current directory


def test_run_task_submission_is_the_run_baseline_alias(tmp_path, monkeypatch, tiny_track):
    """``run beats-intrapatient prior`` and ``run baseline prior --track intrapatient`` write the same figures."""
    from typer.testing import CliRunner

    from ecgbench.cli import app

    monkeypatch.setattr("ecgbench.runner.beat.load_track", lambda *args, **kwargs: tiny_track)
    runner, env = CliRunner(), {"COLUMNS": "120", "NO_COLOR": "1"}
    records = []
    for args in (["beats-intrapatient", "prior"], ["baseline", "prior", "--track", "intrapatient"]):
        out = runner.invoke(app, ["run", *args, "--results-dir", str(tmp_path / args[0]), "--bootstrap", "20", "--json"], env=env)
        assert out.exit_code == 0, out.output
        records.append(json.loads(out.stdout))
    assert records[0]["task"] == records[1]["task"] == "beats-intrapatient"
    assert records[0]["metrics"] == records[1]["metrics"] and records[0]["dataset"] == records[1]["dataset"]
    table = runner.invoke(app, ["run", "beats-interpatient", "prior", "--results-dir", str(tmp_path / "t"), "--bootstrap", "20"], env=env)
    assert table.exit_code == 0 and "SVEB F1" in table.stdout
