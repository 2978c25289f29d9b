"""CLI verbs `render` / `digitize` on a synthetic record, and the DS2 task on real data (slow)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records import read_record

runner = CliRunner()


def test_render_then_digitize_cli(tmp_path, synthetic_record):
    folder, name = synthetic_record
    image = tmp_path / "page.png"
    result = runner.invoke(app, ["render", str(folder / name), "--start", "0:05", "--end", "15", "-o", str(image), "--rotate", "1.5"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "dig" / "rec"
    result = runner.invoke(app, ["digitize", str(image), "-o", str(out), "--fs", "360", "--leads", "MLII,V5", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["leads"] == ["MLII", "V5"]
    assert summary["skew_deg"] == pytest.approx(1.5, abs=0.1)
    back = read_record("rec", out.parent)
    assert back.lead_names == ("MLII", "V5") and abs(back.duration - 10.0) < 0.05


def test_digitize_cli_errors(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"\x00\x01junk")
    result = runner.invoke(app, ["digitize", str(bad), "-o", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "not a readable image" in result.output


@pytest.mark.slow
def test_task_on_ds2_segments(mitdb_dir):
    from ecgbench.digitize.task import run_digitize_task

    result = run_digitize_task(mitdb_dir, n_segments=2, seed=1)
    summary = result.summary()
    assert summary["clean"]["n_leads"] == 4 and summary["clean"]["failures"] == 0
    assert summary["clean"]["median_snr_db"] > 15.0
    assert np.isfinite(summary["degraded"]["median_snr_db"])
    payload = result.to_dict()
    assert payload["task"] == "digitize" and len(payload["segments"]) == 4
    assert json.loads(json.dumps(payload, default=float))["config"]["seed"] == 1
    assert summary["clean"]["qrs"]["sensitivity"] > 0.8
