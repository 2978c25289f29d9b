"""Fixed record splits, the intra-patient beat split, and their disjointness."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records import AAMI_CLASSES, DS1, read_annotations, rhythm_intervals, subject_of
from ecgbench.records.splits import (
    BEAT_RECORDS,
    DS1_TRAIN,
    DS1_VAL,
    RHYTHM_SPLIT_RECORDS,
    check_record_disjoint,
    check_split_definitions,
    intra_patient_test_mask,
)
from ecgbench.records.symbols import aami_class, is_beat
from ecgbench.records.windows import rhythm_windows


def test_fixed_lists_partition_their_records():
    check_split_definitions()
    assert not set(DS1_TRAIN) & set(DS1_VAL) and set(DS1_TRAIN) | set(DS1_VAL) == set(DS1)


def test_rhythm_splits_are_record_and_subject_disjoint():
    check_record_disjoint(RHYTHM_SPLIT_RECORDS, by_subject=True)
    subjects = {split: {subject_of(r) for r in recs} for split, recs in RHYTHM_SPLIT_RECORDS.items()}
    assert not subjects["train"] & subjects["val"] and not subjects["train"] & subjects["test"]
    assert not subjects["val"] & subjects["test"]


def test_disjointness_check_catches_shared_subjects():
    with pytest.raises(ConfigError, match="share the subject of record 202"):
        check_record_disjoint({"a": ("201",), "b": ("202",)})
    check_record_disjoint({"a": ("201",), "b": ("202",)}, by_subject=False)


def test_intra_mask_is_seeded_stratified_and_deterministic():
    labels = np.array(["N"] * 1000 + ["V"] * 100 + ["Q"] * 5)
    mask = intra_patient_test_mask(labels)
    assert mask.sum() == 200 + 20 + 1
    assert np.array_equal(mask, intra_patient_test_mask(labels))
    assert not np.array_equal(mask, intra_patient_test_mask(labels, seed=1))
    with pytest.raises(ConfigError):
        intra_patient_test_mask(labels, test_fraction=1.0)


@pytest.mark.slow
def test_real_beat_splits_every_class_both_sides_and_intra_disjoint(mitdb_dir):
    keys, labels, per_record = [], [], {}
    for record in BEAT_RECORDS:
        ann = read_annotations(record, mitdb_dir)
        beats = is_beat(ann.symbol)
        classes = [aami_class(s) for s in ann.symbol[beats]]
        per_record[record] = set(classes)
        keys += [(record, int(s)) for s in ann.sample[beats]]
        labels += classes
    for records in (DS1_TRAIN, DS1_VAL):
        assert set().union(*(per_record[r] for r in records)) == set(AAMI_CLASSES)
    mask = intra_patient_test_mask(np.array(labels))
    train = {k for k, m in zip(keys, mask) if not m}
    test = {k for k, m in zip(keys, mask) if m}
    assert len(keys) == len(set(keys)) == 100733 and not train & test and len(train) + len(test) == 100733


@pytest.mark.slow
def test_real_rhythm_splits_hold_af_and_vt_in_every_split(mitdb_dir):
    for split, records in RHYTHM_SPLIT_RECORDS.items():
        labels = set()
        for record in records:
            windows = rhythm_windows(rhythm_intervals(read_annotations(record, mitdb_dir), 650000), 650000, 360.0)
            labels |= set(windows.label.tolist())
        assert {"AFIB", "VT"} <= labels, split
