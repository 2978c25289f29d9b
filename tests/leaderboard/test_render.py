"""Rendering: a Markdown snapshot from fixed fake records, CSV/HTML content, atomicity on bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.errors import CorruptDataError
from ecgbench.leaderboard.render import render_leaderboards, render_texts

from lb_helpers import fake_run

SNAPSHOT = __import__("pathlib").Path(__file__).parent / "snapshots" / "beats-interpatient.md"
LABEL = np.array([0, 0, 1, 2, 0, 0, 2, 1])
RECORD = np.array(["100", "100", "100", "100", "101", "101", "101", "101"])


@pytest.fixture()
def fake_results(tmp_path):
    results = tmp_path / "leaderboards" / "results"
    fake_run(results, "20260102T030405Z-alpha-seed0", "alpha", LABEL, RECORD, accuracy=91.5)
    fake_run(results, "20260102T030405Z-beta|pipe-seed1", "beta|pipe", LABEL, RECORD, accuracy=97.25, seed=1)
    fake_run(results, "20260102T030405Z-gamma-seed0", "gamma", LABEL, RECORD, accuracy=99.9, quick=True)
    fake_run(results, "20260102T030405Z-delta-seed0", "delta", LABEL, RECORD, accuracy=99.0, task="beats-intrapatient")
    return results


def test_markdown_snapshot(fake_results):
    _, texts = render_texts(fake_results)
    assert texts["beats-interpatient.md"] == SNAPSHOT.read_text()


def test_ranking_quick_runs_and_links(fake_results):
    boards, texts = render_texts(fake_results)
    inter = boards[0]
    assert [r.submission for r in inter.rows] == ["beta|pipe", "alpha"]  # by accuracy, quick run left out
    assert inter.n_quick == 1
    assert inter.rows[0].link == "results/beats-interpatient/20260102T030405Z-beta|pipe-seed1.json"
    assert [b.track.task for b in boards] == ["beats-interpatient", "beats-intrapatient"]
    assert "LEAKY" in texts["beats-intrapatient.md"] and "Leaky split" in texts["beats-intrapatient.md"]


def test_csv_has_values_and_intervals(fake_results):
    _, texts = render_texts(fake_results)
    lines = texts["beats-interpatient.csv"].splitlines()
    header = lines[0].split(",")
    assert header[:7] == ["rank", "submission", "kind", "seed", "date", "code", "run_id"]
    first = dict(zip(header, lines[1].split(","), strict=True))
    assert (first["gross.accuracy"], first["gross.accuracy.ci_low"], first["gross.accuracy.ci_high"]) == ("97.25", "94.75", "98.5")
    assert first["gross.veb.f1"] == "" and first["code"] == "abcdef01"


def test_html_is_self_contained_and_sortable(fake_results):
    _, texts = render_texts(fake_results)
    page = texts["index.html"]
    assert "<script>" in page and "http" not in page.replace("http-equiv", "")  # no CDN, no external resource
    assert 'data-type="number"' in page and 'data-sort="97.25"' in page
    assert page.count('<table class="board">') == 2 and "Leaky split" in page
    assert "beta|pipe" in page and "[94.75–98.50]" in page


def test_render_writes_files_atomically_and_refuses_bad_records(fake_results):
    out = fake_results.parent
    written = render_leaderboards(fake_results)
    assert sorted(p.name for p in written) == sorted(
        ["beats-interpatient.md", "beats-interpatient.csv", "beats-intrapatient.md", "beats-intrapatient.csv", "index.html"]
    )
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = fake_results / "beats-interpatient" / "20260102T030405Z-alpha-seed0.json"
    record = json.loads(bad.read_text())
    record["schema_version"] = 99
    bad.write_text(json.dumps(record))
    with pytest.raises(CorruptDataError, match="schema_version 99"):
        render_leaderboards(fake_results)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(out.glob(".*.tmp"))
    result = CliRunner().invoke(app, ["leaderboard", "render", "--results-dir", str(fake_results)])
    assert result.exit_code == 2 and "schema_version 99" in result.output


def test_cli_show_json(fake_results):
    result = CliRunner().invoke(app, ["leaderboard", "show", "--results-dir", str(fake_results), "--task", "beats-interpatient", "--json"])
    assert result.exit_code == 0, result.output
    boards = json.loads(result.stdout)
    assert [r["submission"] for r in boards[0]["rows"]] == ["beta|pipe", "alpha"] and boards[0]["n_quick"] == 1


def test_cli_show_table(fake_results):
    result = CliRunner().invoke(app, ["leaderboard", "show", "--results-dir", str(fake_results)], env={"COLUMNS": "160"})
    assert result.exit_code == 0 and "97.25" in result.stdout and "intra-patient" in result.stdout


def test_recipe_column_reads_the_record_setting_not_a_metric():
    from ecgbench.leaderboard.tracks import TRACKS, Column

    record = {"metrics": {"qrs.se": {"value": 99.9, "ci_low": None, "ci_high": None}}, "recipe": {"chunk_s": 0.25}}
    assert Column("chunk_s", "chunk (s)", section="recipe").entry(record) == {"value": 0.25}
    assert Column("qrs.se", "QRS Se").entry(record)["value"] == 99.9
    assert Column("missing", "x", section="recipe").entry(record) == {}
    streaming = {c.key: c.section for c in TRACKS["streaming"].columns}
    assert streaming["chunk_s"] == "recipe" and "latency.first_label_p99_s" in streaming


def test_text_setting_column_shows_its_value_and_the_default_for_older_records():
    from ecgbench.leaderboard.table import _sort_key, format_cell
    from ecgbench.leaderboard.tracks import TRACKS

    (column,) = [c for c in TRACKS["streaming"].columns if c.key == "af_method"]
    new, old = {"recipe": {"af_method": "petrenas"}}, {"recipe": {"chunk_s": 1.0}}
    assert column.entry(new) == {"value": "petrenas"} and column.entry(old) == {"value": "median"}
    assert format_cell(column.entry(new)) == "petrenas"
    (model,) = [c for c in TRACKS["streaming"].columns if c.key == "model_run"]
    streamed = {"training": {"model_run": "20261124T214359Z-cnn1d-seed0"}}
    assert format_cell(model.entry(streamed)) == "20261124T214359Z-cnn1d-seed0"
    assert model.entry({"training": {"note": "built-in classifier 'rules': nothing trained"}}) == {}

    class _Entry:
        record, run_id = new, "x"

    assert _sort_key(_Entry(), column) == (True, -0.0, "x")  # text never ranks a board


def test_count_columns_show_whole_numbers():
    from ecgbench.leaderboard.table import format_cell
    from ecgbench.leaderboard.tracks import TRACKS

    decimals = {c.key: c.decimals for c in TRACKS["streaming"].columns}
    assert decimals["vt_alarm.alarmed"] == 0 and decimals["vt_alarm.onsets"] == 0 and decimals["qrs.se"] == 2
    assert format_cell({"value": 13.0, "ci_low": None, "ci_high": None}, decimals["vt_alarm.alarmed"]) == "13"
    assert format_cell({"value": 99.876, "ci_low": 99.1, "ci_high": 99.95}) == "99.88 [99.10–99.95]"
    assert "vt_alarm.false_per_hour" in decimals


def test_spread_over_seeds_uses_the_newest_run_per_seed(tmp_path):
    from ecgbench.leaderboard.store import load_entries
    from ecgbench.leaderboard.table import build_boards, format_spread, seed_spreads

    results = tmp_path / "leaderboards" / "results"
    fake_run(results, "20260101T000000Z-alpha-seed0", "alpha", LABEL, RECORD, accuracy=50.0, seed=0)  # superseded
    fake_run(results, "20260101T000000Z-alpha-seed3", "alpha", LABEL, RECORD, accuracy=10.0, seed=3,
             recipe={"epochs": 5})  # another recipe than the newest run's: left out  # fmt: skip
    fake_run(results, "20260102T000000Z-alpha-seed0", "alpha", LABEL, RECORD, accuracy=90.0, seed=0)
    fake_run(results, "20260102T000000Z-alpha-seed1", "alpha", LABEL, RECORD, accuracy=92.0, seed=1)
    fake_run(results, "20260102T000000Z-alpha-seed2", "alpha", LABEL, RECORD, accuracy=94.0, seed=2)
    fake_run(results, "20260102T000000Z-beta-seed0", "beta", LABEL, RECORD, accuracy=80.0, seed=0)  # one seed: no spread
    entries, problems = load_entries(results, None)
    assert not problems
    (board,) = build_boards(entries, results.parent)
    (spread,) = seed_spreads(board)
    assert spread.submission == "alpha" and spread.seeds == (0, 1, 2)
    assert spread.mean["gross.accuracy"] == pytest.approx(92.0) and spread.sd["gross.accuracy"] == pytest.approx(2.0)
    assert spread.mean["gross.veb.f1"] is None  # undefined in the runs: no mean
    columns = {c.key: c for c in board.columns}
    assert format_spread(spread, columns["gross.accuracy"]) == "92.00 ± 2.00"
    assert format_spread(spread, columns["gross.veb.f1"]) == "–"
    _, texts = render_texts(results)
    page = texts["beats-interpatient.md"]
    assert "Spread over seeds" in page and "Spread over seeds" in texts["index.html"]
    assert "| alpha | 0, 1, 2 | 92.00 ± 2.00 |" in page
