"""``ecgbench build-dataset``: JSON output, idempotence, errors on stderr with exit code 2."""

from __future__ import annotations

import json
import time

import pytest


from typer.testing import CliRunner  # noqa: E402

from ecgbench.cli import app  # noqa: E402

runner = CliRunner()


def _invoke(*args):
    return runner.invoke(app, ["build-dataset", *args], env={"COLUMNS": "120", "NO_COLOR": "1"})


def test_unknown_config_lists_valid_ones():
    result = _invoke("--config", "bogus")
    assert result.exit_code == 2
    assert "unknown config 'bogus'" in result.output and "beats, rhythm" in result.output


def test_missing_manual_dir_says_what_to_pass(tmp_path):
    result = _invoke("--config", "beats", "--manual-dir", str(tmp_path / "nope"), "--output-dir", str(tmp_path))
    assert result.exit_code == 2 and "--manual-dir" in result.output and "100.hea" in result.output


def test_json_counts_and_reuse(dummy_builder, dummy_source, tmp_path):
    args = ("--config", "beats", "--manual-dir", str(dummy_source), "--tfds-dir", str(tmp_path / "tfds"), "--json")
    first = _invoke(*args)
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    beats = payload["configs"]["beats"]
    assert beats["reused"] is False and beats["splits"]["ds2"]["total"] == 63
    started = time.perf_counter()
    second = _invoke(*args)
    assert json.loads(second.stdout)["configs"]["beats"]["reused"] is True
    assert json.loads(second.stdout)["configs"]["beats"]["splits"] == beats["splits"]
    assert time.perf_counter() - started < 30
