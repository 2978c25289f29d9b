"""The streaming board ranks by how well the streamed beats are labelled, not by the shared QRS detector."""

from __future__ import annotations

import math

import pytest

from ecgbench.streaming.track import ectopic_f1
from ecgbench.tasks.streaming import BOARD, TASK


def test_streaming_board_ranks_by_the_ectopic_f1():
    assert TASK.ranking_metric == "ectopic.f1" == BOARD.columns[0].key  # the board ranks by its first column
    assert TASK.metric("ectopic.f1").higher_is_better
    assert "ectopic F1" in BOARD.note and "QRS detector" in BOARD.note


def test_ectopic_f1_is_the_mean_of_veb_and_sveb_f1():
    assert ectopic_f1(80.0, 40.0) == pytest.approx(60.0)
    assert math.isnan(ectopic_f1(80.0, float("nan"))) and math.isnan(ectopic_f1(None, 50.0))
