"""Run functions of the package's trained tasks, as the task registry references them.

Each has the signature ``run(task, submission, options) -> TaskRun``
(:class:`ecgbench.tasks.Task`, a baseline name or submission folder,
:class:`ecgbench.tasks.RunOptions`) and hands over to the task family's runner: the beat runner
for tasks with a ``track`` (:func:`ecgbench.runner.beat.run_beat_benchmark`), the rhythm runner
for tasks with a ``window_s`` (:func:`ecgbench.runner.rhythm.run_rhythm_benchmark`).
"""

from __future__ import annotations

from ecgbench.tasks import RunOptions, Task, TaskRun


def run_beat_task(task: Task, submission: str, options: RunOptions) -> TaskRun:
    """Train, test and record ``submission`` on a beat task (EC57 scoring)."""
    from ecgbench.runner.beat import run_beat_benchmark

    result = run_beat_benchmark(
        submission, track=task.track, seed=options.seed, epochs=options.epochs, quick=options.quick,
        tfds_dir=options.tfds_dir, data_dir=options.data_dir, results_dir=options.results_dir,
        bootstrap_resamples=options.bootstrap_resamples, on_epoch=options.on_epoch, on_stage=options.on_stage,
    )  # fmt: skip
    return TaskRun(record=result.record, record_path=result.record_path, predictions_path=result.predictions_path, report=result.ec57)


def run_rhythm_task(task: Task, submission: str, options: RunOptions) -> TaskRun:
    """Train, test and record ``submission`` on a rhythm task (its ``window_s``)."""
    from ecgbench.runner.rhythm import run_rhythm_benchmark

    result = run_rhythm_benchmark(
        submission, window_s=task.params["window_s"], seed=options.seed, epochs=options.epochs, quick=options.quick,
        tfds_dir=options.tfds_dir, results_dir=options.results_dir, bootstrap_resamples=options.bootstrap_resamples,
        on_epoch=options.on_epoch, on_stage=options.on_stage,
    )  # fmt: skip
    return TaskRun(record=result.record, record_path=result.record_path, predictions_path=result.predictions_path, report=result.report)
