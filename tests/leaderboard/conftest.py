"""Fixtures of the leaderboard tests: a tiny synthetic track with MIT-BIH record names, runs, fake records."""

from __future__ import annotations

import hashlib
import pytest

from ecgbench.leaderboard.checks import CheckSession
from ecgbench.records import DS2
from ecgbench.records.splits import DS1_TRAIN, DS1_VAL

SYNTHETIC_DATASET = ("synthetic-mitdb", "0")
BOOT = 50  # bootstrap resamples: enough to exercise the code, fast


@pytest.fixture(scope="session")
def mitdb_like_track():
    """Synthetic beats under real split and record names: 4 ds1_train, 2 ds1_val and all 22 DS2 records.

    The track rules (DS1 for training, every DS2 record tested) hold for it, so a run on it can pass
    every check; its dataset is ``synthetic-mitdb`` version 0.
    """
    from ecgbench.runner.data import TrackData
    from ecgbench.runner.synthetic import synthetic_beats

    train = synthetic_beats(list(DS1_TRAIN[:4]), 20.0, 0)
    val = synthetic_beats(list(DS1_VAL[:2]), 20.0, 1)
    test = synthetic_beats(list(DS2), 12.0, 2)
    digest = hashlib.sha256(b"".join(a.signal.tobytes() + a.label.tobytes() for a in (train, val, test))).hexdigest()
    return TrackData(
        train=train, val=val, test=test,
        splits={"train": "ds1_train", "val": "ds1_val", "test": "ds2"},
        dataset={"name": SYNTHETIC_DATASET[0], "version": SYNTHETIC_DATASET[1], "checksum": digest},
    )  # fmt: skip


@pytest.fixture()
def session(mitdb_like_track):
    """A check session that publishes the synthetic dataset's checksum and never reads a local build."""
    return CheckSession(canonical={SYNTHETIC_DATASET: mitdb_like_track.dataset["checksum"]}, use_local_dataset=False)


@pytest.fixture(scope="session")
def prior_run(mitdb_like_track, tmp_path_factory):
    """One real ``prior`` run on the synthetic track (record + predictions), written once per session."""
    from ecgbench.runner.beat import run_beat_benchmark

    results = tmp_path_factory.mktemp("prior") / "results"
    return run_beat_benchmark("prior", data=mitdb_like_track, results_dir=results, bootstrap_resamples=BOOT, command="pytest")
