"""What a benchmark task declares: the :class:`Task` dataclass and its parts.

A task is data. It names its dataset (a TFDS name and config) or none, the roles of its splits
and which splits a submission may train and select on, the inputs a model receives, the metrics
with their direction and the one ranking metric, its board (:class:`ecgbench.leaderboard.tracks.Track`),
its protocol rules (applied by the ``track-rules`` check) and its run function, referenced lazily as
``"module:function"`` so that importing the registry never imports TensorFlow. A variant is its
parent with a few fields replaced (:func:`derive`), never a copy.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ecgbench.errors import ConfigError
from ecgbench.leaderboard.tracks import Track


@dataclass(frozen=True)
class DatasetRef:
    """A built TFDS dataset: ``name`` (e.g. ``"mitdb"``) and ``config`` (e.g. ``"beats"``)."""

    name: str
    config: str

    @property
    def full_name(self) -> str:
        """``"<name>/<config>"``, the TFDS spelling (``mitdb/beats``)."""
        return f"{self.name}/{self.config}"


@dataclass(frozen=True)
class SplitRoles:
    """Which split plays which role, and which splits a submission may learn from.

    Attributes
    ----------
    train : str or None
        Split a submission trains on; None for tasks with nothing to train (streaming, digitisation).
    val : str or None
        Split for model selection; None when it is carved out of ``train`` (``val_note`` says how)
        or when nothing is selected.
    test : str
        The split (or record list, for replayed tasks) the figures are reported on.
    may_train_on : tuple of str
        Every split a run may name as its ``train`` or ``val`` data (the ``track-rules`` check
        refuses any other); empty when the task declares no such rule.
    val_note : str
        How the validation data are drawn when ``val`` is None.
    """

    train: str | None
    val: str | None
    test: str
    may_train_on: tuple[str, ...] = ()
    val_note: str = ""


@dataclass(frozen=True)
class InputField:
    """One model input: its ``name``, per-example ``shape``, ``units`` and a short description."""

    name: str
    shape: tuple[int, ...]
    units: str
    description: str = ""


@dataclass(frozen=True)
class Metric:
    """A reported metric: run-record key and whether higher values are better."""

    key: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class ProtocolRules:
    """What the ``track-rules`` check enforces on a run of the task (besides :class:`SplitRoles`).

    Attributes
    ----------
    test_records : tuple of str
        Records a prediction file may hold.
    all_test_records : bool
        A run that is not ``quick`` must predict every one of ``test_records``.
    exact_train : bool
        ``dataset.splits.train`` must be exactly :attr:`SplitRoles.train` (not any of
        ``may_train_on``).
    """

    test_records: tuple[str, ...]
    all_test_records: bool = False
    exact_train: bool = False


@dataclass(frozen=True)
class RunCommand:
    """A task whose run is a ``ecgbench run`` sub-command with options of its own.

    ``ecgbench run TASK SUBMISSION [OPTIONS]`` becomes ``ecgbench run <name> <submission_option>
    SUBMISSION [OPTIONS]``; a task without submissions (``submission_option`` None) takes no
    SUBMISSION.
    """

    name: str
    submission_option: str | None = None


@dataclass(frozen=True)
class RunOptions:
    """The options every run function takes (``ecgbench run TASK SUBMISSION``).

    Attributes
    ----------
    seed, epochs : int or None
        Seed of every random generator and maximum training epochs (None: the recipe's).
    quick : bool
        Smoke test: small subsets; the record is flagged and never ranked.
    tfds_dir, data_dir : path-like or None
        Built TFDS datasets; raw WFDB folders.
    results_dir : path-like
        Root of the results tree (records go to ``<results_dir>/<task>/``); None:
        :func:`ecgbench.paths.resolve_results_dir`.
    bootstrap_resamples : int
        Subject-level bootstrap resamples for the confidence intervals.
    on_epoch, on_stage : callable or None
        Progress hooks.
    """

    seed: int | None = None
    epochs: int | None = None
    quick: bool = False
    tfds_dir: str | Path | None = None
    data_dir: str | Path | None = None
    results_dir: str | Path | None = None
    bootstrap_resamples: int = 1000
    on_epoch: Callable[[int, int, dict[str, float]], None] | None = None
    on_stage: Callable[[str], None] | None = None


@dataclass(frozen=True)
class TaskRun:
    """What a run function returns: the record as written, its files, and the scorer's report.

    ``report`` has a ``summary()`` method (the EC57 or rhythm table as text), or is None.
    """

    record: dict[str, Any]
    record_path: Path
    predictions_path: Path | None = None
    report: Any = None


def _resolve(task: str, what: str, ref: str) -> Callable[..., Any]:
    """Import ``"module:function"``; a bad reference raises ``ConfigError`` naming the task."""
    module, _, name = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"task {task!r}: cannot import its {what} {ref!r} ({exc})") from None


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=False)
class Task:
    """One benchmark task (a leaderboard, a results folder, a run function).

    Tasks compare and hash by identity (one object per registered task).

    Attributes
    ----------
    name : str
        Task name: the results folder, the board, the record's ``task``, ``ecgbench run TASK``.
    title : str
        One-line description (``ecgbench tasks``).
    dataset : DatasetRef or None
        The built TFDS dataset it reads; None for tasks that replay raw records.
    splits : SplitRoles
        Split roles and the splits a submission may train and select on.
    inputs : tuple of InputField
        What a model receives per example.
    sampling_rate : float
        Hz of the inputs and of the ``sample`` positions in prediction files.
    leads : tuple of str
        Signal leads, in input order.
    metrics : tuple of Metric
        Reported metrics with their direction.
    ranking_metric : str
        The one metric boards rank by (a key of ``metrics``).
    board : Track
        How the board is titled and shown.
    rules : ProtocolRules or None
        Checked by ``leaderboard check``'s ``track-rules``; None: that check skips.
    run : str or None
        ``"module:function"`` of the run function, called as ``function(task, submission,
        options: RunOptions) -> TaskRun``; None for tasks run by a :class:`RunCommand`.
    command : RunCommand or None
        The ``ecgbench run`` sub-command of a task with its own options.
    summary_rows : tuple of (str, str)
        ``(metric key, label)`` of the table printed after a run.
    model_files : bool
        Trained model files (``.keras``, SavedModel, ``.onnx``) may be submitted to it.
    verify_dataset : str or None
        ``"module:function"`` taking a run record's ``dataset`` block and returning the SHA-256 the
        data it names must have, for a task whose data are neither a published TFDS build nor
        PhysioNet source files (the ``dataset-checksum`` check calls it); None for those.
    track : str or None
        Short name of a beat task: ``run baseline --track`` and the keys of a recipe's ``tracks``
        block (``interpatient``, ``intrapatient``).
    params : mapping
        Task-specific settings read by its run function (e.g. ``window_s``).
    """

    name: str
    title: str
    dataset: DatasetRef | None
    splits: SplitRoles
    inputs: tuple[InputField, ...]
    sampling_rate: float
    leads: tuple[str, ...]
    metrics: tuple[Metric, ...]
    ranking_metric: str
    board: Track
    rules: ProtocolRules | None = None
    run: str | None = None
    command: RunCommand | None = None
    summary_rows: tuple[tuple[str, str], ...] = ()
    model_files: bool = False
    verify_dataset: str | None = None
    track: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))
        if (self.run is None) == (self.command is None):
            raise ConfigError(f"task {self.name!r}: declare exactly one of run ('module:function') and command")
        for label, ref in (("run", self.run), ("verify_dataset", self.verify_dataset)):
            if ref is not None and ":" not in ref:
                raise ConfigError(f"task {self.name!r}: {label} {ref!r} must be 'module:function'")
        keys = [m.key for m in self.metrics]
        if self.ranking_metric not in keys:
            raise ConfigError(f"task {self.name!r}: ranking metric {self.ranking_metric!r} is not one of its metrics ({', '.join(keys)})")
        if self.board.task != self.name:
            raise ConfigError(f"task {self.name!r}: its board is for task {self.board.task!r}")
        if self.board.sampling_rate != self.sampling_rate:  # one rate: the board's recomputation reads the task's
            object.__setattr__(self, "board", replace(self.board, sampling_rate=self.sampling_rate))

    def metric(self, key: str) -> Metric:
        """Return the :class:`Metric` of ``key``; an unknown key raises ``ConfigError``."""
        for metric in self.metrics:
            if metric.key == key:
                return metric
        raise ConfigError(f"task {self.name!r} has no metric {key!r}; its metrics: {', '.join(m.key for m in self.metrics)}")

    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Return input name → per-example shape."""
        return {spec.name: spec.shape for spec in self.inputs}

    def run_function(self) -> Callable[[Task, str, RunOptions], TaskRun]:
        """Import and return the run function (``run``); a task run by a command has none."""
        if self.run is None:
            raise ConfigError(f"task {self.name!r} runs through `ecgbench run {self.command.name}`, not a run function")
        return _resolve(self.name, "run function", self.run)

    def dataset_verifier(self) -> Callable[[dict[str, Any]], str] | None:
        """Import and return the ``verify_dataset`` function, or None when the task declares none."""
        return None if self.verify_dataset is None else _resolve(self.name, "dataset verifier", self.verify_dataset)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (``ecgbench tasks --json``)."""
        return {
            "name": self.name,
            "title": self.title,
            "dataset": self.dataset.full_name if self.dataset else None,
            "splits": {"train": self.splits.train, "val": self.splits.val, "test": self.splits.test,
                       "may_train_on": list(self.splits.may_train_on), "val_note": self.splits.val_note},  # fmt: skip
            "inputs": [{"name": s.name, "shape": list(s.shape), "units": s.units, "description": s.description} for s in self.inputs],
            "sampling_rate_hz": self.sampling_rate,
            "leads": list(self.leads),
            "metrics": [{"key": m.key, "higher_is_better": m.higher_is_better} for m in self.metrics],
            "ranking_metric": self.ranking_metric,
            "leaky": self.board.leaky,
            "model_files": self.model_files,
            "run": self.run if self.run is not None else f"ecgbench run {self.command.name}",
        }


def derive(parent: Task, **changes: Any) -> Task:
    """Return a variant of ``parent`` with ``changes`` (fields of :class:`Task`); ``params`` are merged.

    ``board`` may be a dict of :class:`~ecgbench.leaderboard.tracks.Track` fields to replace in the
    parent's board; its ``task`` follows the variant's name.
    """
    name = changes.get("name", parent.name)
    board = changes.pop("board", {})
    if isinstance(board, dict):
        board = replace(parent.board, **{"task": name, **board})
    params = {**parent.params, **changes.pop("params", {})}
    return replace(parent, board=board, params=params, **changes)


def metrics_of(board: Track, lower_is_better: tuple[str, ...] = ()) -> tuple[Metric, ...]:
    """The metric columns of a board as :class:`Metric` (higher is better unless listed in ``lower_is_better``)."""
    return tuple(Metric(c.key, c.key not in lower_is_better) for c in board.columns if c.section == "metrics")
