"""``ecgbench stream`` without a terminal prints JSON lines; bad input gives a clear error."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records.synthetic import synthetic_ecg, write_synthetic_record

runner = CliRunner()


def test_stream_prints_json_lines_and_writes_annotations(tmp_path):
    write_synthetic_record(tmp_path, "cli1", duration=20.0, symbols="NNNV", seed=3)
    events = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["stream", str(tmp_path / "cli1"), "--speed", "0", "--chunk", "0.5",
                                 "--events", str(events), "--annotations", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    beats = [e for e in lines if e["type"] == "beat"]
    assert len(beats) >= 20 and {"time", "sample", "label", "confidence", "latency"} <= set(beats[0])
    assert {b["label"] for b in beats} >= {"N", "V"}
    assert len(events.read_text().splitlines()) == len(lines)
    assert (tmp_path / "out" / "cli1.stream").is_file()


def test_stream_reads_int16_from_stdin():
    ecg = synthetic_ecg(duration=15.0, seed=6)
    raw = np.round(ecg.signal * 200).astype("<i2").tobytes()
    result = runner.invoke(app, ["stream", "-", "--speed", "0", "--fs", "360", "--leads", "2", "--gain", "200"], input=raw)
    assert result.exit_code == 0, result.output
    beats = [json.loads(x) for x in result.stdout.splitlines() if '"beat"' in x]
    assert abs(len(beats) - len(ecg.r_peaks)) <= 2


def test_stream_unknown_record_and_model_are_clear_errors(tmp_path):
    result = runner.invoke(app, ["stream", "nope", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "not found" in result.output
    write_synthetic_record(tmp_path, "cli2", duration=5.0)
    result = runner.invoke(app, ["stream", str(tmp_path / "cli2"), "--model", "bogus"])
    assert result.exit_code == 2 and "rules" in result.output
    result = runner.invoke(app, ["stream", str(tmp_path / "cli2"), "--af-detector", "magic"])
    assert result.exit_code == 2 and "--af-detector 'magic'" in result.output and "petrenas" in result.output
    result = runner.invoke(app, ["stream", str(tmp_path / "cli2"), "--af-dwell", "0"])
    assert result.exit_code == 2 and "'--af-dwell'" in result.output and "greater than or equal to 1" in result.output
    result = runner.invoke(app, ["stream", str(tmp_path / "cli2"), "--vt-probability", "0"])
    assert result.exit_code == 2 and "vt_probability=0.0 must be in (0, 1]" in result.output
    result = runner.invoke(app, ["stream", str(tmp_path / "cli2"), "--vt-probability", "1.5"])
    assert result.exit_code == 2 and "'--vt-probability'" in result.output


@pytest.mark.slow
def test_run_stream_track_json_and_run_record(mitdb_dir, tmp_path):
    from ecgbench.cli.stream import run_app
    from ecgbench.leaderboard.record import read_run_record

    result = runner.invoke(run_app, ["--records", "119", "--data-dir", str(mitdb_dir.parent), "--json",
                                     "--results-dir", str(tmp_path / "results")])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["metrics"]["qrs.se"] >= 99.5 and payload["metrics"]["throughput_x_realtime"] > 1.0
    record = read_run_record(payload["run_record"])
    assert record["task"] == "streaming" and (tmp_path / "results" / "streaming" / record["predictions"]["file"]).is_file()
