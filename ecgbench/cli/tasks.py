"""``ecgbench tasks``: the registered tasks with their dataset, splits, inputs and ranking metric."""

from __future__ import annotations

import typer

from ecgbench.cli._common import JsonOption, console, print_json

app = typer.Typer()


def _inputs(task) -> str:
    def shape(spec) -> str:  # a negative size varies from example to example
        return "[" + ", ".join("?" if d < 0 else str(d) for d in spec.shape) + "]"

    return "; ".join(f"{spec.name} {shape(spec)} {spec.units}" for spec in task.inputs)


def _splits(task) -> str:
    roles = task.splits
    val = roles.val if roles.val is not None else (roles.val_note or "–")
    return f"{roles.train or '–'} / {val} / {roles.test}"


@app.command()
def tasks(json_output: JsonOption = False) -> None:
    """List the benchmark tasks: dataset/config, train/val/test splits, inputs, ranking metric (`ecgbench run TASK SUBMISSION`)."""
    from rich.table import Table

    from ecgbench.tasks import all_tasks

    registered = all_tasks()
    if json_output:
        print_json([task.to_dict() for task in registered])
        return
    table = Table(title="ecgbench tasks (run one with `ecgbench run TASK SUBMISSION`)")
    for column in ("task", "dataset/config", "train / val / test", "inputs", "ranking metric"):
        table.add_column(column, overflow="fold")
    for task in registered:
        direction = "↑" if task.metric(task.ranking_metric).higher_is_better else "↓"
        dataset = task.dataset.full_name if task.dataset else f"raw records ({task.params.get('raw_database', 'mitdb')})"
        name = task.name + (" (leaky)" if task.board.leaky else "")
        table.add_row(name, dataset, _splits(task), f"{_inputs(task)} @ {task.sampling_rate:g} Hz", f"{task.ranking_metric} {direction}")
    console.print(table)
