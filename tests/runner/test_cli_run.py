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

    bad = runner.invoke(app, ["run", "baseline", "no-such-model", "--results-dir", str(results)])
    assert bad.exit_code == 2
    assert "unknown baseline 'no-such-model'" in bad.stderr
    bad_track = runner.invoke(app, ["run", "baseline", "prior", "--track", "weekly"])
    assert bad_track.exit_code == 2 and "unknown track 'weekly'" in bad_track.stderr
