"""Boards publish only records that pass every check; ``leaderboard check`` prints a one-screen summary.

The records are copies of one real ``prior`` run on the synthetic track (so they pass every check)
under other run ids, seeds and names, plus a fake record of a task without recomputation ("toy"),
whose dataset the session publishes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.leaderboard.checks import CheckSession
from ecgbench.leaderboard.render import render_leaderboards, render_texts

from lb_helpers import fake_run, passing_copy

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
CHEAT = "20260103T000000Z-cheat-seed0"


def _cheat(record):
    record["metrics"]["gross.accuracy"]["value"] = 99.00


@pytest.fixture()
def wide_session(session):
    """The synthetic dataset and the fake records' dataset are published; no local build is read."""
    canonical = {**session.canonical, ("fake", "0"): "1" * 64}
    return CheckSession(canonical=canonical, use_local_dataset=False)


@pytest.fixture()
def results(prior_run, tmp_path):
    """A prior run, a seeded submission with three seeds, one with a single seed, a tampered copy and a toy task."""
    root = tmp_path / "leaderboards" / "results"
    passing_copy(prior_run, root, "20260101T000000Z-prior-seed0")
    for seed in (0, 1, 2):
        passing_copy(prior_run, root, f"20260101T000000Z-seeded-seed{seed}", seed=seed, name="seeded")
    passing_copy(prior_run, root, "20260101T000000Z-single-seed0", name="single")
    passing_copy(prior_run, root, CHEAT, name="cheat", change=_cheat)
    fake_run(root, "20260101T000000Z-toy-seed0", "toy-model", np.array([0, 1]), np.array(["100", "100"]), task="toy")
    return root


def test_a_record_with_an_edited_metric_is_left_out_with_a_warning(results, wide_session):
    warnings: list[str] = []
    boards, texts = render_texts(results, session=wide_session, warn=warnings.append)
    (warning,) = warnings
    assert CHEAT in warning and "metrics['gross.accuracy'].value is 99.0" in warning
    assert all("cheat" not in text for text in texts.values())
    (beats,) = [b for b in boards if b.track.task == "beats-interpatient"]
    assert {s.submission for s in beats.standings} == {"prior", "seeded", "single"}
    assert "toy-model" in texts["toy.md"] and "toy-model" in texts["index.html"]  # the other boards still render
    unchecked, _ = render_texts(results, session=wide_session, check=False)
    assert "cheat" in {s.submission for b in unchecked for s in b.standings}  # the test would fail without the filter


def test_a_task_whose_every_record_fails_gets_an_empty_board(results, wide_session):
    _, texts = render_texts(results, session=CheckSession(canonical={}, use_local_dataset=False), warn=lambda m: None)
    assert "toy.md" in texts and "toy-model" not in texts["toy.md"]  # the stale file is overwritten, not kept


def test_render_and_show_warn_on_stderr(results, wide_session, monkeypatch):
    import ecgbench.leaderboard.canonical as canonical

    monkeypatch.setattr(canonical, "read_canonical_checksums", lambda path=None: wide_session.canonical)
    runner = CliRunner()
    rendered = runner.invoke(app, ["leaderboard", "render", "--results-dir", str(results), "--no-dataset"], env=ENV)
    assert rendered.exit_code == 0, rendered.output
    assert f"{CHEAT}.json is left out of the leaderboards" in " ".join(rendered.stderr.split())
    board = (results.parent / "beats-interpatient.md").read_text()
    assert "seeded" in board and "cheat" not in board
    shown = runner.invoke(app, ["leaderboard", "show", "--results-dir", str(results), "--no-dataset", "--json"], env=ENV)
    assert shown.exit_code == 0, shown.output
    assert CHEAT in shown.stderr and "cheat" not in shown.stdout
    beats = next(b for b in json.loads(shown.stdout) if b["task"] == "beats-interpatient")
    assert [(s["submission"], s["rank"], s["seeds"]) for s in beats["standings"]] == [
        ("prior", 1, [0]), ("seeded", 2, [0, 1, 2]), ("single", None, [0])
    ]  # equal accuracy: by name; 'single' is seeded with one seed  # fmt: skip
    table = runner.invoke(app, ["leaderboard", "show", "--results-dir", str(results), "--no-dataset", "--runs"], env=ENV)
    assert table.exit_code == 0 and "mean ± SD over seeds" in table.stdout and "every run" in table.stdout
    assert "single: seeded training: 1 of the 3 seeds needed" in " ".join(table.stdout.split())


def test_submit_rerender_publishes_only_passing_records(results, wide_session):
    written = render_leaderboards(results, session=wide_session, warn=lambda m: None)
    assert {p.name for p in written} >= {"beats-interpatient.md", "toy.md", "index.html"}
    assert "cheat" not in (results.parent / "index.html").read_text()


def test_check_prints_a_summary_and_failures_in_full(results, wide_session, monkeypatch):
    import ecgbench.leaderboard.canonical as canonical

    monkeypatch.setattr(canonical, "read_canonical_checksums", lambda path=None: wide_session.canonical)
    runner = CliRunner()
    out = runner.invoke(app, ["leaderboard", "check", "--results-dir", str(results), "--no-dataset"], env=ENV)
    assert out.exit_code == 1
    stdout, stderr = out.stdout, " ".join(out.stderr.split())
    assert "beats-interpatient │ 6 │ 5 │ 1" in " ".join(stdout.split()) and "toy │ 1 │ 1 │ 0" in " ".join(stdout.split())
    assert f"FAIL {results / 'beats-interpatient' / CHEAT}.json" in stderr
    assert "metrics: recorded metrics differ from the predictions: metrics['gross.accuracy'].value is 99.0" in stderr
    assert "6 of 7 run record(s) pass every check" in stderr
    assert "prediction-hash" not in stdout  # the per-check table only with --verbose
    assert len(stdout.splitlines()) < 25
    verbose = runner.invoke(app, ["leaderboard", "check", "--results-dir", str(results), "--no-dataset", "--verbose"], env=ENV)
    assert verbose.exit_code == 1 and "prediction-hash" in verbose.stdout


def test_check_without_records_exits_non_zero(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["leaderboard", "check", "--results-dir", str(tmp_path / "nowhere")], env=ENV)
    assert out.exit_code == 2 and "does not exist" in out.stderr and "--results-dir" in out.stderr
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["leaderboard", "check", str(tmp_path / "empty")], env=ENV)
    assert empty.exit_code == 2 and "no run records" in empty.stderr


def test_a_record_declaring_itself_deterministic_passes_and_ranks_with_one_run(prior_run, wide_session, tmp_path):
    root = tmp_path / "results"
    passing_copy(prior_run, root, "20260101T000000Z-fixed-seed0", name="fixed", change=lambda r: r["submission"].update(deterministic=True))
    passing_copy(prior_run, root, "20260101T000000Z-seeded-seed0", name="seeded")
    warnings: list[str] = []
    (board,), _ = render_texts(root, session=wide_session, warn=warnings.append)
    assert not warnings  # the optional field passes the schema check
    assert [(s.submission, s.rank) for s in board.standings] == [("fixed", 1), ("seeded", None)]
