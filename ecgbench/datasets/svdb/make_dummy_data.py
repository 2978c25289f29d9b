"""Write ``dummy_data/``: three tiny synthetic SVDB-like records (128 Hz) and their checksum table.

Run from anywhere: ``python -m ecgbench.datasets.svdb.make_dummy_data``. The records (20 s, 128 Hz,
two leads, format 212) come from :mod:`ecgbench.records.synthetic`, seeded, so the output is the
same on every run; they hold every AAMI class and beats near the record edges.
``svdb_dataset_builder_test.py`` points the builder at them.
"""

from __future__ import annotations

from pathlib import Path

from ecgbench.datasets.common import write_dummy_data

DUMMY_DIR = Path(__file__).with_name("dummy_data")
FS = 128.0  # Hz, as SVDB
DURATION_S = 20.0
#: record → (beat symbols repeated cyclically, rhythm changes as (second, rhythm))
DUMMY_RECORDS = {"s01": ("NNSNV", [(0.0, "N")]), "s02": ("NNJNaF", [(0.0, "N")]), "s03": ("NNQNBS", [(0.0, "N")])}

if __name__ == "__main__":
    write_dummy_data(DUMMY_DIR, DUMMY_RECORDS, FS, DURATION_S)
