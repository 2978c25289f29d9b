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
    parse_record_list,
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
    "SYMBOL_TO_AAMI", "aami_class", "aami_labels", "check_records", "is_beat", "parse_record_list", "read_annotations",
    "read_record", "rhythm_at", "rhythm_intervals", "rhythm_label", "subject_of", "write_annotations",
]  # fmt: skip

# Beat windows, rhythm windows, fixed splits and source/dataset identity (the mitdb TFDS builder's logic).
from ecgbench.records.beats import BeatTable, RRFeatures, beat_windows, record_beats, rr_features  # noqa: E402
from ecgbench.records.physionet import (  # noqa: E402
    dataset_checksum,
    download_records,
    read_checksums,
    source_checksum,
    verify_folder,
)
from ecgbench.records.splits import (  # noqa: E402
    DS1_TRAIN,
    DS1_VAL,
    RHYTHM_TEST,
    RHYTHM_TRAIN,
    RHYTHM_VAL,
    check_record_disjoint,
    intra_patient_test_mask,
)
from ecgbench.records.windows import RHYTHM_CLASSES, RhythmWindows, rhythm_class, rhythm_windows  # noqa: E402

__all__ += [
    "BeatTable", "DS1_TRAIN", "DS1_VAL", "RHYTHM_CLASSES", "RHYTHM_TEST", "RHYTHM_TRAIN", "RHYTHM_VAL",
    "RRFeatures", "RhythmWindows", "beat_windows", "check_record_disjoint", "dataset_checksum",
    "download_records", "intra_patient_test_mask", "read_checksums", "record_beats", "rhythm_class",
    "rhythm_windows", "rr_features", "source_checksum", "verify_folder",
]  # fmt: skip
