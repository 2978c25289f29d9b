"""What the public API needs to know about a task, in one place (:func:`task_facts`).

Every task-specific fact used by :func:`ecgbench.load`, :class:`ecgbench.Evaluator`, prediction-file
submissions and :func:`ecgbench.load_model` comes from :func:`task_facts`: the TFDS dataset and
config, which split plays which role, the class names in their column order, the sampling rate,
the name of the position key and which scorer applies. The facts are read from the runner's own
tables (:data:`ecgbench.runner.data.TRACKS`, :data:`ecgbench.runner.rhythm_data.WINDOW_CONFIGS`),
so there is no second list to keep in step; a task registry can replace this one function.
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

    @property
    def dataset_name(self) -> str:
        """``<dataset>/<config>``, as run records name it."""
        return f"{self.dataset}/{self.config}"

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


def _beat_facts(task: str) -> TaskFacts | None:
    from ecgbench.records import AAMI_CLASSES
    from ecgbench.runner.data import INTRA_VAL_FRACTION, TRACKS

    for name, (track_task, train, val, test) in TRACKS.items():
        if track_task == task:
            note = (
                "train on train, choose models and thresholds on val only, score test once"
                if val
                else f"no val split: the runner holds out a seeded, class-stratified {INTRA_VAL_FRACTION:.0%} of train"
            )
            return TaskFacts(task, "mitdb", "beats", {"train": train, "val": val, "test": test}, tuple(AAMI_CLASSES),
                             360.0, "sample", SCORER_EC57, f"{name} track: {note}")  # fmt: skip
    return None


def _rhythm_facts(task: str) -> TaskFacts | None:
    from ecgbench.records import RHYTHM_CLASSES
    from ecgbench.runner.rhythm_data import RHYTHM_SPLITS, SAMPLING_RATE, WINDOW_CONFIGS, rhythm_task

    for seconds, config in WINDOW_CONFIGS.items():
        if rhythm_task(seconds) == task:
            return TaskFacts(task, "mitdb", config, dict(RHYTHM_SPLITS), tuple(RHYTHM_CLASSES), SAMPLING_RATE, "start",
                             SCORER_RHYTHM, f"{seconds:g}-s windows; train on train, choose on val only, score test once")  # fmt: skip
    return None


def known_tasks() -> tuple[str, ...]:
    """Tasks the public API serves (beat tracks, then rhythm windows)."""
    from ecgbench.runner.data import TRACKS
    from ecgbench.runner.rhythm_data import WINDOW_CONFIGS, rhythm_task

    return (*(t[0] for t in TRACKS.values()), *(rhythm_task(s) for s in WINDOW_CONFIGS))


def task_facts(task: str) -> TaskFacts:
    """Return the :class:`TaskFacts` of ``task``.

    Raises
    ------
    ConfigError
        Unknown task (the message lists the known ones).
    """
    facts = _beat_facts(task) or _rhythm_facts(task)
    if facts is None:
        raise unknown_choice("task", task, known_tasks())
    return facts
