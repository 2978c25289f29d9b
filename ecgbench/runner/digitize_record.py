"""The digitisation task's run record (task ``digitize``) through the shared schema-1 writer.

Metrics (no bootstrap intervals): ``snr_db.<condition>.{median,mean,min}`` (dB, Challenge-2024 SNR
over all digitised leads) and ``qrs.<condition>.{se,ppv}`` (percent, pooled over segments) for the
conditions ``clean`` and ``degraded``, plus ``failures.<condition>`` (segments that could not be
digitised). The prediction file holds one row per segment and condition (``record``, ``start_s``,
``condition``, ``snr_db`` per lead, ``lag_samples``), enough to recompute the SNR summaries.
Dataset identity: the published source checksum of the records' PhysioNet files, as for streaming
(:func:`ecgbench.streaming.runrecord.source_dataset`).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

TASK = "digitize"


def digitize_metrics(summary: dict[str, dict]) -> dict[str, dict[str, float | None]]:
    """Flatten the task summary into schema metrics (SNR in dB, QRS Se/+P in percent)."""
    out: dict[str, float] = {}
    for condition, entry in summary.items():
        for stat in ("median", "mean", "min"):
            out[f"snr_db.{condition}.{stat}"] = entry[f"{stat}_snr_db"]
        qrs = entry.get("qrs") or {}
        out[f"qrs.{condition}.se"] = 100.0 * qrs.get("sensitivity", float("nan"))
        out[f"qrs.{condition}.ppv"] = 100.0 * qrs.get("positive_predictivity", float("nan"))
        out[f"failures.{condition}"] = float(entry["failures"])
    return {k: {"value": float(v) if np.isfinite(v) else None, "ci_low": None, "ci_high": None} for k, v in out.items()}


def segment_arrays(payload: dict[str, Any]) -> dict[str, np.ndarray]:
    """One row per digitised segment and condition; ``snr_db`` is ``[rows, leads]`` (NaN where a lead failed)."""
    segments = payload["segments"]
    n_leads = max((len(s["snr_db"]) for s in segments), default=0)
    snr = np.full((len(segments), n_leads), np.nan)
    for i, s in enumerate(segments):
        snr[i, : len(s["snr_db"])] = list(s["snr_db"].values())
    return {
        "record": np.array([s["record"] for s in segments], dtype=str),
        "start_s": np.array([s["start_s"] for s in segments], dtype=np.float64),
        "condition": np.array([s["condition"] for s in segments], dtype=str),
        "snr_db": snr,
        "lag_samples": np.array([s["lag_samples"] for s in segments], dtype=np.int64),
    }


def write_digitize_run(payload: dict[str, Any], directory: str | os.PathLike, records: list[str], started: float,
                       results_dir: str | os.PathLike) -> tuple[dict[str, Any], Path]:  # fmt: skip
    """Write ``<results_dir>/digitize/<run_id>.npz`` and ``.json`` for a ``run_digitize_task(...).to_dict()`` payload."""
    from ecgbench.leaderboard import provenance
    from ecgbench.leaderboard.record import make_run_id, write_arrays, write_run_record_with
    from ecgbench.streaming.runrecord import source_dataset

    started_at = datetime.fromtimestamp(started, UTC)
    config = payload["config"]
    seed = int(config.get("seed", 0))
    run_id = make_run_id("digitize-opencv", seed, started_at)
    arrays = segment_arrays(payload)
    prediction = write_arrays(Path(results_dir) / TASK / f"{run_id}.npz", arrays)
    digitize_dir = Path(__file__).resolve().parent.parent / "digitize"
    record = {
        "schema_version": 1,
        "run_id": run_id,
        "task": TASK,
        "quick": False,
        "submission": {"name": "opencv-digitizer", "source": "ecgbench.digitize", "kind": "builtin",
                       "sha256": provenance.sha256_files(sorted(digitize_dir.glob("*.py")), root=digitize_dir)},  # fmt: skip
        "recipe": dict(config),
        "seed": seed,
        "dataset": {**source_dataset(directory, records), "splits": {"test": "ds2"},
                    "n_beats": {"test": int(arrays["record"].size)}},  # fmt: skip
        "metrics": digitize_metrics(payload["summary"]),
        "bootstrap": {"n_resamples": 0, "confidence": None, "seed": None, "unit": "record"},
        "predictions": {"file": prediction.name, "sha256": provenance.sha256_file(prediction), "n_beats": int(arrays["record"].size)},
        "training": {"note": "nothing trained: the digitiser is fixed image processing"},
        "provenance": provenance.run_provenance(started_at, time.time() - started),
    }
    path = write_run_record_with(record, results_dir, prediction)
    return record, path
