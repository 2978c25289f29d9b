"""``ecgbench detect`` on a record within the detector's learning period says why it found no beat."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records.synthetic import write_synthetic_record


def test_two_second_record_explains_zero_beats(tmp_path):
    write_synthetic_record(tmp_path, "short", duration=2.0, heart_rate=90.0, symbols="N", seed=0)
    result = CliRunner().invoke(app, ["detect", "short", "--record-dir", str(tmp_path), "--out-dir", str(tmp_path / "out")],
                                terminal_width=300, color=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0 beats" in result.output
    assert "no longer than the detector's 2-s learning period" in result.output
    as_json = CliRunner().invoke(app, ["detect", "short", "--record-dir", str(tmp_path), "--out-dir", str(tmp_path / "o2"), "--json"])
    payload = json.loads(as_json.stdout)
    assert payload["n_beats"] == 0 and "learning period" in payload["warning"]


def test_a_record_with_beats_has_no_warning(tmp_path):
    write_synthetic_record(tmp_path, "ok", duration=6.0, heart_rate=90.0, symbols="N", seed=0)
    result = CliRunner().invoke(app, ["detect", "ok", "--record-dir", str(tmp_path), "--out-dir", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["warning"] is None
