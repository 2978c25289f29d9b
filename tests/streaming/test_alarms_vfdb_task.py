"""Task ``alarms-vfdb``: its declaration, the CLI routing, and a one-record run whose record passes every check."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ecgbench.leaderboard.checks import CheckSession, check_record
from ecgbench.leaderboard.formats import board_markdown
from ecgbench.leaderboard.store import load_entries
from ecgbench.leaderboard.table import build_board
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.tasks import get_task

runner = CliRunner()


def test_declaration_lists_the_task_with_its_board_and_defaults():
    task = get_task("alarms-vfdb")
    assert task.command is not None and task.command.name == "alarms-vfdb" and task.command.submission_option == "--model"
    assert task.splits.test == "vfdb" and task.splits.train is None and task.dataset is None
    assert task.ranking_metric == "vf.se" and not task.metric("vtvf.false_per_hour").higher_is_better
    defaults = task.board.default_config
    config = AlarmConfig()
    assert (defaults["vf_method"], defaults["vf_step_s"], defaults["asystole_s"]) == (config.vf_method, config.vf_step, config.asystole)
    assert defaults["vt_probability"] == config.vt_probability
    assert (defaults["vf_veto_irregularity"], defaults["vf_veto_max_rate_bpm"]) == (config.vf_veto_irregularity, config.vf_veto_max_rate)
    for key in ("aha.vf_se", "aha.vt_se", "aha.nonshock_sp", "vt.se", "vf.se", "asystole.se", "vtvf.median_delay_s"):
        task.metric(key)


def test_tasks_command_lists_it_with_its_raw_database():
    from ecgbench.cli import app

    result = runner.invoke(app, ["tasks", "--json"])
    assert result.exit_code == 0, result.output
    assert "alarms-vfdb" in [t["name"] for t in json.loads(result.stdout)]
    table = runner.invoke(app, ["tasks"], env={"COLUMNS": "200"})
    assert "raw records (vfdb)" in table.output


def test_run_routes_a_positional_submission_and_refuses_unknown_records(tmp_path):
    from ecgbench.cli import app

    result = runner.invoke(app, ["run", "alarms-vfdb", "rules", "--records", "100", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "100" in result.output and "not VFDB records" in result.output


@pytest.mark.slow
def test_one_record_run_passes_every_check_and_renders(vfdb_dir, tmp_path):
    from ecgbench.cli import app

    results = tmp_path / "results"
    result = runner.invoke(app, ["run", "alarms-vfdb", "rules", "--records", "418", "--bootstrap", "50", "--data-dir",
                                 str(vfdb_dir.parent), "--results-dir", str(results), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    path = json.loads(result.stdout)["run_record"]
    record = json.loads(open(path).read())
    assert record["task"] == "alarms-vfdb" and record["quick"] is True  # a subset is never ranked
    assert record["dataset"]["name"] == "vfdb/source" and record["dataset"]["records"] == ["418"]
    assert record["recipe"]["pipeline_fs_hz"] == 360.0 and record["recipe"]["vf_method"] == "tcsc"
    report = check_record(path, CheckSession(canonical=None, use_local_dataset=False))
    assert report.ok, [r.message for r in report.failures()]
    assert {r.check: r.status for r in report.results}["dataset-checksum"] == "pass"
    text = board_markdown(build_board("alarms-vfdb", load_entries(results)[0], results))
    assert "VF ep. Se" in text and "AHA non-shockable Sp" in text
    assert set(record["episode_delays"]) >= {"VT", "VF", "asystole"}
