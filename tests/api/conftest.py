"""Fixtures of the public-API tests: the leaderboard tests' synthetic MIT-BIH-like track and its ``prior`` run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("_leaderboard_fixtures", Path(__file__).resolve().parents[1] / "leaderboard" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

mitdb_like_track = _fixtures.mitdb_like_track
prior_run = _fixtures.prior_run
