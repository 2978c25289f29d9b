"""WFDB I/O, annotation symbols, the AAMI class map, record lists and splits."""

from ecgbench.records.io import Annotations, Record, read_annotations, read_record, write_annotations
from ecgbench.records.lists import (
    BEAT_RECORDS,
    DS1,
    DS2,
    MITDB_RECORDS,
    PACED_RECORDS,
    SHARED_SUBJECTS,
    check_records,
    subject_of,
)
from ecgbench.records.rhythm import RhythmInterval, rhythm_at, rhythm_intervals, rhythm_label
from ecgbench.records.symbols import (
    AAMI_CLASSES,
    BEAT_SYMBOLS,
    NOISE_SYMBOL,
    RHYTHM_SYMBOL,
    SYMBOL_TO_AAMI,
    aami_class,
    aami_labels,
    is_beat,
)

__all__ = [
    "AAMI_CLASSES", "Annotations", "BEAT_RECORDS", "BEAT_SYMBOLS", "DS1", "DS2", "MITDB_RECORDS",
    "NOISE_SYMBOL", "PACED_RECORDS", "RHYTHM_SYMBOL", "Record", "RhythmInterval", "SHARED_SUBJECTS",
    "SYMBOL_TO_AAMI", "aami_class", "aami_labels", "check_records", "is_beat", "read_annotations",
    "read_record", "rhythm_at", "rhythm_intervals", "rhythm_label", "subject_of", "write_annotations",
]  # fmt: skip
