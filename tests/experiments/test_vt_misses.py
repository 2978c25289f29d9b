"""experiments/vt_misses.py: each reference beat of an unalarmed VT episode is matched to the stream's beats and the cause named."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from ecgbench.records import AAMI_CLASSES
from ecgbench.records.io import write_annotations

FS = 360.0


@pytest.fixture(scope="module")
def vt_misses():
    return importlib.import_module("experiments.streaming_alarms.vt_misses")


def _saved(times_s, labels):
    return {"record": np.full(len(times_s), "900"), "sample": np.round(np.asarray(times_s) * FS).astype(np.int64),
            "predicted_label": np.array([AAMI_CLASSES.index(label) for label in labels])}  # fmt: skip


def test_episode_causes(vt_misses, tmp_path):
    # N at 9 s, then a VT episode of four beats from 10 s (0.45 s apart, 133 bpm), then N.
    times = [9.0, 10.0, 10.45, 10.9, 11.35, 12.4]
    write_annotations("900", "atr", np.round(np.array(times) * FS).astype(np.int64), ["N", "V", "V", "V", "V", "N"], FS, tmp_path)
    episode = {"record": "900", "onset": 10.0, "duration": 1.35, "rate_bpm": 133.3}
    every_beat = vt_misses.episode_beats(_saved([9.0, 10.01, 10.46, 10.9, 11.34, 12.4], "NVVVVN"), episode, tmp_path, "VF")
    assert every_beat["cause"] == "neither" and [b["stream"] for b in every_beat["beats"]] == ["V"] * 4
    # the third V has no detected beat within 150 ms (the nearest is 0.2 s away), the fourth is called N
    both = vt_misses.episode_beats(_saved([9.0, 10.0, 10.45, 11.1, 11.35, 12.4], "NVVSNN"), episode, tmp_path, "VF")
    assert both["cause"] == "detector + label" and both["beats_missed"] == 1 and both["ventricular_beats_mislabelled"] == 1
    assert [b["stream"] for b in both["beats"]] == ["V", "V", None, "N"]
    # F counts as ventricular when vt_labels holds F, not otherwise
    fusion = vt_misses.episode_beats(_saved([9.0, 10.0, 10.45, 10.9, 11.35, 12.4], "NVVFVN"), episode, tmp_path, "VF")
    assert fusion["cause"] == "neither"
    assert vt_misses.episode_beats(_saved([9.0, 10.0, 10.45, 10.9, 11.35, 12.4], "NVVFVN"), episode, tmp_path, "V")["cause"] == "label"
