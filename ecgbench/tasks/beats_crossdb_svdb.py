"""Task ``beats-crossdb-svdb``: AAMI beat classes, trained and selected on DS1, tested on all of SVDB.

A cross-database test of the inter-patient protocol: a submission is trained on ``ds1_train`` and
selected on ``ds1_val`` (MIT-BIH DS1) exactly as for ``beats-interpatient``, then predicts the 78
records of the MIT-BIH Supraventricular Arrhythmia Database (``svdb/beats`` ``test``: resampled
128 → 360 Hz, same beat windows and RR features as ``mitdb/beats``). EC57 gross and average
statistics with record-bootstrap intervals, scored by the runners' one EC57 scorer. SVDB is never
used to choose a model, threshold or feature. Its leads are not MIT-BIH's (SVDB: ECG1/ECG2;
MIT-BIH: mostly MLII/V1): the lead mismatch is part of what the task measures.

A run may reuse the trained model of a committed ``beats-interpatient`` run (same training
protocol); its record names that run in ``training.model_run`` (:mod:`ecgbench.runner.crossdb`).

References
----------
Greenwald SD. Improved detection and classification of arrhythmias in noise-stressed
electrocardiograms using multivariate statistical techniques. PhD thesis, MIT, 1990 (SVDB).
de Chazal P, O'Dwyer M, Reilly RB. IEEE Trans Biomed Eng 51(7):1196-1206, 2004 (DS1/DS2).
"""

from __future__ import annotations

from ecgbench.leaderboard.tracks import Track
from ecgbench.records.lists import SVDB_RECORDS
from ecgbench.tasks.base import DatasetRef, ProtocolRules, SplitRoles, Task, metrics_of
from ecgbench.tasks.beats_interpatient import BEAT_COLUMNS, BEAT_HEADLINE, BEAT_INPUTS, BEAT_SUMMARY_ROWS

NAME = "beats-crossdb-svdb"
#: The task whose runs a submission's figures are shown beside (the generalisation gap).
REFERENCE_TASK = "beats-interpatient"

BOARD = Track(
    task=NAME,
    title="Beat classification — cross-database (DS1 → SVDB)",
    note=(
        "Trained and selected on MIT-BIH DS1 only (ds1_train / ds1_val), exactly as for beats-interpatient; "
        "tested on all 78 records of the MIT-BIH Supraventricular Arrhythmia Database (SVDB, resampled "
        "128 → 360 Hz). SVDB is never used for model, threshold or feature selection. SVDB's leads are not "
        "MIT-BIH's (ECG1/ECG2 from unspecified placements, not MLII/V1): the lead mismatch is part of what "
        "the task measures. Trained baselines reuse the saved model of their committed beats-interpatient run "
        "(run record field training.model_run). EC57 gross statistics in percent; ranges are 95 % bootstrap "
        "intervals over records."
    ),
    columns=BEAT_COLUMNS,
    beat_predictions=True,
    headline=BEAT_HEADLINE,
    compare_task=REFERENCE_TASK,
)

TASK = Task(
    name=NAME,
    title="AAMI beat classes, trained on MIT-BIH DS1, tested on the 78 SVDB records (cross-database)",
    dataset=DatasetRef("svdb", "beats"),
    splits=SplitRoles(train="ds1_train", val="ds1_val", test="test", may_train_on=("ds1", "ds1_train", "ds1_val")),
    inputs=BEAT_INPUTS,
    sampling_rate=360.0,
    leads=("lead 0 (SVDB ECG1)", "lead 1 (SVDB ECG2)"),
    metrics=metrics_of(BOARD),
    ranking_metric="gross.accuracy",
    board=BOARD,
    rules=ProtocolRules(test_records=SVDB_RECORDS, all_test_records=True),
    run="ecgbench.runner.crossdb:run_crossdb_task",
    summary_rows=BEAT_SUMMARY_ROWS,
    model_files=False,
    params={"reference_task": REFERENCE_TASK, "train_dataset": "mitdb/beats"},
)
