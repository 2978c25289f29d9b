"""Streaming and digitisation run records: shared schema, source-file identity, every check passes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ecgbench.leaderboard.checks import CheckSession, check_record
from ecgbench.leaderboard.formats import board_csv, board_markdown
from ecgbench.leaderboard.html import board_html
from ecgbench.leaderboard.store import load_entries
from ecgbench.leaderboard.table import build_board

runner = CliRunner()


def _statuses(path):
    report = check_record(path, CheckSession(canonical=None, use_local_dataset=False))
    return report, {r.check: r for r in report.results}


@pytest.mark.slow
def test_run_stream_record_passes_every_check_and_renders(mitdb_dir, tmp_path):
    from ecgbench.cli.run import app

    results = tmp_path / "results"
    result = runner.invoke(app, ["stream", "--model", "rules", "--records", "119,100", "--data-dir", str(mitdb_dir.parent),
                                 "--results-dir", str(results), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    path = json.loads(result.stdout)["run_record"]
    record = json.loads(open(path).read())
    assert record["provenance"]["git_sha"] is not None or record["provenance"]["git_dirty"] is None
    assert record["dataset"]["identity"] == "source" and record["dataset"]["records"] == ["119", "100"]
    report, by_check = _statuses(path)
    assert report.ok, [r.message for r in report.failures()]
    assert by_check["dataset-checksum"].status == "pass"
    assert by_check["metrics"].status == "skip" and "replay" in by_check["metrics"].message
    record["dataset"]["records"] = ["119"]  # a checksum that does not match the listed records fails
    (results / "streaming" / "bad.json").write_text(json.dumps({**record, "run_id": "bad"}))
    assert _statuses(results / "streaming" / "bad.json")[1]["dataset-checksum"].status == "fail"
    (results / "streaming" / "bad.json").unlink()
    board = build_board("streaming", load_entries(results)[0], results)
    text = board_markdown(board)
    assert record["run_id"] in (tmp_path / "streaming.md").read_text()  # the run re-rendered the boards
    assert "QRS Se" in text and "VT alarmed" in text and "latency p99 (s)" in text and "SVEB +P" in text
    assert record["recipe"]["af_method"] == "petrenas" and record["recipe"]["alarms"]["af_eta"] == 0.725
    assert record["recipe"]["af_dwell"] == 32 and "AF dwell (beats)" in text
    assert record["recipe"]["vt_probability"] is None and record["recipe"]["alarms"]["vt_probability"] is None
    assert "VT p(V)+p(F) ≥" in text
    assert "| petrenas |" in text and ",petrenas," in board_csv(board) and ">petrenas<" in board_html(board)
    assert f"{record['metrics']['qrs.se']['value']:.2f}" in text


@pytest.mark.slow
def test_run_digitize_writes_a_checked_record(mitdb_dir, tmp_path):
    from ecgbench.cli.run import app

    results = tmp_path / "results"
    result = runner.invoke(app, ["digitize", "--segments", "1", "--data-dir", str(mitdb_dir.parent), "--results-dir", str(results)])
    assert result.exit_code == 0, result.output
    (path,) = (results / "digitize").glob("*.json")
    record = json.loads(path.read_text())
    assert record["metrics"]["snr_db.clean.median"]["value"] > 5.0
    report, by_check = _statuses(path)
    assert report.ok, [r.message for r in report.failures()]
    assert "SNR clean p50 (dB)" in board_markdown(build_board("digitize", load_entries(results)[0], results))
    assert path.stem in (tmp_path / "digitize.md").read_text()  # the run re-rendered the boards
