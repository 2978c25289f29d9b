"""Terminal output of ``ecgbench run baseline NAME --task rhythm``: the headline table with AHA goals."""

from __future__ import annotations

#: Rhythm figures shown in the summary table: (metric key, label).
RHYTHM_SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("accuracy", "accuracy"),
    ("macro_f1", "macro-F1"),
    ("af.se", "AF Se"),
    ("af.sp", "AF Sp"),
    ("af.ppv", "AF +P"),
    ("ventricular.se", "VT+VFL Se"),
    ("ventricular.sp", "VT+VFL Sp"),
    ("ventricular.ppv", "VT+VFL +P"),
    ("vt.se", "VT Se"),
    ("vf.se", "VFL Se"),
)


def rhythm_summary_table(record: dict):
    """Rich table of the headline rhythm figures, bootstrap intervals and AHA goals (percent)."""
    from rich.table import Table

    boot = record["bootstrap"]
    goals = record.get("aha_goals", {})
    support = record.get("test_support", {})
    title = f"{record['submission']['name']} · {record['task']}{' (quick)' if record['quick'] else ''} · seed {record['seed']}"
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column(f"{boot['confidence']:.0%} CI (subjects resampled ×{boot['n_resamples']})", justify="right")
    table.add_column("AHA goal", justify="right")
    for key, label in RHYTHM_SUMMARY_ROWS:
        entry = record["metrics"].get(key)
        if entry is None:
            continue
        goal = goals.get(key)
        table.add_row(
            label + (f" (n={support[key]})" if key in support else ""),
            _fmt(entry.get("value")),
            f"{_fmt(entry.get('ci_low'))} – {_fmt(entry.get('ci_high'))}",
            f"> {goal:.0f}" if goal is not None else "",
        )
    return table


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}"
