"""Task ``beats-intrapatient``: the inter-patient beat task on a leaky beat-level 80/20 split.

Derived from :mod:`ecgbench.tasks.beats_interpatient` (same inputs, metrics and columns): train
``intra_train``, validation a stratified seeded share of it, test ``intra_test``, over the 44
non-paced records. The same patients are in training and test, so scores are optimistic.
"""

from __future__ import annotations

from ecgbench.records import BEAT_RECORDS
from ecgbench.tasks.base import ProtocolRules, SplitRoles, derive
from ecgbench.tasks.beats_interpatient import TASK as INTERPATIENT

TASK = derive(
    INTERPATIENT,
    name="beats-intrapatient",
    title="AAMI beat classes on a random beat-level 80/20 split of the 44 records (leaky)",
    splits=SplitRoles(train="intra_train", val=None, test="intra_test", may_train_on=("intra_train",),
                      val_note="a class-stratified seeded 10 % of intra_train"),  # fmt: skip
    rules=ProtocolRules(test_records=tuple(BEAT_RECORDS), exact_train=True),
    track="intrapatient",
    board={
        "title": "Beat classification — intra-patient (LEAKY: same patients in train and test)",
        "note": (
            "A random beat-level 80/20 split of the 44 records: the same patients appear in training and "
            "test, so these scores are optimistic and not comparable with the inter-patient table. Shown "
            "only to compare with the papers that use it."
        ),
        "leaky": True,
    },
)
