"""Task ``rhythm`` (10-s windows) and its window variants ``rhythm-4s`` and ``rhythm-30s``.

Window-level rhythm classification (:data:`ecgbench.records.RHYTHM_CLASSES`) on record- and
subject-disjoint ``train`` / ``val`` / ``test`` records (:mod:`ecgbench.records.splits`); model
selection on ``val`` only. The variants are the 10-s task with another window (:func:`window_variant`).
"""

from __future__ import annotations

from ecgbench.leaderboard.tracks import Column, Track
from ecgbench.records.splits import RHYTHM_TEST
from ecgbench.tasks.base import DatasetRef, InputField, ProtocolRules, SplitRoles, Task, derive, metrics_of

SAMPLING_RATE = 360.0
#: Window of the parent task (seconds).
DEFAULT_WINDOW_S = 10.0

COLUMNS: tuple[Column, ...] = (
    Column("macro_f1", "macro-F1"),
    Column("accuracy", "Acc"),
    Column("af.se", "AF Se"),
    Column("af.sp", "AF Sp"),
    Column("af.ppv", "AF +P"),
    Column("ventricular.se", "VT+VFL Se"),
    Column("ventricular.sp", "VT+VFL Sp"),
    Column("vt.se", "VT Se (AHA >75)"),
    Column("vf.se", "VF Se (AHA >90)"),
)
HEADLINE: tuple[str, ...] = ("macro_f1", "af.se", "af.sp", "ventricular.se", "ventricular.sp")
#: Rhythm figures printed after a run: (metric key, label).
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
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


def window_inputs(window_s: float) -> tuple[InputField, ...]:
    """The input of a rhythm model: one window of both leads (mV)."""
    return (InputField("signal", (round(window_s * SAMPLING_RATE), 2), "mV", f"{window_s:g}-s window, both leads as stored"),)


BOARD = Track(
    task="rhythm",
    title="Rhythm classification — 10-s windows (train → val → test records)",
    note=(
        "Window-level rhythm classification (10 classes) on the 10 record- and subject-disjoint rhythm test "
        "records; model selection on val only. AF = AFIB vs rest; VT+VFL = ventricular vs rest (AHA goals: "
        "VF Se > 90, VT Se > 75, Sp > 95). The test split holds a single 10-s VT window and no VFL, so "
        "ventricular sensitivities are anecdotal. Ranges are 95 % bootstrap intervals over subjects."
    ),
    columns=COLUMNS,
    headline=HEADLINE,
)

TASK = Task(
    name="rhythm",
    title="Rhythm of 10-s windows (10 classes), record- and subject-disjoint splits",
    dataset=DatasetRef("mitdb", "rhythm"),
    splits=SplitRoles(train="train", val="val", test="test", may_train_on=("train", "val")),
    inputs=window_inputs(DEFAULT_WINDOW_S),
    sampling_rate=SAMPLING_RATE,
    leads=("lead 0 (MLII in most records)", "lead 1 (V1 in most records)"),
    metrics=metrics_of(BOARD),
    ranking_metric="macro_f1",
    board=BOARD,
    rules=ProtocolRules(test_records=RHYTHM_TEST, all_test_records=True),
    run="ecgbench.runner.task_runs:run_rhythm_task",
    summary_rows=SUMMARY_ROWS,
    params={"window_s": DEFAULT_WINDOW_S},
)


def window_variant(seconds: int) -> Task:
    """The rhythm task with ``seconds``-s windows (config ``rhythm_<seconds>s``, task ``rhythm-<seconds>s``)."""
    return derive(
        TASK,
        name=f"rhythm-{seconds}s",
        title=f"Rhythm of {seconds}-s windows (the 10-s task's records and splits)",
        dataset=DatasetRef("mitdb", f"rhythm_{seconds}s"),
        inputs=window_inputs(float(seconds)),
        params={"window_s": float(seconds)},
        board={
            "title": f"Rhythm classification — {seconds}-s windows (latency/accuracy trade-off)",
            "note": f"As the 10-s rhythm table, with {seconds}-s windows (same records and splits).",
        },
    )


RHYTHM_4S = window_variant(4)
RHYTHM_30S = window_variant(30)
