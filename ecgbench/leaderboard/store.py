"""Find run records on disk: every record of a results tree, or one run by path or id."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecgbench.errors import DataNotFoundError, EcgbenchError
from ecgbench.leaderboard.record import read_predictions, read_run_record
from ecgbench.paths import resolve_results_dir


def predictions_path_of(record_path: str | os.PathLike, record: Mapping[str, Any] | None) -> Path:
    """Return the prediction file of a run record: ``predictions.file`` beside the record.

    Parameters
    ----------
    record_path : path-like
        The ``<run_id>.json`` file.
    record : mapping or None
        Its content; when it names no file (or is unreadable, None) the file is ``<run_id>.npz``.
    """
    record_path = Path(record_path)
    name = ((record or {}).get("predictions") or {}).get("file") or f"{record_path.stem}.npz"
    return record_path.parent / str(name)


@dataclass(frozen=True)
class RunEntry:
    """One run record read from disk.

    Attributes
    ----------
    path : pathlib.Path
        The ``<run_id>.json`` file.
    record : dict
        Its content.
    """

    path: Path
    record: dict[str, Any]

    @property
    def run_id(self) -> str:
        """The record's ``run_id`` (the file stem when absent)."""
        return str(self.record.get("run_id", self.path.stem))

    @property
    def task(self) -> str:
        """The record's ``task`` (the parent folder name when absent)."""
        return str(self.record.get("task", self.path.parent.name))

    @property
    def predictions_path(self) -> Path:
        """Where the prediction file named by the record lives (beside the record)."""
        return predictions_path_of(self.path, self.record)

    def predictions(self) -> dict:
        """Read the prediction arrays (``record``, ``sample``, ``label``, ``probabilities``)."""
        if not self.predictions_path.is_file():
            raise DataNotFoundError(
                f"prediction file {self.predictions_path} named by run record {self.path} is missing; "
                "restore it or re-run the benchmark"
            )
        return read_predictions(self.predictions_path)


def _is_artifact(path: Path) -> bool:
    """True for files of a run's artefact folder ``<task>/<run_id>/`` (beside ``<task>/<run_id>.json``)."""
    return (path.parent.parent / f"{path.parent.name}.json").is_file()


def record_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders into the sorted list of run-record files (``*.json``) they hold.

    Files inside a run's artefact folder (``<run_id>/recipe.json`` …) are not run records.

    Raises
    ------
    DataNotFoundError
        A path does not exist.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in path.rglob("*.json") if not p.name.startswith(".") and not _is_artifact(p))
        else:
            raise DataNotFoundError(f"{path} does not exist; pass run-record files or a results folder")
    return sorted(set(found))


def load_entries(
    results_dir: str | os.PathLike | None = None,
    task: str | None = None,
) -> tuple[list[RunEntry], list[tuple[Path, str]]]:
    """Read every run record under ``results_dir`` (optionally of one task).

    ``results_dir`` defaults to :func:`ecgbench.paths.resolve_results_dir`; a missing folder has no records.

    Returns
    -------
    (list of RunEntry, list of (path, problem))
        The readable records, and the files that could not be read with the reason (an unknown
        schema version, broken JSON); callers decide whether that is fatal.
    """
    root = resolve_results_dir(results_dir)
    if not root.is_dir():
        return [], []
    entries, problems = [], []
    for path in record_paths([root / task] if task and (root / task).is_dir() else [root]):
        try:
            entry = RunEntry(path, read_run_record(path))
        except EcgbenchError as exc:
            problems.append((path, str(exc)))
            continue
        if task is None or entry.task == task:
            entries.append(entry)
    return entries, problems


def resolve_run(run: str | os.PathLike, results_dir: str | os.PathLike | None = None) -> Path:
    """Return the run-record file of ``run``: a path to the JSON file, or a run id under ``results_dir``.

    ``results_dir`` defaults to :func:`ecgbench.paths.resolve_results_dir`.

    Raises
    ------
    DataNotFoundError
        No such file and no record with that id.
    """
    path = Path(run)
    if path.is_file():
        return path
    stem = path.name.removesuffix(".json")
    results_dir = resolve_results_dir(results_dir)
    matches = sorted(Path(results_dir).glob(f"*/{stem}.json")) if Path(results_dir).is_dir() else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        shown = ", ".join(str(m) for m in matches)
        raise DataNotFoundError(f"run id {stem!r} matches several records ({shown}); pass the file path")
    raise DataNotFoundError(
        f"no run record {run!r}: not a file, and no {stem}.json under {results_dir}/<task>/; "
        "list runs with `ecgbench leaderboard show`"
    )


def load_run(run: str | os.PathLike, results_dir: str | os.PathLike | None = None) -> RunEntry:
    """Resolve and read one run record (schema version checked)."""
    path = resolve_run(run, results_dir)
    return RunEntry(path, read_run_record(path))
