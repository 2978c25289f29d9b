"""Run-record writing (atomic, schema 1) and provenance helpers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ecgbench.errors import CorruptDataError
from ecgbench.leaderboard import git_state, make_run_id, package_versions, read_run_record, sha256_files, write_run_record
from ecgbench.leaderboard.record import REQUIRED_KEYS, read_predictions, write_predictions


def _minimal_record(**changes):
    record = {key: {} for key in REQUIRED_KEYS}
    record.update(schema_version=1, run_id="20260101T000000Z-demo-seed0", task="beats-interpatient", quick=False, seed=0)
    record.update(changes)
    return record


def test_run_id_is_a_safe_file_name():
    from datetime import UTC, datetime

    run_id = make_run_id("my model/v2", 4, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert run_id == "20260102T030405Z-my_model_v2-seed4"


def test_write_run_record_round_trip_and_nan_becomes_null(tmp_path):
    record = _minimal_record(metrics={"gross.sveb.ppv": {"value": math.nan, "ci_low": np.float32(1.5), "ci_high": None}})
    path = write_run_record(record, tmp_path)
    assert path == tmp_path / "beats-interpatient" / "20260101T000000Z-demo-seed0.json"
    loaded = read_run_record(path)
    assert loaded["metrics"]["gross.sveb.ppv"] == {"value": None, "ci_low": 1.5, "ci_high": None}
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_written_files_get_the_umask_mode_not_0600(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        record_path = write_run_record(_minimal_record(), tmp_path)
        predictions = write_predictions(tmp_path / "p.npz", np.array(["100"]), np.array([5]), np.array([0]), np.eye(5, dtype=np.float32)[:1])
        os.umask(0o027)
        strict = write_predictions(tmp_path / "q.npz", np.array(["100"]), np.array([5]), np.array([0]), np.eye(5, dtype=np.float32)[:1])
    finally:
        os.umask(old)
    assert record_path.stat().st_mode & 0o777 == 0o644
    assert predictions.stat().st_mode & 0o777 == 0o644
    assert strict.stat().st_mode & 0o777 == 0o640


def test_write_run_record_requires_every_key(tmp_path):
    record = _minimal_record()
    del record["provenance"]
    with pytest.raises(ValueError, match="lacks key\\(s\\) provenance"):
        write_run_record(record, tmp_path)
    assert not any(tmp_path.iterdir())


def test_read_run_record_rejects_other_schema(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"schema_version": 2}))
    with pytest.raises(CorruptDataError, match="schema_version 2"):
        read_run_record(path)


def test_predictions_round_trip(tmp_path):
    probs = np.eye(5, dtype=np.float32)[[0, 2, 1]]
    path = write_predictions(tmp_path / "p.npz", np.array(["100", "100", "103"]), np.array([5, 9, 2]), np.array([0, 2, 1]), probs)
    loaded = read_predictions(path)
    assert loaded["record"].tolist() == ["100", "100", "103"]
    np.testing.assert_array_equal(loaded["probabilities"], probs)


def test_sha256_files_ignores_order_and_location(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "x.txt").write_text("x")
        (tmp_path / folder / "y.txt").write_text("y")
    first = sha256_files([tmp_path / "a" / "x.txt", tmp_path / "a" / "y.txt"], root=tmp_path / "a")
    second = sha256_files([tmp_path / "b" / "y.txt", tmp_path / "b" / "x.txt"], root=tmp_path / "b")
    assert first == second
    (tmp_path / "b" / "y.txt").write_text("changed")
    assert sha256_files([tmp_path / "b" / "x.txt", tmp_path / "b" / "y.txt"], root=tmp_path / "b") != first
    # Borrowed code outside the submission folder: the same hash whether its owner is a sibling
    # folder (the registry) or far away (a user's submission borrowing a baseline).
    for place in ("near", "far/away/deep"):
        (tmp_path / place / "lib").mkdir(parents=True, exist_ok=True)
        (tmp_path / place / "lib" / "code.py").write_text("shared")
        (tmp_path / place / "sub").mkdir(exist_ok=True)
        (tmp_path / place / "sub" / "x.txt").write_text("x")
    near = sha256_files([tmp_path / "near/sub/x.txt", tmp_path / "near/lib/code.py"], root=tmp_path / "near/sub")
    far = sha256_files([tmp_path / "far/away/deep/sub/x.txt", tmp_path / "near/lib/code.py"], root=tmp_path / "far/away/deep/sub")
    assert near == far
    (tmp_path / "near/lib/code.py").write_text("changed")
    assert sha256_files([tmp_path / "near/sub/x.txt", tmp_path / "near/lib/code.py"], root=tmp_path / "near/sub") != near


def test_provenance_basics():
    versions = package_versions(["numpy", "surely-not-installed-pkg"])
    assert versions["numpy"] == np.__version__ and versions["surely-not-installed-pkg"] is None
    state = git_state()
    assert set(state) == {"sha", "dirty"}
    assert state["sha"] is None or len(state["sha"]) == 40


def test_git_state_ignores_leaderboard_outputs_but_not_code(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "leaderboards").mkdir()
    (tmp_path / "leaderboards" / "table.md").write_text("| a |\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "leaderboards" / "table.md").write_text("| b |\n")
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_state(tmp_path)["dirty"] is True
