"""Run records: one JSON file per benchmark run, written atomically next to its predictions.

A run record is the unit the leaderboard is built from. It holds every number a table shows,
with enough provenance to reproduce it, and the hash of the prediction file so every metric can be
recomputed and checked.

Layout on disk::

    <results_dir>/<task>/<run_id>.json      the run record (schema below)
    <results_dir>/<task>/<run_id>.npz       predictions: record, sample, label, probabilities

Schema version 1 (keys of the JSON object)
------------------------------------------
``schema_version`` : int
    Always 1 for this layout.
``run_id`` : str
    ``<UTC time YYYYmmddTHHMMSSZ>-<submission>-seed<seed>``; also the file stem.
``task`` : str
    Leaderboard task, e.g. ``"beats-interpatient"`` or ``"beats-intrapatient"``.
``quick`` : bool
    True for smoke-test runs on a data subset; such records must never be ranked.
``submission`` : object
    ``name``, ``source`` (registry name or path as given), ``kind`` (``"keras"`` or
    ``"estimator"``; a trained-model file ``"keras-file"``, ``"savedmodel"`` or ``"onnx"``; a
    prediction file ``"predictions"``) and ``sha256`` (over ``submission.py``, the code it borrows
    and its recipe file with every recipe it ``extends``; the model files; or the prediction file).
``recipe`` : object
    The recipe actually used (``extends`` resolved, after ``--epochs``/``--quick`` overrides).
    Its ``wrappers`` (:mod:`ecgbench.models.wrappers`) appear only when declared; records
    written before wrappers spell them as ``options.ensemble`` / ``options.af_gate``.
``seed`` : int
    Seed of every random generator in the run.
``dataset`` : object
    ``name`` (e.g. ``"mitdb/beats"``), ``version``, ``checksum`` (SHA-256), ``splits``
    (role → split name: ``train``, ``val``, ``test``) and ``n_beats`` (role → count).
``metrics`` : object
    Metric name (flat EC57 keys such as ``"gross.accuracy"``, ``"gross.veb.f1"``) →
    ``{"value": float, "ci_low": float, "ci_high": float}``; percentages as the scorer reports
    them, ``null`` where undefined (no beats of a class).
``bootstrap`` : object
    ``n_resamples``, ``confidence``, ``seed``, ``unit`` (``"subject"``: records resampled, the
    records of one subject (201, 202) together; never beats).
``predictions`` : object
    ``file`` (name relative to the record), ``sha256``, ``n_beats``.
``training`` : object
    What the trainer reports: ``epochs_run``, ``best_epoch``, ``history`` (per-epoch values); a
    seed ensemble (:mod:`ecgbench.runner.ensemble`) adds ``members`` (each member's ``seed`` and
    report), with ``best_epoch`` null and ``history`` empty at run level.
``artifacts`` : object, optional
    Trained-model files saved beside the record: ``folder`` (relative to the record, null when the
    run saves no model), ``files`` (name → SHA-256), ``note`` (:mod:`ecgbench.runner.artifacts`).
    Records written before artefacts existed lack the block.
``provenance`` : object
    ``git_sha``, ``git_dirty``, ``python``, ``platform``, ``packages`` (name → version),
    ``hardware`` (``processor``, ``isa_flags``, ``logical_cores``, ``memory_gib``, ``gpus``),
    ``numerics`` (oneDNN/thread environment variables, op determinism, thread counts;
    :func:`ecgbench.leaderboard.provenance.numerics_settings`), ``command``,
    ``started_at`` (ISO 8601 UTC), ``wall_time_s`` (seconds, prepare to evaluate).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.errors import CorruptDataError

SCHEMA_VERSION = 1

#: Keys every schema-1 run record has.
REQUIRED_KEYS: tuple[str, ...] = (
    "schema_version", "run_id", "task", "quick", "submission", "recipe", "seed", "dataset", "metrics",
    "bootstrap", "predictions", "training", "provenance",
)  # fmt: skip

#: Arrays every prediction file holds.
PREDICTION_ARRAYS: tuple[str, ...] = ("record", "sample", "label", "probabilities")


def make_run_id(submission: str, seed: int, started_at: datetime | None = None) -> str:
    """Return ``<YYYYmmddTHHMMSSZ>-<submission>-seed<seed>`` (UTC), safe as a file name."""
    when = (started_at or datetime.now(UTC)).astimezone(UTC)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in submission)
    return f"{when:%Y%m%dT%H%M%SZ}-{safe}-seed{seed}"


#: Mode of a new file before the umask is applied, as ``open()`` would create it (``0o666``).
NEW_FILE_MODE = 0o666


def _current_umask() -> int:
    """The process umask (read by setting and restoring it; there is no read-only call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write_bytes(path: Path, write: Any) -> None:
    """Write to a temporary file in ``path``'s folder, then ``os.replace`` it into place.

    ``tempfile.mkstemp`` creates files with mode 0600; the file is given the mode a plain
    ``open()`` would (``0o666`` less the umask, usually 0644) so run records and boards stay
    readable by others, as tracked files should be.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, NEW_FILE_MODE & ~_current_umask())
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> Path:
    """Atomically write named arrays as a compressed ``.npz`` (prediction files of other layouts)."""
    path = Path(path)
    _atomic_write_bytes(path, lambda handle: np.savez_compressed(handle, **arrays))
    return path


def write_predictions(
    path: str | os.PathLike,
    record: np.ndarray,
    sample: np.ndarray,
    label: np.ndarray,
    probabilities: np.ndarray,
) -> Path:
    """Atomically write a prediction file (compressed ``.npz``) and return its path.

    Parameters
    ----------
    record : numpy.ndarray
        Record name of each beat (str).
    sample : numpy.ndarray
        Reference R-peak position of each beat (samples, int64).
    label : numpy.ndarray
        Reference AAMI label of each beat (0..4 = N, S, V, F, Q).
    probabilities : numpy.ndarray
        Predicted class probabilities, ``[n_beats, 5]`` float32.
    """
    path = Path(path)
    arrays = {
        "record": np.asarray(record).astype(str),
        "sample": np.asarray(sample, dtype=np.int64),
        "label": np.asarray(label, dtype=np.int64),
        "probabilities": np.asarray(probabilities, dtype=np.float32),
    }
    _atomic_write_bytes(path, lambda handle: np.savez_compressed(handle, **arrays))
    return path


def read_predictions(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a prediction file written by :func:`write_predictions`.

    Raises
    ------
    CorruptDataError
        The file lacks one of ``record``, ``sample``, ``label``, ``probabilities``.
    """
    with np.load(path, allow_pickle=False) as data:
        missing = [name for name in PREDICTION_ARRAYS if name not in data.files]
        if missing:
            raise CorruptDataError(f"prediction file {path} lacks array(s) {', '.join(missing)}; re-run the benchmark")
        return {name: data[name] for name in PREDICTION_ARRAYS}


def _jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays, paths and non-finite floats into plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_run_record(record: Mapping[str, Any], results_dir: str | os.PathLike) -> Path:
    """Atomically write a run record to ``<results_dir>/<task>/<run_id>.json`` and return the path.

    Raises
    ------
    ValueError
        ``record`` lacks a schema-1 key (a bug in the caller, not a user error).
    """
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        raise ValueError(f"run record lacks key(s) {', '.join(missing)}")
    path = Path(results_dir) / str(record["task"]) / f"{record['run_id']}.json"
    text = json.dumps(_jsonable(record), indent=2, allow_nan=False) + "\n"
    _atomic_write_bytes(path, lambda handle: handle.write(text.encode()))
    return path


def _remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def write_run_record_with(record: Mapping[str, Any], results_dir: str | os.PathLike, *companions: Path) -> Path:
    """Write a run record like :func:`write_run_record`; if that fails, delete its companion files.

    A prediction file or artefact folder without its record would be an orphan result, so the
    companions (files or folders written before the record) are removed before the error propagates.
    """
    try:
        return write_run_record(record, results_dir)
    except BaseException:
        _remove(*companions)
        raise


def remove_run(record_path: Path, predictions_path: Path) -> None:
    """Delete a written run: its record, prediction file and artefact folder (``<task>/<run_id>/``)."""
    _remove(record_path, predictions_path, record_path.with_suffix(""))


def read_run_record(path: str | os.PathLike) -> dict[str, Any]:
    """Read a run record and check its schema version.

    Raises
    ------
    CorruptDataError
        The file is not JSON, or its ``schema_version`` is not 1.
    """
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CorruptDataError(f"cannot read run record {path}: {exc}") from exc
    if record.get("schema_version") != SCHEMA_VERSION:
        raise CorruptDataError(
            f"run record {path} has schema_version {record.get('schema_version')!r}; this ecgbench reads "
            f"version {SCHEMA_VERSION}; re-run the benchmark with this version"
        )
    return record
