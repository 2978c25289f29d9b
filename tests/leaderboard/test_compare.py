"""Paired bootstrap comparison of two runs on the same beats."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.errors import ConfigError
from ecgbench.leaderboard.compare import compare_runs
from ecgbench.leaderboard.store import load_run

from lb_helpers import fake_run

RECORDS = np.repeat(["100", "101", "103", "105", "106", "108"], 40)
LABEL = np.tile(np.array([0] * 30 + [1] * 5 + [2] * 5), 6)


@pytest.fixture()
def runs(tmp_path):
    results = tmp_path / "results"
    perfect = fake_run(results, "perfect", "perfect", LABEL, RECORDS)
    sloppy = fake_run(results, "sloppy", "sloppy", LABEL, RECORDS, wrong_every=3)
    return results, load_run(perfect), load_run(sloppy)


def _by_metric(result):
    return {d.metric: d for d in result.differences}


def test_a_worse_run_differs_significantly(runs):
    _, perfect, sloppy = runs
    result = compare_runs(perfect, sloppy, metrics=["gross.accuracy", "gross.veb.se", "gross.classes.N.se"], n_resamples=200, seed=1)
    diffs = _by_metric(result)
    accuracy = diffs["gross.accuracy"]
    assert accuracy.a == 100.0
    expected = 100.0 * (1.0 - np.mean((np.arange(LABEL.size) % 3 == 0) & (LABEL != 0)))
    assert accuracy.b == pytest.approx(expected) and accuracy.difference == pytest.approx(expected - 100.0)
    assert accuracy.significant and accuracy.ci_high < 0 and accuracy.p_value < 0.05
    assert diffs["gross.classes.N.se"].difference == 0.0 and not diffs["gross.classes.N.se"].significant
    assert result.n_records == 6 and result.n_subjects == 6 and result.n_beats == LABEL.size


def test_comparison_is_seeded_and_symmetric(runs):
    _, perfect, sloppy = runs
    first = compare_runs(perfect, sloppy, n_resamples=100, seed=4)
    again = compare_runs(perfect, sloppy, n_resamples=100, seed=4)
    assert first == again
    swapped = _by_metric(compare_runs(sloppy, perfect, n_resamples=100, seed=4))["gross.accuracy"]
    assert swapped.difference == pytest.approx(-_by_metric(first)["gross.accuracy"].difference)


def test_runs_on_different_records_are_refused(runs, tmp_path):
    results, perfect, _ = runs
    other = fake_run(results, "other", "other", LABEL[:80], RECORDS[:80])
    with pytest.raises(ConfigError, match="tested different records"):
        compare_runs(perfect, load_run(other))


def test_cli_compare_json_by_run_id(runs):
    results, _, _ = runs
    result = CliRunner().invoke(app, ["leaderboard", "compare", "perfect", "sloppy", "--results-dir", str(results),
                                      "--metric", "gross.accuracy", "--resamples", "100", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["differences"][0]["metric"] == "gross.accuracy" and payload["differences"][0]["significant"] is True
    missing = CliRunner().invoke(app, ["leaderboard", "compare", "perfect", "nope", "--results-dir", str(results)])
    assert missing.exit_code == 2 and "no run record 'nope'" in missing.output
