"""Turn a streaming-track result into a schema-1 run record (task ``streaming``) plus a prediction file."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ecgbench.streaming.track import TrackResult

TASK = "streaming"


def write_stream_predictions(result: TrackResult, path: Path) -> Path:
    """Save every detected beat (record, sample at the record's rate, AAMI label index) as ``.npz``."""
    from ecgbench.records.symbols import AAMI_CLASSES

    records, samples, labels = [], [], []
    for streamed in result.streams:
        sample, label = streamed.collector.beats()
        records += [streamed.record] * sample.size
        samples.append(np.round(sample * streamed.scale).astype(np.int64))
        labels.append(np.array([AAMI_CLASSES.index(x) for x in label], dtype=np.int64))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, record=np.array(records, dtype=str), sample=np.concatenate(samples) if samples else np.zeros(0, np.int64),
             predicted_label=np.concatenate(labels) if labels else np.zeros(0, np.int64))  # fmt: skip
    return path


def build_run_record(result: TrackResult, model: str, records: list[str], started: float,
                     results_dir: str | os.PathLike) -> dict:  # fmt: skip
    """Return the run record dict (metrics as ``{"value", "ci_low", "ci_high"}``, no bootstrap)."""
    from ecgbench.leaderboard.provenance import command_line, environment, git_state, hardware, sha256_file
    from ecgbench.leaderboard.record import SCHEMA_VERSION, make_run_id

    started_at = datetime.fromtimestamp(started, UTC)
    run_id = make_run_id(f"stream-{Path(model).name}", 0, started_at)
    prediction = write_stream_predictions(result, Path(results_dir) / TASK / f"{run_id}.npz")
    n_beats = sum(s.collector.beats()[0].size for s in result.streams)
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "task": TASK,
        "quick": False,
        "submission": {"name": Path(model).name, "source": model, "kind": "streaming", "sha256": None},
        "recipe": {"chunk_s": result.chunk, "speed": 0, "learning_period_s": result.ec57.settings["learning_period_s"]},
        "seed": 0,
        "dataset": {"name": "mitdb", "version": "1.0.0", "checksum": None, "splits": {"test": ",".join(records)},
                    "n_beats": {"test": n_beats}},  # fmt: skip
        "metrics": {k: {"value": v, "ci_low": None, "ci_high": None} for k, v in result.metrics().items()},
        "bootstrap": {"n_resamples": 0, "confidence": None, "seed": None, "unit": "record"},
        "predictions": {"file": prediction.name, "sha256": sha256_file(prediction), "n_beats": n_beats},
        "training": {},
        "alarm_delays": result.delays,
        "provenance": {
            **git_state(),
            **environment(),
            "hardware": hardware(),
            "command": command_line(),
            "started_at": started_at.isoformat(),
            "wall_time_s": time.time() - started,
        },
    }
