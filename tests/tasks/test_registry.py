"""The task registry: the package's tasks, their variants, and every old list read from them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ecgbench.tasks import all_tasks, derive, get_task, register, task_names, unregister

EXPECTED = ("beats-interpatient", "beats-intrapatient", "beats-crossdb-svdb", "rhythm", "rhythm-4s", "rhythm-30s", "streaming", "alarms-vfdb", "digitize")


def test_the_package_tasks_in_display_order():
    assert task_names() == EXPECTED
    assert [t.board.task for t in all_tasks()] == list(EXPECTED)


def test_importing_the_registry_does_not_import_tensorflow():
    code = "import sys, ecgbench.tasks; ecgbench.tasks.all_tasks(); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_rhythm_variants_derive_from_the_10s_task():
    parent, four, thirty = get_task("rhythm"), get_task("rhythm-4s"), get_task("rhythm-30s")
    for variant, seconds in ((four, 4.0), (thirty, 30.0)):
        assert variant.params["window_s"] == seconds and variant.dataset.config == f"rhythm_{seconds:g}s"
        assert variant.board.columns is parent.board.columns and variant.metrics == parent.metrics
        assert variant.splits == parent.splits and variant.board.task == variant.name
        assert variant.input_shapes() == {"signal": (round(seconds * 360), 2)}
    intra = get_task("beats-intrapatient")
    assert intra.board.leaky and intra.board.columns is get_task("beats-interpatient").board.columns


def test_every_former_list_is_a_view_of_the_registry():
    from ecgbench.data.loading import CONFIGS as LOADING_CONFIGS
    from ecgbench.leaderboard.local_dataset import DATASET_CONFIGS
    from ecgbench.leaderboard.tracks import TRACK_ORDER, TRACKS, ordered_tasks, track_for
    from ecgbench.models.manifest import TASK_INPUTS
    from ecgbench.models.protocol import RECIPE_TRACKS
    from ecgbench.records.dataset import CONFIGS
    from ecgbench.runner.data import TRACKS as RUNNER_TRACKS
    from ecgbench.runner.model_file import TASK_TRACKS
    from ecgbench.runner.rhythm_data import WINDOW_CONFIGS, rhythm_task
    from ecgbench.streaming.model_adapter import MODEL_TASK

    assert TRACK_ORDER == EXPECTED and set(TRACKS) == set(EXPECTED) and track_for("rhythm") is get_task("rhythm").board
    assert ordered_tasks({"zz", "digitize", "beats-interpatient"}) == ["beats-interpatient", "digitize", "zz"]
    assert RUNNER_TRACKS == {"interpatient": ("beats-interpatient", "ds1_train", "ds1_val", "ds2"),
                             "intrapatient": ("beats-intrapatient", "intra_train", None, "intra_test")}  # fmt: skip
    assert TASK_TRACKS == {"beats-interpatient": "interpatient", "beats-intrapatient": "intrapatient"}
    assert RECIPE_TRACKS == ("interpatient", "intrapatient")
    assert TASK_INPUTS == {t: {"signal": (288, 2), "rr": (7,)} for t in ("beats-interpatient", "beats-intrapatient")}
    assert WINDOW_CONFIGS == {10.0: "rhythm", 4.0: "rhythm_4s", 30.0: "rhythm_30s"}
    assert [rhythm_task(s) for s in (10, 4, 30)] == ["rhythm", "rhythm-4s", "rhythm-30s"]
    assert LOADING_CONFIGS is CONFIGS and {t.dataset.config for t in all_tasks() if t.dataset} == set(CONFIGS)
    assert set(DATASET_CONFIGS) == {t.dataset.full_name for t in all_tasks() if t.dataset}
    assert MODEL_TASK == get_task("streaming").params["model_task"] == "beats-interpatient"


def test_a_registered_rhythm_variant_is_seen_by_the_rhythm_runner():
    from ecgbench.runner.rhythm_data import rhythm_task, window_config
    from ecgbench.tasks.rhythm import TASK as RHYTHM
    from ecgbench.tasks.base import DatasetRef

    variant = derive(RHYTHM, name="rhythm-2s", dataset=DatasetRef("mitdb", "rhythm_2s"), params={"window_s": 2.0})
    register(variant)
    try:
        assert rhythm_task(2) == "rhythm-2s" and window_config(2) == "rhythm_2s"
        assert variant.board.task == "rhythm-2s" and variant.board.title == RHYTHM.board.title
    finally:
        unregister("rhythm-2s")
    from ecgbench.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown rhythm window"):
        window_config(2)


def test_bad_declarations_are_refused():
    from ecgbench.errors import ConfigError

    base = get_task("beats-interpatient")
    with pytest.raises(ConfigError, match="ranking metric 'auc' is not one of its metrics"):
        derive(base, name="x", ranking_metric="auc")
    with pytest.raises(ConfigError, match="must be 'module:function'"):
        derive(base, name="x", run="no_colon")
    with pytest.raises(ConfigError, match="already registered"):
        register(base)
    with pytest.raises(ConfigError, match="cannot import its run function"):
        derive(base, name="x", run="ecgbench.no_such_module:run").run_function()


def test_tasks_command_lists_every_task(monkeypatch):
    from rich.console import Console
    from typer.testing import CliRunner

    from ecgbench.cli import app

    monkeypatch.setattr("ecgbench.cli.tasks.console", Console(width=200, no_color=True))  # the table's width, whatever the terminal

    runner = CliRunner()
    listed = runner.invoke(app, ["tasks", "--json"])
    assert listed.exit_code == 0, listed.output
    payload = json.loads(listed.stdout)
    assert [t["name"] for t in payload] == list(EXPECTED)
    inter = payload[0]
    assert inter["dataset"] == "mitdb/beats" and inter["splits"]["test"] == "ds2" and inter["ranking_metric"] == "gross.accuracy"
    assert inter["inputs"][0] == {"name": "signal", "shape": [288, 2], "units": "mV", "description": inter["inputs"][0]["description"]}
    table = runner.invoke(app, ["tasks"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert table.exit_code == 0 and all(name in table.stdout for name in EXPECTED)
    assert "ds1_train / ds1_val / ds2" in table.stdout and "mitdb/rhythm_30s" in table.stdout


def test_run_task_names_reach_the_commands_of_streaming_and_digitize():
    from typer.testing import CliRunner

    from ecgbench.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert listed.exit_code == 0 and "Tasks: beats-interpatient, beats-intrapatient, beats-crossdb-svdb, rhythm," in " ".join(listed.stdout.split())
    stream = runner.invoke(app, ["run", "streaming", "rules", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert stream.exit_code == 0 and "--chunk" in stream.stdout and "--af-detector" in stream.stdout
    digitize = runner.invoke(app, ["run", "digitize", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert digitize.exit_code == 0 and "--dpi" in digitize.stdout


def test_rhythm_rules_refuse_selection_on_test_and_missing_test_records(tmp_path):
    """The rhythm tasks' rules (declared in ecgbench/tasks/rhythm.py) pass a committed run and fail edited copies."""
    import shutil
    from pathlib import Path

    import numpy as np

    from ecgbench.leaderboard.checks import CheckSession, check_record
    from ecgbench.leaderboard.record import write_arrays

    committed = sorted(Path(__file__).resolve().parents[2].glob("leaderboards/results/rhythm/*-prior-seed0.json"))
    if not committed:
        pytest.skip("no committed rhythm prior run")
    folder = tmp_path / "results" / "rhythm"
    folder.mkdir(parents=True)
    source = committed[0]
    path = Path(shutil.copy(source, folder / source.name))
    shutil.copy(source.with_suffix(".npz"), folder / source.with_suffix(".npz").name)
    session = CheckSession.default(use_local_dataset=False)

    def track_rules() -> tuple[str, str]:
        (result,) = [r for r in check_record(path, session).results if r.check == "track-rules"]
        return result.status, result.message

    assert track_rules()[0] == "pass"
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "dataset": {**record["dataset"], "splits": {**record["dataset"]["splits"], "val": "test"}}}))
    status, message = track_rules()
    assert status == "fail" and "may only train and select on train, val" in message
    arrays = dict(np.load(source.with_suffix(".npz")))
    keep = arrays["record"] != "100"
    write_arrays(path.with_suffix(".npz"), {k: v[keep] for k, v in arrays.items()})
    path.write_text(json.dumps(record))
    status, message = track_rules()
    assert status == "fail" and "must predict every test record; missing 100" in message
