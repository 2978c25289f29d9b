"""Benchmark tasks as data: one module per task, a registry in display order.

>>> from ecgbench.tasks import all_tasks, get_task
>>> get_task("beats-interpatient").splits.test
'ds2'

A new task is a :class:`Task` declaration passed to :func:`register`; the CLI (``ecgbench tasks``,
``ecgbench run TASK SUBMISSION``), the leaderboard checks and the boards read it from here.
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
