"""Helpers shared by the leaderboard tests (imported as ``lb_helpers``; fixtures live in conftest)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from ecgbench.paths import repo_root


def load_example(relative: str):
    """Import a script under ``examples/`` as a module."""
    path = repo_root() / relative
    spec = importlib.util.spec_from_file_location(f"_example_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_run(result, destination: Path) -> Path:
    """Copy a run's record and predictions into ``destination/<task>/`` and return the record's new path."""
    folder = destination / result.record["task"]
    folder.mkdir(parents=True, exist_ok=True)
    for source in (result.record_path, result.predictions_path):
        (folder / source.name).write_bytes(source.read_bytes())
    return folder / result.record_path.name


def fake_probabilities(label: np.ndarray, wrong_every: int = 0) -> np.ndarray:
    """One-hot probabilities of ``label``, with every ``wrong_every``-th beat predicted as N instead."""
    predicted = np.asarray(label).copy()
    if wrong_every:
        predicted[::wrong_every] = 0
    probabilities = np.zeros((predicted.size, 5), np.float32)
    probabilities[np.arange(predicted.size), predicted] = 1.0
    return probabilities


def fake_run(results_dir: Path, run_id: str, name: str, label: np.ndarray, record: np.ndarray, *, task: str = "beats-interpatient",
             accuracy: float = 90.0, quick: bool = False, wrong_every: int = 0, seed: int = 0,
             recipe: dict | None = None, kind: str = "estimator", source: str | None = None) -> Path:  # fmt: skip
    """Write a fixed fake run record (and a matching prediction file) with :mod:`ecgbench.leaderboard.record`'s writers."""
    from ecgbench.leaderboard.provenance import sha256_file
    from ecgbench.leaderboard.record import SCHEMA_VERSION, write_predictions, write_run_record

    folder = results_dir / task
    sample = np.arange(label.size, dtype=np.int64) * 360
    npz = write_predictions(folder / f"{run_id}.npz", record, sample, label, fake_probabilities(label, wrong_every))
    metrics = {
        "gross.accuracy": {"value": accuracy, "ci_low": accuracy - 2.5, "ci_high": accuracy + 1.25},
        "gross.sveb.f1": {"value": accuracy - 30.0, "ci_low": None, "ci_high": None},
        "gross.veb.f1": {"value": None, "ci_low": None, "ci_high": None},
        "gross.classes.N.f1": {"value": 99.5, "ci_low": 99.0, "ci_high": 100.0},
    }
    run = {
        "schema_version": SCHEMA_VERSION, "run_id": run_id, "task": task, "quick": quick,
        "submission": {"name": name, "source": source or name, "kind": kind, "sha256": "0" * 64},
        "recipe": {**(recipe or {}), "seed": seed}, "seed": seed,
        "dataset": {"name": "fake", "version": "0", "checksum": "1" * 64, "splits": {"train": "ds1_train", "test": "ds2"}, "n_beats": {}},
        "metrics": metrics,
        "bootstrap": {"n_resamples": 10, "confidence": 0.95, "seed": seed, "unit": "subject"},
        "predictions": {"file": npz.name, "sha256": sha256_file(npz), "n_beats": int(label.size)},
        "training": {},
        "provenance": {"git_sha": "abcdef0123456789", "git_dirty": False, "python": "3.11", "platform": "test", "packages": {},
                       "hardware": {}, "command": "pytest", "started_at": "2026-01-02T03:04:05+00:00", "wall_time_s": 1.0},
    }  # fmt: skip
    return write_run_record(run, results_dir)


def passing_copy(result, destination: Path, run_id: str, *, seed: int | None = None, name: str | None = None,
                 change=None) -> Path:  # fmt: skip
    """Copy a real run under another run id (and optionally seed and submission name) so that it still passes every check.

    The bootstrap seed and the predictions stay those of the real run, so the recorded metrics
    still equal the recomputed ones; ``change(record)`` may edit the record further (e.g. to break it).
    """
    import json

    folder = destination / result.record["task"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{run_id}.npz").write_bytes(result.predictions_path.read_bytes())
    record = json.loads(result.record_path.read_text())
    record.update(run_id=run_id)
    record["predictions"]["file"] = f"{run_id}.npz"
    if seed is not None:
        record["seed"] = seed
        record["recipe"]["seed"] = seed
    if name is not None:
        record["submission"].update(name=name, source=name)
    if change is not None:
        change(record)
    path = folder / f"{run_id}.json"
    path.write_text(json.dumps(record, indent=2))
    return path
