"""Write ``dummy_data/``: three tiny synthetic VFDB-like records (250 Hz) and their checksum table.

Run from anywhere: ``python -m ecgbench.datasets.vfdb.make_dummy_data``. The records (30 s, 250 Hz,
two leads, format 212) come from :mod:`ecgbench.records.synthetic`, seeded, so the output is the
same on every run; their rhythm annotations cover VFDB's names (VT, VFL, VF, VFIB, ASYS, NOISE,
NSR, HGEA) with changes inside windows. ``vfdb_dataset_builder_test.py`` points the builder at them.
"""

from __future__ import annotations

from pathlib import Path

from ecgbench.datasets.common import write_dummy_data

DUMMY_DIR = Path(__file__).with_name("dummy_data")
FS = 250.0  # Hz, as VFDB
DURATION_S = 30.0
#: record → (beat symbols repeated cyclically, rhythm changes as (second, rhythm))
DUMMY_RECORDS = {
    "v01": ("NNNV", [(0.0, "N"), (8.0, "VT"), (14.0, "VFL"), (22.0, "NOISE")]),
    "v02": ("N", [(2.0, "NSR"), (12.0, "VF"), (20.0, "VFIB"), (26.0, "ASYS")]),
    "v03": ("NV", [(0.0, "HGEA"), (15.0, "VT"), (25.0, "N")]),
}

if __name__ == "__main__":
    write_dummy_data(DUMMY_DIR, DUMMY_RECORDS, FS, DURATION_S)
