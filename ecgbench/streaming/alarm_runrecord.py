"""Turn an alarm-track result into a schema-1 run record (task ``alarms-vfdb``) plus a prediction file.

Like the streaming record (:mod:`ecgbench.streaming.runrecord`): ``dataset`` is the source identity
of the VFDB files read (``vfdb/source``, each file verified against the published table first),
``submission`` the beat classifier. The prediction ``.npz`` holds the detected beats (``record``,
``sample`` at the record's rate, ``predicted_label``) and every alarm event (``alarm_record``,
``alarm_kind``, ``alarm_state``, ``alarm_time``, ``alarm_decision_time`` in s): with the records'
rhythm annotations, the episode, false-alarm and AHA figures follow from them
(:mod:`ecgbench.streaming.alarm_scoring`); latency and throughput do not. The AHA figures carry
subject-bootstrap intervals; the record also lists every episode's delay and every alarm's verdict.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.records.lists import VFDB_RECORDS
from ecgbench.streaming.alarm_track import AlarmTrackResult
from ecgbench.streaming.runrecord import start_chain_run, stream_prediction_arrays

TASK = "alarms-vfdb"
DATABASE = "vfdb"


def alarm_arrays(result: AlarmTrackResult) -> dict[str, np.ndarray]:
    """Every alarm event of every stream as parallel arrays (times in s)."""
    rows = [(s.record, e.kind, e.state, e.time, e.decision_time) for s in result.streams for e in s.collector.alarms]
    return {
        "alarm_record": np.array([r[0] for r in rows], dtype=str),
        "alarm_kind": np.array([r[1] for r in rows], dtype=str),
        "alarm_state": np.array([r[2] for r in rows], dtype=str),
        "alarm_time": np.array([r[3] for r in rows], dtype=np.float64),
        "alarm_decision_time": np.array([r[4] for r in rows], dtype=np.float64),
    }


def write_alarm_run(
    result: AlarmTrackResult,
    model: str,
    records: list[str],
    directory: str | os.PathLike,
    started: float,
    results_dir: str | os.PathLike,
    model_results_dir: str | os.PathLike | None = None,
) -> tuple[dict[str, Any], Path]:
    """Write ``<results_dir>/alarms-vfdb/<run_id>.npz`` and ``.json``; return ``(record, record_path)``.

    Parameters are those of :func:`ecgbench.streaming.runrecord.write_stream_run`; ``directory`` is
    the VFDB folder read (its files are verified and hashed).
    """
    from ecgbench.leaderboard import provenance
    from ecgbench.leaderboard.record import write_run_record_with

    arrays = {**stream_prediction_arrays(result), **alarm_arrays(result)}
    run = start_chain_run(TASK, "alarms", model, records, directory, started, results_dir, model_results_dir, arrays,
                          db=DATABASE, default_seed=result.seed)  # the bootstrap keeps its own seed, result.seed  # fmt: skip
    record = {
        "schema_version": 1,
        "run_id": run.run_id,
        "task": TASK,
        "quick": set(records) != set(VFDB_RECORDS),  # a subset (tests, smoke runs) is never ranked
        "submission": run.submission,
        "recipe": {"chunk_s": result.chunk, "speed": 0, "records": "VFDB" if set(records) == set(VFDB_RECORDS) else ",".join(records),
                   "pipeline_fs_hz": float(result.streams[0].fs / result.streams[0].scale) if result.streams else None,
                   "vf_method": result.alarms.vf_method, "vf_step_s": result.alarms.vf_step, "asystole_s": result.alarms.asystole,
                   "vf_veto_irregularity": result.alarms.vf_veto_irregularity, "vf_veto_max_rate_bpm": result.alarms.vf_veto_max_rate,
                   "vt_probability": result.alarms.vt_probability, "alarms": result.alarms.to_dict()},  # fmt: skip
        "seed": run.seed,
        "dataset": {**run.dataset, "splits": {"test": "vfdb"}, "n_beats": {"test": run.n_beats}},
        "metrics": result.metrics(),
        "bootstrap": {"n_resamples": result.n_resamples, "confidence": 0.95, "seed": result.seed, "unit": "subject (VFDB record)"},
        "predictions": run.predictions_block(),
        "training": run.training,
        "episode_delays": result.delays(),
        "alarms_judged": result.judged_alarms(),
        "provenance": provenance.run_provenance(run.started_at, time.time() - started),
    }
    path = write_run_record_with(record, results_dir, run.prediction)
    return record, path
