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
    from ecgbench.cli.summary import summary_table

    return summary_table(
        record, RHYTHM_SUMMARY_ROWS, goals=record.get("aha_goals", {}), support=record.get("test_support", {})
    )
