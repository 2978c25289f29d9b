"""``ecgbench score`` on small synthetic annotation folders."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records import write_annotations


@pytest.fixture()
def folders(tmp_path):
    ref, test = tmp_path / "ref", tmp_path / "test"
    s = np.arange(1, 40) * 360
    for record in ("100", "101", "102"):
        write_annotations(record, "atr", s, ["N"] * 38 + ["V"], 360.0, ref)
        write_annotations(record, "qrs", s[:-1] + 10, ["N"] * 38, 360.0, test)
    write_annotations("103", "atr", s, ["N"] * 39, 360.0, ref)  # no test file
    return ref, test


def _run(*args):
    return CliRunner().invoke(app, ["score", *args], terminal_width=120, color=False)


def test_score_json(folders):
    ref, test = folders
    res = _run("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs", "--learning-period", "0", "--json")
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["records"] == ["100", "101"] and payload["excluded_records"] == {"102": "paced (EC57)"}
    assert payload["gross"]["qrs"]["se"] == pytest.approx(100 * 38 / 39)
    assert payload["gross"]["veb"]["se"] == 0.0


def test_score_table_and_errors(folders, tmp_path):
    ref, test = folders
    res = _run("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs", "--per-record")
    assert res.exit_code == 0 and "QRS Se" in res.stdout and "paced" in res.stdout
    res = _run("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs", "--records", "100,103")
    assert res.exit_code == 2 and "103.qrs" in res.stderr
    write_annotations("101", "qlow", [250, 500], ["N", "N"], 250.0, test)
    write_annotations("101", "ahigh", [360, 720], ["N", "N"], 360.0, tmp_path / "r2")
    res = _run("--ref-dir", str(tmp_path / "r2"), "--ref-ann", "ahigh", "--test-dir", str(test), "--test-ann", "qlow")
    assert res.exit_code == 2 and "250 Hz" in res.stderr
    res = _run("--ref-dir", str(tmp_path / "r2"), "--ref-ann", "ahigh", "--test-dir", str(test), "--test-ann", "nope")
    assert res.exit_code == 2 and "no record has both" in res.stderr


def test_score_on_beam_gives_the_local_json(folders):
    ref, test = folders
    args = ("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs", "--learning-period", "0", "--json")
    local, beam = _run(*args), _run(*args, "--runner", "beam", "--beam-options", "runner=DirectRunner")
    assert local.exit_code == 0 and beam.exit_code == 0, beam.output
    assert json.loads(beam.stdout) == json.loads(local.stdout)
    refused = _run(*args, "--beam-options", "runner=DirectRunner")
    assert refused.exit_code == 2 and "only used with --runner beam" in refused.output
