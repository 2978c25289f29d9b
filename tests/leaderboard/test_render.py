"""Rendering: a Markdown snapshot from fixed fake records, CSV/HTML content, atomicity on bad input.

The fake records do not pass the checks (their metrics are invented), so these tests render with
``check=False``; publishing only passing records is tested in ``test_publish.py``.
"""

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
    fake_run(results, "20260102T030405Z-alpha-seed0", "alpha", LABEL, RECORD, accuracy=91.5, kind="onnx")  # deterministic
    fake_run(results, "20260102T030405Z-beta|pipe-seed1", "beta|pipe", LABEL, RECORD, accuracy=97.25, seed=1)
    fake_run(results, "20260102T030405Z-gamma-seed0", "gamma", LABEL, RECORD, accuracy=99.9, quick=True)
    fake_run(results, "20260102T030405Z-delta-seed0", "delta", LABEL, RECORD, accuracy=99.0, task="beats-intrapatient")
    return results


def test_markdown_snapshot(fake_results):
    _, texts = render_texts(fake_results, check=False)
    assert texts["beats-interpatient.md"] == SNAPSHOT.read_text()


def test_ranking_quick_runs_and_links(fake_results):
    boards, texts = render_texts(fake_results, check=False)
    inter = boards[0]
    assert [r.submission for r in inter.rows] == ["beta|pipe", "alpha"]  # by accuracy, quick run left out
    assert [(s.submission, s.rank) for s in inter.standings] == [("alpha", 1), ("beta|pipe", None)]  # one seed each
    assert inter.n_quick == 1
    assert inter.rows[0].link == "results/beats-interpatient/20260102T030405Z-beta|pipe-seed1.json"
    assert [b.track.task for b in boards] == ["beats-interpatient", "beats-intrapatient"]
    assert "LEAKY" in texts["beats-intrapatient.md"] and "Leaky split" in texts["beats-intrapatient.md"]


def test_csv_has_values_and_intervals(fake_results):
    _, texts = render_texts(fake_results, check=False)
    lines = texts["beats-interpatient.csv"].splitlines()
    header = lines[0].split(",")
    assert header[:9] == ["submission", "kind", "seed", "date", "code", "run_id", "rank", "counted", "default_config"]
    first = dict(zip(header, lines[1].split(","), strict=True))
    assert (first["submission"], first["rank"], first["counted"]) == ("beta|pipe", "", "true")
    assert (first["gross.accuracy"], first["gross.accuracy.ci_low"], first["gross.accuracy.ci_high"]) == ("97.25", "94.75", "98.5")
    assert first["gross.veb.f1"] == "" and first["code"] == "abcdef01"


def test_html_is_self_contained_and_sortable(fake_results):
    _, texts = render_texts(fake_results, check=False)
    page = texts["index.html"]
    assert "<script>" in page and "http" not in page.replace("http-equiv", "")  # no CDN, no external resource
    assert 'data-type="number"' in page and 'data-sort="97.25"' in page
    assert page.count('<table class="board">') == 4 and page.count('<table class="board runs">') == 2 and "Leaky split" in page
    assert "beta|pipe" in page and "[94.75–98.50]" in page


def test_render_writes_files_atomically_and_refuses_bad_records(fake_results):
    out = fake_results.parent
    written = render_leaderboards(fake_results, check=False)
    assert sorted(p.name for p in written) == sorted(
        ["beats-interpatient.md", "beats-interpatient.csv", "beats-intrapatient.md", "beats-intrapatient.csv", "index.html"]
    )
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    bad = fake_results / "beats-interpatient" / "20260102T030405Z-alpha-seed0.json"
    record = json.loads(bad.read_text())
    record["schema_version"] = 99
    bad.write_text(json.dumps(record))
    with pytest.raises(CorruptDataError, match="schema_version 99"):
        render_leaderboards(fake_results, check=False)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(out.glob(".*.tmp"))
    result = CliRunner().invoke(app, ["leaderboard", "render", "--results-dir", str(fake_results)])
    assert result.exit_code == 2 and "schema_version 99" in result.output


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
