"""The task registry: :func:`register`, :func:`get_task`, :func:`all_tasks` (display order).

The package's tasks are registered when this module is first imported, in display order; a task
declared elsewhere (a test module, a plug-in) is added with :func:`register` and then runs, is
checked and is rendered like the built-in ones. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from ecgbench.errors import ConfigError
from ecgbench.tasks.base import Task

_TASKS: dict[str, Task] = {}


def register(task: Task, *, replace: bool = False) -> Task:
    """Add ``task`` to the registry (after those already there) and return it.

    Raises
    ------
    ConfigError
        A task of that name is already registered (pass ``replace=True`` to swap it in place).
    """
    if not isinstance(task, Task):
        raise ConfigError(f"register() takes an ecgbench.tasks.Task, got {type(task).__name__}")
    if task.name in _TASKS and not replace:
        raise ConfigError(f"task {task.name!r} is already registered; pass replace=True to redefine it")
    _TASKS[task.name] = task
    return task


def unregister(name: str) -> None:
    """Remove a task (tests that register a toy task clean up with this); unknown names are ignored."""
    _TASKS.pop(name, None)


def get_task(name: str) -> Task:
    """Return the registered task ``name``.

    Raises
    ------
    ConfigError
        No such task; the message lists the valid names.
    """
    try:
        return _TASKS[name]
    except KeyError:
        raise ConfigError(f"unknown task {name!r}; valid tasks: {', '.join(_TASKS)}") from None


def all_tasks() -> tuple[Task, ...]:
    """Every registered task, in display order (the package's first, in their declared order)."""
    return tuple(_TASKS.values())


def task_names() -> tuple[str, ...]:
    """Names of :func:`all_tasks`."""
    return tuple(_TASKS)


def find_task(name: str) -> Task | None:
    """Return the task ``name``, or None when none is registered under it."""
    return _TASKS.get(name)


def beat_track_task(track: str) -> Task:
    """Return the beat task whose short name (``run baseline --track``) is ``track``.

    Raises
    ------
    ConfigError
        No task has that short name; the message lists the valid ones.
    """
    tracks = {task.track: task for task in _TASKS.values() if task.track is not None}
    if track not in tracks:
        raise ConfigError(f"unknown track {track!r}; valid tracks: {', '.join(tracks)}")
    return tracks[track]


def _register_builtin() -> None:
    from ecgbench.tasks import alarms_vfdb, beats_crossdb_svdb, beats_interpatient, beats_intrapatient, digitize, rhythm, streaming

    for task in (beats_interpatient.TASK, beats_intrapatient.TASK, beats_crossdb_svdb.TASK, rhythm.TASK, rhythm.RHYTHM_4S, rhythm.RHYTHM_30S,
                 streaming.TASK, alarms_vfdb.TASK, digitize.TASK):  # fmt: skip
        register(task)


_register_builtin()
