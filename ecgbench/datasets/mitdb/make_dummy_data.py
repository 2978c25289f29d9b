"""Write ``dummy_data/``: six tiny synthetic WFDB records and their checksum table.

Run from anywhere: ``python ecgbench/datasets/mitdb/make_dummy_data.py``. The records (25 s, 360 Hz, two
leads, MIT-BIH format 212) come from :mod:`ecgbench.records.synthetic`, seeded, so the output is
the same on every run. They exercise every AAMI class, several rhythms (N, AFIB, VT, P) with
changes inside windows, and beats near the record edges. ``mitdb_dataset_builder_test.py`` maps
them onto the builder's splits (see ``DUMMY_*`` there).
"""

from __future__ import annotations

from pathlib import Path

from ecgbench.records.physionet import file_sha256, record_files
from ecgbench.records.synthetic import write_synthetic_record

DUMMY_DIR = Path(__file__).with_name("dummy_data")
DURATION_S = 25.0
FS = 360.0

#: record → (beat symbols repeated cyclically, rhythm changes as (second, rhythm))
DUMMY_RECORDS: dict[str, tuple[str, list[tuple[float, str]]]] = {
    "d01": ("NNNNV", [(0.0, "N")]),
    "d02": ("NNANN", [(0.0, "N"), (12.0, "AFIB")]),
    "d03": ("NNFNQNVN", [(0.0, "N"), (20.0, "SVTA")]),
    "d04": ("NNVVV", [(0.0, "N"), (8.0, "VT"), (16.0, "N")]),
    "d05": ("NLLRj", [(0.0, "N"), (3.0, "B")]),
    "d06": ("//f/", [(0.0, "P")]),
}


def main() -> None:
    """Write the records and ``dummy_data/checksums.tsv`` (TFDS format, file name in column 4)."""
    DUMMY_DIR.mkdir(exist_ok=True)
    for seed, (record, (symbols, rhythms)) in enumerate(DUMMY_RECORDS.items()):
        changes = [(int(round(t * FS)), rhythm) for t, rhythm in rhythms]
        write_synthetic_record(DUMMY_DIR, record, rhythm_changes=changes, duration=DURATION_S, fs=FS, symbols=symbols, seed=seed)
    lines = []
    for name in record_files(DUMMY_RECORDS):
        path = DUMMY_DIR / name
        lines.append(f"dummy://{name}\t{path.stat().st_size}\t{file_sha256(path)}\t{name}\n")
    (DUMMY_DIR / "checksums.tsv").write_text("".join(lines))


if __name__ == "__main__":
    main()
