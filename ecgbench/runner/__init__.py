"""Benchmark runners: prepare → perform → evaluate → record (beat track: :mod:`ecgbench.runner.beat`)."""

from ecgbench.runner.beat import BeatRunResult, run_beat_benchmark
from ecgbench.runner.data import TRACKS, TrackData, load_track, track_task
from ecgbench.runner.synthetic import synthetic_track

__all__ = ["BeatRunResult", "TRACKS", "TrackData", "load_track", "run_beat_benchmark", "synthetic_track", "track_task"]
