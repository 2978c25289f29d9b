"""Seed-mean ranking: one row per submission, >= 3 seeds for seeded trainings, deterministic ones with one run."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from ecgbench.leaderboard.ranking import MIN_SEEDS, declared_deterministic
from ecgbench.leaderboard.render import render_texts
from ecgbench.leaderboard.store import load_entries
from ecgbench.leaderboard.table import build_boards, format_standing

from lb_helpers import fake_run

LABEL = np.array([0, 0, 1, 2])
RECORD = np.array(["100", "100", "101", "101"])


def _board(results, task="beats-interpatient"):
    entries, problems = load_entries(results)
    assert not problems
    return next(b for b in build_boards(entries, results.parent) if b.track.task == task)


def _run(results, run_id, name, accuracy, seed=0, **kwargs):
    return fake_run(results, run_id, name, LABEL, RECORD, accuracy=accuracy, seed=seed, **kwargs)


def test_submissions_rank_by_their_seed_mean_not_their_best_seed(tmp_path):
    results = tmp_path / "results"
    for seed, accuracy in enumerate((99.0, 80.0, 81.0)):  # one lucky seed, mean 86.67
        _run(results, f"20260101T00000{seed}Z-lucky-seed{seed}", "lucky", accuracy, seed)
    for seed, accuracy in enumerate((90.0, 91.0, 92.0)):  # steady, mean 91
        _run(results, f"20260101T00000{seed}Z-steady-seed{seed}", "steady", accuracy, seed)
    board = _board(results)
    assert [(s.rank, s.submission) for s in board.standings] == [(1, "steady"), (2, "lucky")]
    steady = board.standings[0]
    assert steady.seeds == (0, 1, 2) and steady.mean["gross.accuracy"] == pytest.approx(91.0)
    assert steady.sd["gross.accuracy"] == pytest.approx(1.0)
    column = board.metric_columns[0]
    assert format_standing(steady, column) == "91.00 ± 1.00"
    assert format_standing(steady, next(c for c in board.columns if c.key == "gross.veb.f1")) == "–"
    assert board.rows[0].submission == "lucky"  # the per-run table keeps every run, best first


def test_newest_run_per_seed_of_the_current_recipe_counts(tmp_path):
    results = tmp_path / "results"
    _run(results, "20260101T000000Z-alpha-seed0", "alpha", 50.0, 0)  # superseded by the newer seed-0 run
    _run(results, "20260101T000000Z-alpha-seed3", "alpha", 10.0, 3, recipe={"epochs": 5})  # an older recipe
    for seed, accuracy in enumerate((90.0, 92.0, 94.0)):
        _run(results, f"20260102T000000Z-alpha-seed{seed}", "alpha", accuracy, seed)
    board = _board(results)
    (alpha,) = board.standings
    assert alpha.seeds == (0, 1, 2) and alpha.mean["gross.accuracy"] == pytest.approx(92.0)
    assert len(board.rows) == 5 and sum(board.counted(r) for r in board.rows) == 3


def test_seeded_submissions_need_three_seeds_and_quick_runs_never_count(tmp_path):
    results = tmp_path / "results"
    _run(results, "20260101T000000Z-two-seed0", "two", 99.0, 0)
    _run(results, "20260101T000000Z-two-seed1", "two", 98.0, 1)
    _run(results, "20260101T000000Z-two-seed2", "two", 97.0, 2, quick=True)
    _run(results, "20260101T000000Z-three-seed0", "three", 60.0, 0)
    _run(results, "20260101T000000Z-three-seed1", "three", 60.0, 1)
    _run(results, "20260101T000000Z-three-seed2", "three", 60.0, 2)
    board = _board(results)
    assert [(s.submission, s.rank) for s in board.standings] == [("three", 1), ("two", None)]
    two = board.standings[1]
    assert two.reason == f"seeded training: 2 of the {MIN_SEEDS} seeds needed" and two.seeds == (0, 1)
    assert board.n_quick == 1
    _, texts = render_texts(results, check=False)
    page = texts["beats-interpatient.md"]
    assert "| 1 | three | estimator | 3 | 60.00 ± 0.00 |" in page
    assert "**Unranked**" in page and "| two | estimator | 2 | 98.50 ± 0.71 |" in page
    assert "## Every run" in page and page.count("[20260101T000000Z-two-seed") == 2  # both counted runs listed, not the quick one
    csv_lines = texts["beats-interpatient.csv"].splitlines()
    assert csv_lines[0].startswith("submission,kind,seed,date,code,run_id,rank,counted,default_config,")
    assert any(line.startswith("three,estimator,0,") and ",1,true,true," in line for line in csv_lines)
    assert any(line.startswith("two,estimator,0,") and ",,true,true," in line for line in csv_lines)


def test_deterministic_submissions_rank_with_one_run(tmp_path):
    results = tmp_path / "results"
    _run(results, "20260101T000000Z-model-seed0", "model", 70.0, kind="onnx")
    _run(results, "20260101T000000Z-prior-seed0", "prior", 65.0)
    _run(results, "20260101T000000Z-mine-seed0", "mine", 90.0)  # an estimator that does not declare it: seeded
    board = _board(results)
    assert [(s.submission, s.rank) for s in board.standings] == [("model", 1), ("prior", 2), ("mine", None)]
    model = board.standings[0]
    assert model.deterministic and format_standing(model, board.metric_columns[0]) == "70.00 [67.50–71.25]"
    _, texts = render_texts(results, check=False)
    assert "| 1 | model | onnx | 1 (deterministic) | 70.00 [67.50–71.25] |" in texts["beats-interpatient.md"]


@pytest.mark.parametrize(("submission", "expected"), [
    ({"name": "prior", "source": "prior", "kind": "estimator"}, True),
    ({"name": "rr-lda", "source": "rr-lda", "kind": "estimator"}, True),
    ({"name": "rr-lda", "source": "/tmp/rr-lda", "kind": "estimator"}, False),
    ({"name": "cnn1d", "source": "cnn1d", "kind": "keras"}, False),
    ({"name": "cnn1d", "source": "cnn1d", "kind": "keras", "deterministic": True}, True),
    ({"name": "prior", "source": "prior", "kind": "estimator", "deterministic": False}, False),
    ({"name": "x", "kind": "keras-file"}, True), ({"name": "x", "kind": "savedmodel"}, True),
    ({"name": "x", "kind": "onnx"}, True), ({"name": "x", "kind": "predictions"}, True), ({"name": "rules", "kind": "builtin"}, True),
])  # fmt: skip
def test_declared_deterministic(submission, expected):
    assert declared_deterministic({"submission": submission}) is expected


STREAM_DEFAULT = {"records": "DS2", "learning_period_s": 0.0, "chunk_s": 1.0, "af_method": "petrenas", "af_dwell": 32, "af_start_dwell": 8,
                  "vt_probability": None}  # fmt: skip
#: How a run at the default configuration records it (the start dwell sits in the alarm settings).
STREAM_RECIPE = {**{k: v for k, v in STREAM_DEFAULT.items() if k != "af_start_dwell"}, "alarms": {"af_start_dwell": 8}}


def test_streaming_ranks_the_default_configuration_and_lists_the_rest_as_ablation(tmp_path):
    results = tmp_path / "results"
    _run(results, "20260101T000000Z-stream-rules-seed0", "rules", 99.0, task="streaming", kind="builtin", recipe=STREAM_RECIPE)
    _run(results, "20260101T000001Z-stream-rules-seed0", "rules", 99.5, task="streaming", kind="builtin",
         recipe={**STREAM_RECIPE, "chunk_s": 0.25})  # fmt: skip
    _run(results, "20260101T000002Z-stream-rules-seed0", "rules", 99.7, task="streaming", kind="builtin",
         recipe={**STREAM_RECIPE, "vt_probability": 0.3})  # fmt: skip
    old = {k: v for k, v in STREAM_RECIPE.items() if k not in ("af_method", "af_dwell", "vt_probability", "alarms")}
    _run(results, "20260101T000003Z-stream-rules-seed0", "rules", 99.9, task="streaming", kind="builtin", recipe=old)  # median era
    board = _board(results, "streaming")
    (rules,) = board.standings
    assert rules.rank == 1 and [r.run_id for r in rules.runs] == ["20260101T000000Z-stream-rules-seed0"]
    assert [r.run_id for r in board.default_rows] == ["20260101T000000Z-stream-rules-seed0"]
    assert len(board.ablation_rows) == 3
    _, texts = render_texts(results, check=False)
    page = texts["streaming.md"]
    assert "## Ablation: runs at other configurations" in page and "**Default configuration**" in page
    assert "records DS2, learning period (s) 0, chunk (s) 1, AF detector petrenas, AF dwell (beats) 32, AF start dwell (beats) 8, VT p(V)+p(F) ≥ unset" in page
    ablation = page.split("## Ablation")[1]
    assert "| 0.25 |" in ablation and "| median |" in ablation and "| 0.30 |" in ablation
    assert "Ablation: runs at other configurations" in texts["index.html"]
    assert "since 20" not in page  # the note describes the protocol, not its history


def test_streaming_default_configuration_is_run_streams(tmp_path):
    """The board's declared default is what `ecgbench run stream` uses when given no option."""
    from ecgbench.cli.stream import run_stream
    from ecgbench.leaderboard.tracks import TRACKS
    from ecgbench.streaming.alarms import AlarmConfig

    declared = dict(TRACKS["streaming"].default_config)
    assert declared == STREAM_DEFAULT
    options = {name: p.default for name, p in inspect.signature(run_stream).parameters.items()}
    assert options["records"] == declared["records"] and options["chunk"] == declared["chunk_s"]
    assert options["learning_period"] == declared["learning_period_s"]
    alarms = AlarmConfig()
    assert (alarms.af_method, alarms.af_dwell, alarms.af_start_dwell, alarms.vt_probability) == (
        declared["af_method"], declared["af_dwell"], declared["af_start_dwell"], declared["vt_probability"])
