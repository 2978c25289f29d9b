"""Turn a streaming-track result into a schema-1 run record (task ``streaming``) plus a prediction file.

The record goes through :func:`ecgbench.leaderboard.record.write_run_record` (atomic, schema-checked)
and differs from a beat-track record in three fields:

* ``dataset`` — the identity of the replayed data is the :func:`ecgbench.records.physionet.source_checksum`
  of the MIT-BIH files read (each verified against the published ``checksums.tsv`` first);
  ``dataset.identity`` is ``"source"`` and ``dataset.records`` lists the records;
* ``submission`` — the classifier: a built-in one (hash of its source file) or a trained run's
  artefacts (hash over ``model.keras``, ``normalizer.json``, ``recipe.json``), with the source run in
  ``training.model_run``;
* ``predictions`` — a ``.npz`` of the detected beats: ``record``, ``sample`` (at the record's rate)
  and ``predicted_label`` (AAMI index); the streaming metrics cannot be recomputed from it alone.

Metrics have no bootstrap intervals (``ci_low``/``ci_high`` null).
"""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.streaming.track import TrackResult

TASK = "streaming"
#: Name of the source-file identity in the ``dataset`` block (see the module docstring).
SOURCE_DATASET = "mitdb/source"
SOURCE_VERSION = "1.0.0"


def stream_prediction_arrays(result: TrackResult) -> dict[str, np.ndarray]:
    """Every detected beat: ``record``, ``sample`` (at the record's rate), ``predicted_label`` (AAMI index)."""
    from ecgbench.records.symbols import AAMI_CLASSES

    records, samples, labels = [], [], []
    for streamed in result.streams:
        sample, label = streamed.collector.beats()
        records += [streamed.record] * sample.size
        samples.append(np.round(sample * streamed.scale).astype(np.int64))
        labels.append(np.array([AAMI_CLASSES.index(x) for x in label], dtype=np.int64))
    return {
        "record": np.array(records, dtype=str),
        "sample": np.concatenate(samples) if samples else np.zeros(0, np.int64),
        "predicted_label": np.concatenate(labels) if labels else np.zeros(0, np.int64),
    }


def source_dataset(directory: str | os.PathLike, records: list[str], db: str = "mitdb") -> dict[str, Any]:
    """Verify the records' files against database ``db``'s published table; return the ``dataset`` block identity.

    The block is named ``"<db>/source"`` (``mitdb/source``, ``vfdb/source``), which tells the
    ``dataset-checksum`` check which table to recompute the checksum from.
    """
    from ecgbench.records.physionet import source_checksum, verify_folder

    return {
        "name": f"{db}/source",
        "version": SOURCE_VERSION,
        "identity": "source",
        "checksum": source_checksum(verify_folder(directory, records, db=db)),
        "records": list(records),
    }


def classifier_identity(model: str, results_dir: str | os.PathLike | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the ``submission`` and ``training`` blocks of the classifier named by ``--model``."""
    from ecgbench.leaderboard.provenance import sha256_file, sha256_files
    from ecgbench.streaming import classifier as builtins

    if model in builtins.BUILTIN_CLASSIFIERS:
        submission = {"name": model, "source": model, "kind": "builtin", "sha256": sha256_file(builtins.__file__)}
        return submission, {"note": f"built-in classifier {model!r}: nothing trained"}
    from ecgbench.streaming.model_adapter import resolve_model_folder

    source = resolve_model_folder(model, results_dir)
    files = sorted(p for p in source.folder.iterdir() if p.is_file())
    name = source.folder.name
    training: dict[str, Any] = {"model_folder": str(source.folder)}
    if source.record_path is not None:
        import json

        run = json.loads(source.record_path.read_text())
        name = str(run["submission"]["name"])
        training = {"model_run": run["run_id"], "model_task": run["task"], "model_seed": int(run["seed"]),
                    "artifacts": run.get("artifacts")}  # fmt: skip
    submission = {"name": name, "source": model, "kind": "keras", "sha256": sha256_files(files, root=source.folder)}
    return submission, training


def run_seed(training: dict[str, Any], default: int = 0) -> int:
    """The seed a streaming-chain run record carries: the streamed model's training seed.

    A board averages a trained model over its seeds, so a run that streams the model of a seed-``s``
    training run is a seed-``s`` run. A built-in classifier has no training seed: ``default``.
    """
    return int(training.get("model_seed", default))


@dataclasses.dataclass(frozen=True)
class ChainRun:
    """What every streaming-chain run record starts from (:func:`start_chain_run`).

    Attributes
    ----------
    started_at : datetime
    run_id, seed : str, int
    submission, training, dataset : dict
        The record's ``submission``, ``training`` and ``dataset`` identity blocks.
    prediction : Path
        The prediction ``.npz`` written.
    n_beats : int
        Beats in it.
    """

    started_at: datetime
    run_id: str
    seed: int
    submission: dict[str, Any]
    training: dict[str, Any]
    dataset: dict[str, Any]
    prediction: Path
    n_beats: int

    def predictions_block(self) -> dict[str, Any]:
        """The record's ``predictions`` block: file name, SHA-256 and beat count."""
        from ecgbench.leaderboard import provenance

        return {"file": self.prediction.name, "sha256": provenance.sha256_file(self.prediction), "n_beats": self.n_beats}


def start_chain_run(
    task: str,
    prefix: str,
    model: str,
    records: list[str],
    directory: str | os.PathLike,
    started: float,
    results_dir: str | os.PathLike,
    model_results_dir: str | os.PathLike | None,
    arrays: dict[str, np.ndarray],
    db: str = "mitdb",
    default_seed: int = 0,
) -> ChainRun:
    """Identify the classifier and the source files, name the run and write its prediction arrays.

    Shared by the ``streaming`` and ``alarms-vfdb`` records: the run id is
    ``<prefix>-<submission>-seed<s>`` with ``s`` from :func:`run_seed`; the arrays go to
    ``<results_dir>/<task>/<run_id>.npz`` (their ``record`` array counts the beats).
    """
    from ecgbench.leaderboard.record import make_run_id, write_arrays

    started_at = datetime.fromtimestamp(started, UTC)
    submission, training = classifier_identity(model, model_results_dir if model_results_dir is not None else results_dir)
    dataset = source_dataset(directory, records, db=db)
    seed = run_seed(training, default=default_seed)
    run_id = make_run_id(f"{prefix}-{submission['name']}", seed, started_at)
    prediction = write_arrays(Path(results_dir) / task / f"{run_id}.npz", arrays)
    return ChainRun(started_at, run_id, seed, submission, training, dataset, prediction, int(arrays["record"].size))


def write_stream_run(
    result: TrackResult,
    model: str,
    records: list[str],
    directory: str | os.PathLike,
    started: float,
    results_dir: str | os.PathLike,
    records_spec: str | None = None,
    model_results_dir: str | os.PathLike | None = None,
    execution: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], Path]:
    """Write ``<results_dir>/streaming/<run_id>.npz`` and ``.json``; return ``(record, record_path)``.

    Parameters
    ----------
    result : TrackResult
        The scored streaming run.
    model : str
        The ``--model`` given (built-in name, baseline name, run record or artefact folder).
    records : list of str
        Records replayed; ``records_spec`` is how they were named (``"DS2"``).
    directory : path-like
        The MIT-BIH folder read (its files are verified and hashed).
    started : float
        ``time.time()`` at the start.
    results_dir : path-like
        Root of the results tree.
    model_results_dir : path-like, optional
        Results tree searched for a baseline name (default ``results_dir``).
    execution : dict, optional
        Where the records were streamed, stored as ``provenance.execution``: ``{"runner": "local" or
        "beam", "beam_options": text or None}``; default ``{"runner": "local", "beam_options": None}``.
    """
    from ecgbench.leaderboard import provenance
    from ecgbench.leaderboard.record import write_run_record_with

    run = start_chain_run(TASK, "stream", model, records, directory, started, results_dir, model_results_dir, stream_prediction_arrays(result))
    record = {
        "schema_version": 1,
        "run_id": run.run_id,
        "task": TASK,
        "quick": False,
        "submission": run.submission,
        "recipe": {"chunk_s": result.chunk, "speed": 0, "learning_period_s": result.ec57.settings["learning_period_s"],
                   "records": records_spec or ",".join(records), "af_method": result.alarms.af_method,
                   "af_dwell": result.alarms.af_dwell if result.alarms.af_method == "petrenas" else None,
                   "vt_probability": result.alarms.vt_probability, "alarms": result.alarms.to_dict()},  # fmt: skip
        "seed": run.seed,
        "dataset": {**run.dataset, "splits": {"test": (records_spec or ",".join(records)).lower()}, "n_beats": {"test": run.n_beats}},
        "metrics": {k: {"value": v, "ci_low": None, "ci_high": None} for k, v in result.metrics().items()},
        "bootstrap": {"n_resamples": 0, "confidence": None, "seed": None, "unit": "record"},
        "predictions": run.predictions_block(),
        "training": run.training,
        "alarm_delays": result.delays,
        "vt_alarms": result.vt_alarms,
        "vt_alarms_suppressed": result.vt_suppressed,
        "provenance": {**provenance.run_provenance(run.started_at, time.time() - started),
                       "execution": execution or {"runner": "local", "beam_options": None}},
    }
    path = write_run_record_with(record, results_dir, run.prediction)
    return record, path
