"""What the public API needs to know about a task, in one place (:func:`task_facts`).

Every task-specific fact used by :func:`ecgbench.load`, :class:`ecgbench.Evaluator`, prediction-file
submissions and :func:`ecgbench.load_model` comes from :func:`task_facts`: the TFDS dataset and
config, which split plays which role, the class names in their column order, the sampling rate,
the name of the position key and which scorer applies. The facts are read from the task
registry (:mod:`ecgbench.tasks`), so there is no second list to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecgbench.errors import unknown_choice

#: Scorer of the beat tasks: ANSI/AAMI EC57 beat-by-beat figures (:mod:`ecgbench.runner.evaluate`).
SCORER_EC57 = "ec57-beats"
#: Scorer of the rhythm-window tasks (:mod:`ecgbench.runner.rhythm_evaluate`).
SCORER_RHYTHM = "rhythm-windows"
#: Split roles a task may have.
ROLES: tuple[str, ...] = ("train", "val", "test")


@dataclass(frozen=True)
class TaskFacts:
    """The facts of one task the public API relies on.

    Attributes
    ----------
    task : str
        Leaderboard task, e.g. ``"beats-interpatient"`` (its folder in the results tree).
    dataset : str
        TFDS dataset name (``"mitdb"``).
    config : str
        TFDS config (``"beats"``, ``"rhythm"``, ``"rhythm_4s"``, ``"rhythm_30s"``).
    splits : dict
        Role (``train``, ``val``, ``test``) → TFDS split name, ``None`` when the task has no such split.
    class_names : tuple of str
        Classes in the column order of a probability matrix.
    sampling_rate : float
        Hz of the signals and of the position key.
    position_key : str
        Name of the example's position: ``"sample"`` (R peak of a beat, samples) or ``"start"``
        (first sample of a rhythm window).
    scorer : str
        :data:`SCORER_EC57` or :data:`SCORER_RHYTHM`.
    note : str
        What a user should know about the splits (shown by ``Evaluator.expected_input_format``).
    train_dataset : str
        ``<dataset>/<config>`` the ``train`` and ``val`` splits are read from when it is not the
        test split's (``beats-crossdb-svdb``: ``mitdb/beats``); empty: the same dataset.
    """

    task: str
    dataset: str
    config: str
    splits: dict[str, str | None]
    class_names: tuple[str, ...]
    sampling_rate: float
    position_key: str
    scorer: str
    note: str = ""
    train_dataset: str = ""

    @property
    def dataset_name(self) -> str:
        """``<dataset>/<config>``, as run records name it."""
        return f"{self.dataset}/{self.config}"

    def source(self, role: str) -> tuple[str, str]:
        """``(TFDS dataset, config)`` the split of ``role`` is read from."""
        if role in ("train", "val") and self.train_dataset:
            dataset, _, config = self.train_dataset.partition("/")
            return dataset, config
        return self.dataset, self.config

    def split(self, role: str) -> str:
        """Return the TFDS split of ``role``.

        Raises
        ------
        ConfigError
            ``role`` is not a role of this task.
        """
        available = tuple(r for r in ROLES if self.splits.get(r))
        if role not in available:
            raise unknown_choice(f"{self.task} split", role, available)
        return str(self.splits[role])


def task_facts(task: str) -> TaskFacts:
    """Return the :class:`TaskFacts` of a registered task that reads a built dataset.

    The facts come from the task's declaration in :mod:`ecgbench.tasks` (dataset, split roles,
    sampling rate); the dataset's config fixes the classes, the position key and the scorer
    (beat windows: AAMI classes, ``sample``, EC57; rhythm windows: rhythm classes, ``start``).

    Raises
    ------
    ConfigError
        Unknown task (the message lists the known ones), or a task without a built dataset
        (streaming, digitisation: they replay raw records).
    """
    from ecgbench.errors import ConfigError
    from ecgbench.records import AAMI_CLASSES, RHYTHM_CLASSES
    from ecgbench.tasks import get_task

    declared = get_task(task)
    if declared.dataset is None:
        raise ConfigError(
            f"task {task!r} replays raw records and has no built dataset to load or evaluate from arrays; "
            f"tasks with one: {', '.join(known_tasks())}"
        )
    roles = declared.splits
    splits = {"train": roles.train, "val": roles.val, "test": roles.test}
    beats = declared.dataset.config.endswith("beats")
    note = roles.val_note or "train on train, choose models and thresholds on val only, score test once"
    return TaskFacts(
        task, declared.dataset.name, declared.dataset.config, splits,
        tuple(AAMI_CLASSES if beats else RHYTHM_CLASSES), declared.sampling_rate,
        "sample" if beats else "start", SCORER_EC57 if beats else SCORER_RHYTHM, note,
        str(declared.params.get("train_dataset", "")),
    )  # fmt: skip


def known_tasks() -> tuple[str, ...]:
    """Registered tasks that read a built dataset (the ones :func:`task_facts` serves)."""
    from ecgbench.tasks import all_tasks

    return tuple(t.name for t in all_tasks() if t.dataset is not None)
