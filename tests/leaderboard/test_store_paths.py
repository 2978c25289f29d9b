"""One rule for where a run's prediction file lives (store, checks and ``plot run`` share it)."""

from __future__ import annotations

from pathlib import Path

from ecgbench.leaderboard.checks.base import CheckContext, CheckSession
from ecgbench.leaderboard.store import RunEntry, predictions_path_of


def test_prediction_file_is_the_named_one_beside_the_record_else_run_id_npz(tmp_path):
    record_path = tmp_path / "beats-interpatient" / "r1.json"
    assert predictions_path_of(record_path, {"predictions": {"file": "other.npz"}}) == record_path.parent / "other.npz"
    assert predictions_path_of(record_path, {"predictions": {}}) == record_path.parent / "r1.npz"
    assert predictions_path_of(record_path, None) == record_path.parent / "r1.npz"
    record = {"predictions": {"file": "x.npz"}}
    context = CheckContext(path=record_path, session=CheckSession(), record=record)
    assert RunEntry(record_path, record).predictions_path == context.predictions_path == Path(record_path.parent / "x.npz")
