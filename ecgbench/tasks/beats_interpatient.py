"""Task ``beats-interpatient``: AAMI beat classification, trained on DS1, tested on DS2.

The inter-patient split of de Chazal et al. (2004): train ``ds1_train``, select on ``ds1_val``
(both DS1, record-disjoint), test on the 22 DS2 records; EC57 gross statistics.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology
and heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206, 2004.
"""

from __future__ import annotations

from ecgbench.leaderboard.tracks import Column, Track
from ecgbench.records import AAMI_CLASSES, DS2
from ecgbench.tasks.base import DatasetRef, InputField, ProtocolRules, SplitRoles, Task, metrics_of

#: Board columns of both beat tasks (EC57 gross statistics, percent); the first ranks.
BEAT_COLUMNS: tuple[Column, ...] = (
    Column("gross.accuracy", "Acc"),
    Column("gross.sveb.se", "SVEB Se"),
    Column("gross.sveb.ppv", "SVEB +P"),
    Column("gross.sveb.f1", "SVEB F1"),
    Column("gross.veb.se", "VEB Se"),
    Column("gross.veb.ppv", "VEB +P"),
    Column("gross.veb.f1", "VEB F1"),
    *(Column(f"gross.classes.{c}.f1", f"{c} F1") for c in AAMI_CLASSES),
)
BEAT_HEADLINE: tuple[str, ...] = ("gross.accuracy", "gross.sveb.f1", "gross.veb.f1")
#: EC57 figures printed after a beat run: (metric key, label).
BEAT_SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("gross.accuracy", "accuracy"),
    ("gross.sveb.se", "SVEB Se"),
    ("gross.sveb.ppv", "SVEB +P"),
    ("gross.sveb.f1", "SVEB F1"),
    ("gross.veb.se", "VEB Se"),
    ("gross.veb.ppv", "VEB +P"),
    ("gross.veb.f1", "VEB F1"),
)
#: What a beat model receives per beat (360 Hz, both leads as stored).
BEAT_INPUTS: tuple[InputField, ...] = (
    InputField("signal", (288, 2), "mV", "beat window, 0.3 s before to 0.5 s after the R peak, both leads"),
    InputField("rr", (7,), "s and ratios", "RR features (ecgbench.data.rr.RR_FEATURE_NAMES)"),
)
BEAT_LEADS: tuple[str, ...] = ("lead 0 (MLII in most records)", "lead 1 (V1 in most records)")

BOARD = Track(
    task="beats-interpatient",
    title="Beat classification — inter-patient (DS1 → DS2)",
    note=(
        "Trained and selected on DS1 records only (ds1_train / ds1_val), tested on the 22 DS2 records "
        "(de Chazal et al. 2004). EC57 gross statistics in percent; ranges are 95 % bootstrap intervals "
        "over subjects (records resampled, never beats)."
    ),
    columns=BEAT_COLUMNS,
    beat_predictions=True,
    headline=BEAT_HEADLINE,
)

TASK = Task(
    name="beats-interpatient",
    title="AAMI beat classes (N, S, V, F, Q), trained on DS1, tested on DS2",
    dataset=DatasetRef("mitdb", "beats"),
    splits=SplitRoles(train="ds1_train", val="ds1_val", test="ds2", may_train_on=("ds1", "ds1_train", "ds1_val")),
    inputs=BEAT_INPUTS,
    sampling_rate=360.0,
    leads=BEAT_LEADS,
    metrics=metrics_of(BOARD),
    ranking_metric="gross.accuracy",
    board=BOARD,
    rules=ProtocolRules(test_records=tuple(DS2), all_test_records=True),
    run="ecgbench.runner.task_runs:run_beat_task",
    summary_rows=BEAT_SUMMARY_ROWS,
    model_files=True,
    track="interpatient",
)
