"""map_records: the same results in record order on either engine; a failing record is named."""

from __future__ import annotations

import pytest

from ecgbench.beam.records import RecordFailedError, map_records
from ecgbench.errors import ConfigError, EcgbenchError


def _length(record: str) -> tuple[str, int]:
    if record.startswith("bad"):
        raise ValueError(f"cannot read {record}")
    return record, len(record)


RECORDS = ["100", "1011", "12", "2", "23333"]


def test_local_and_beam_give_the_same_results_in_record_order():
    local = map_records(_length, RECORDS)
    assert local == [(r, len(r)) for r in RECORDS]
    assert map_records(_length, RECORDS, "beam") == local


def test_on_result_is_called_once_per_record_in_order():
    for runner in ("local", "beam"):
        seen: list[str] = []
        map_records(_length, RECORDS, runner, on_result=seen.append)
        assert seen == RECORDS


def test_beam_failure_names_every_failing_record_and_returns_nothing():
    with pytest.raises(RecordFailedError) as info:
        map_records(_length, ["100", "bad1", "101", "bad2"], "beam")
    assert isinstance(info.value, EcgbenchError)  # the CLI prints it without a traceback
    assert [f.record for f in info.value.failures] == ["bad1", "bad2"]
    assert "record bad1: ValueError: cannot read bad1" in str(info.value)
    assert "ValueError" in info.value.failures[0].traceback


def test_local_failure_keeps_its_exception_with_a_note_naming_the_record():
    with pytest.raises(ValueError, match="cannot read bad1") as info:
        map_records(_length, ["100", "bad1"])
    assert "(while evaluating record bad1)" in info.value.__notes__


def test_unknown_runner_is_refused_listing_the_valid_ones():
    with pytest.raises(ConfigError, match="unknown runner 'spark'; valid runners: local, beam"):
        map_records(_length, RECORDS, "spark")
