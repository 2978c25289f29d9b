"""Committed weights by name: task + submission name + seed → its run record → the saved model, hash-checked.

A model is found through the run records, never by looking for the newest file in a folder:
the records of ``<results_dir>/<task>/`` whose ``submission.name`` and ``seed`` match, that are not
``quick`` and that saved a trained model (``artifacts.folder``). When one seed was run more than
once, the run the leaderboard counts for that seed is taken: the newest by run id (run ids start
with the UTC start time; :func:`ecgbench.leaderboard.table.seed_spreads`). Every file the record
lists is checked against its recorded SHA-256 before the caller loads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecgbench.errors import ConfigError, CorruptDataError, DataNotFoundError
from ecgbench.leaderboard.record import read_run_record
from ecgbench.leaderboard.store import record_paths

#: Task whose runs a model name resolves to by default (the beat models' test protocol).
DEFAULT_MODEL_TASK = "beats-interpatient"
#: Default results tree, relative to the working directory (else to the checkout).


@dataclass(frozen=True)
class PretrainedRun:
    """A run whose saved model was found and hash-checked.

    Attributes
    ----------
    record_path : pathlib.Path
        The run record.
    record : dict
        Its content.
    folder : pathlib.Path
        The artefact folder (``model.keras``, ``normalizer.json``, ``recipe.json``).
    sha256 : dict
        File name → recorded SHA-256.
    """

    record_path: Path
    record: dict[str, Any]
    folder: Path
    sha256: dict[str, str]

    @property
    def run_id(self) -> str:
        """The record's run id."""
        return str(self.record["run_id"])


def default_results_dir() -> Path:
    """The results tree searched when none is given: :func:`ecgbench.paths.resolve_results_dir`."""
    from ecgbench.paths import resolve_results_dir

    return resolve_results_dir()


def _runs_with_models(name: str, task: str, results_dir: str | os.PathLike | None) -> dict[int, list[tuple[str, Path]]]:
    """Seed → ``(run_id, record path)`` of every non-quick run of ``name`` on ``task`` that saved a model."""
    folder = (Path(results_dir) if results_dir is not None else default_results_dir()) / task
    runs: dict[int, list[tuple[str, Path]]] = {}
    for path in record_paths([folder]) if folder.is_dir() else []:
        try:
            record = read_run_record(path)
        except CorruptDataError:
            continue
        if (record.get("submission") or {}).get("name") != name or record.get("quick") or not isinstance(record.get("seed"), int):
            continue
        if (record.get("artifacts") or {}).get("folder"):
            runs.setdefault(record["seed"], []).append((str(record.get("run_id", path.stem)), path))
    return runs


def find_run(name: str, seed: int, task: str = DEFAULT_MODEL_TASK, results_dir: str | os.PathLike | None = None) -> Path | None:
    """Return the run record of ``name`` at ``seed`` on ``task`` that saved a model (None when there is none).

    Quick runs are never returned; of several runs at one seed, the newest run id (the one the
    leaderboard counts).
    """
    runs = _runs_with_models(name, task, results_dir).get(seed)
    return max(runs)[1] if runs else None


def run_of_record(path: str | os.PathLike) -> PretrainedRun:
    """The saved model of one run record, hash-checked.

    Raises
    ------
    ConfigError
        The run saved no model.
    CorruptDataError
        A listed file is missing or was changed after the run.
    """
    path = Path(path)
    record = read_run_record(path)
    block = record.get("artifacts") or {}
    if not block.get("folder"):
        raise ConfigError(
            f"run record {path} saved no trained model (field artifacts.folder is empty: {block.get('note', 'no artifacts block')}); "
            "choose a Keras run"
        )
    run = PretrainedRun(path, record, path.parent / str(block["folder"]), dict(block.get("files") or {}))
    verify_files(run)
    return run


def verify_files(run: PretrainedRun) -> None:
    """Check every file the record lists against its recorded SHA-256.

    Raises
    ------
    CorruptDataError
        A file is missing or hashes differently.
    """
    from ecgbench.leaderboard.provenance import sha256_file

    for name, expected in run.sha256.items():
        path = run.folder / name
        if not path.is_file():
            raise CorruptDataError(f"{path} (listed in run record {run.record_path}) is missing; restore it or re-run the baseline")
        actual = sha256_file(path)
        if actual != expected:
            raise CorruptDataError(
                f"{path} hashes to {actual[:12]}… but run record {run.record_path} says {expected[:12]}…; "
                "the artefact was changed after the run: re-run the baseline"
            )


def resolve_pretrained(name: str, seed: int = 0, task: str = DEFAULT_MODEL_TASK, results_dir: str | os.PathLike | None = None) -> PretrainedRun:
    """Find and hash-check the committed model of ``name`` at ``seed`` on ``task``.

    Raises
    ------
    DataNotFoundError
        No non-quick run of that name and seed saved a model; the message lists the seeds that did.
    CorruptDataError
        A saved file is missing or changed.
    """
    runs = _runs_with_models(name, task, results_dir)
    if seed not in runs:
        where = (Path(results_dir) if results_dir is not None else default_results_dir()) / task
        seeds = sorted(runs)
        hint = f"runs of {name!r} with a saved model have seeds {', '.join(map(str, seeds))}" if seeds else f"no run of {name!r} there saved a model"
        raise DataNotFoundError(f"no {task} run of {name!r} at seed {seed} with a saved model in {where}; {hint}")
    return run_of_record(max(runs[seed])[1])
