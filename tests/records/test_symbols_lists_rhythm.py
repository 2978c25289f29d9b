"""AAMI class map, record lists, subject groups and rhythm intervals."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.records import (
    AAMI_CLASSES,
    BEAT_RECORDS,
    DS1,
    DS2,
    MITDB_RECORDS,
    PACED_RECORDS,
    aami_class,
    aami_labels,
    check_records,
    is_beat,
    read_annotations,
    rhythm_at,
    rhythm_intervals,
    subject_of,
)
from ecgbench.records.io import Annotations


@pytest.mark.parametrize(
    ("symbols", "cls"),
    [("NLRej", "N"), ("AaJS", "S"), ("VE", "V"), ("F", "F"), ("/fQ", "Q")],
)
def test_aami_map_matches_ec57(symbols, cls):
    assert {aami_class(s) for s in symbols} == {cls}


@pytest.mark.parametrize("symbol", list('+~|"[]!x'))
def test_non_beat_symbols_are_not_beats(symbol):
    assert not is_beat([symbol])[0]
    with pytest.raises(ValueError, match="not a beat"):
        aami_class(symbol)


def test_aami_labels_are_indices():
    np.testing.assert_array_equal(aami_labels(["N", "A", "V", "F", "/"]), [0, 1, 2, 3, 4])
    assert AAMI_CLASSES == ("N", "S", "V", "F", "Q")


def test_de_chazal_split_is_a_partition_of_the_unpaced_records():
    assert len(DS1) == len(DS2) == 22
    assert not set(DS1) & set(DS2)
    assert set(DS1) | set(DS2) | set(PACED_RECORDS) == set(MITDB_RECORDS)
    assert len(BEAT_RECORDS) == 44


def test_subjects():
    assert subject_of("201") == subject_of("202") == "201"
    assert subject_of("100") == "100"


def test_check_records_names_unknown():
    with pytest.raises(ValueError, match="999"):
        check_records(["100", "999"])


def _annotations(samples, symbols, aux):
    n = len(samples)
    return Annotations("x", "atr", np.array(samples), np.array(symbols), tuple(aux), 360.0)


def test_rhythm_intervals_merge_and_run_to_the_end():
    ann = _annotations(
        [0, 5, 100, 150, 200, 300],
        ["+", "N", "+", "N", "+", "+"],
        ["(N", "", "(AFIB\x00", "", "(AFIB", "(VT"],
    )
    ivs = rhythm_intervals(ann, 400)
    assert [(i.start, i.end, i.label) for i in ivs] == [(0, 100, "N"), (100, 300, "AFIB"), (300, 400, "VT")]
    np.testing.assert_array_equal(rhythm_at(ivs, np.array([50, 150, 399, 400])), ["N", "AFIB", "VT", ""])


@pytest.mark.slow
def test_real_rhythms_of_record_201(mitdb_dir):
    ann = read_annotations("201", mitdb_dir)
    labels = {i.label for i in rhythm_intervals(ann, 650000)}
    assert {"N", "AFIB", "SVTA", "T"} <= labels


def test_parse_record_list_expands_sets_and_names_unknown_records():
    from ecgbench.records import DS1, DS2, parse_record_list

    assert parse_record_list("DS2") == list(DS2)
    assert parse_record_list("ds1, 232") == [*DS1, "232"]
    with pytest.raises(ValueError, match="unknown MIT-BIH record"):
        parse_record_list("100,999")
    with pytest.raises(ValueError, match="empty record list"):
        parse_record_list(" , ")
