"""Benchmark tasks as data: one module per task, a registry in display order.

>>> from ecgbench.tasks import all_tasks, get_task
>>> get_task("beats-interpatient").splits.test
'ds2'

The CLI (``ecgbench tasks``, ``ecgbench run TASK SUBMISSION``), the leaderboard checks
(``track-rules``, ``dataset-checksum``), the boards and the runners read the tasks from here.

Adding a task
-------------
Declare a :class:`Task` and :func:`register` it: for a package task, a module here plus one line
in :mod:`ecgbench.tasks.registry` (display order); from outside the package, ``register(task)``
before the CLI or the checks run (``tests/tasks/test_toy_task.py`` declares, runs, checks and
renders one). A variant of an existing task is :func:`derive` of its parent with the fields that
differ (``rhythm-4s`` is ``rhythm`` with a 4-s window). The run function is referenced as
``"module:function"`` and called as ``function(task, submission, RunOptions) -> TaskRun``; it
writes its run through :func:`ecgbench.runner.recording.write_run` (or
:func:`ecgbench.leaderboard.record.write_run_record_with` for records of another shape).
"""

from ecgbench.tasks.base import (
    DatasetRef,
    InputField,
    Metric,
    ProtocolRules,
    RunCommand,
    RunOptions,
    SplitRoles,
    Task,
    TaskRun,
    derive,
    metrics_of,
)
from ecgbench.tasks.registry import all_tasks, beat_track_task, find_task, get_task, register, task_names, unregister

__all__ = [
    "DatasetRef", "InputField", "Metric", "ProtocolRules", "RunCommand", "RunOptions", "SplitRoles", "Task", "TaskRun",
    "all_tasks", "beat_track_task", "derive", "find_task", "get_task", "metrics_of", "register", "task_names", "unregister",
]  # fmt: skip
