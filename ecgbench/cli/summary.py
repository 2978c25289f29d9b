"""The headline table printed after a run (beat and rhythm tracks, ``submit``): figures and intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def summary_table(
    record: dict,
    rows: Sequence[tuple[str, str]],
    *,
    goals: Mapping[str, float] | None = None,
    support: Mapping[str, int] | None = None,
):
    """Rich table of a run record's headline figures with their bootstrap intervals (percent).

    Parameters
    ----------
    record : dict
        A schema-1 run record.
    rows : sequence of (str, str)
        ``(metric key, label)`` to show, in order; keys the record lacks are skipped.
    goals : mapping, optional
        Metric key → goal (percent): adds a goal column (the rhythm track's AHA goals); None, no column.
    support : mapping, optional
        Metric key → number of positive test examples, shown as ``(n=…)`` beside the label.
    """
    from rich.table import Table

    boot = record["bootstrap"]
    support = support or {}
    table = Table(title=f"{record['submission']['name']} · {record['task']}{' (quick)' if record['quick'] else ''} · seed {record['seed']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    resampled = f"{boot.get('unit', 'record')}s"  # what the bootstrap drew: subjects (records of one patient together)
    table.add_column(f"{boot['confidence']:.0%} CI ({resampled} resampled ×{boot['n_resamples']})", justify="right")
    if goals is not None:
        table.add_column("AHA goal", justify="right")
    for key, label in rows:
        entry = record["metrics"].get(key)
        if entry is None:
            continue
        cells = [
            label + (f" (n={support[key]})" if key in support else ""),
            _fmt(entry.get("value")),
            f"{_fmt(entry.get('ci_low'))} – {_fmt(entry.get('ci_high'))}",
        ]
        if goals is not None:
            goal = goals.get(key)
            cells.append(f"> {goal:.0f}" if goal is not None else "")
        table.add_row(*cells)
    return table


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}"
