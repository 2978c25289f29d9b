"""map_records: the same results in record order on either engine; a failing record is named."""

from __future__ import annotations

import time

import pytest

from ecgbench.beam import progress as progress_module
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


def _slow_length(record: str) -> tuple[str, int]:
    time.sleep(0.4)
    return _length(record)


def test_on_result_is_called_once_per_record():
    seen: list[str] = []
    map_records(_length, RECORDS, "local", on_result=seen.append)
    assert seen == RECORDS  # in order, after each record
    seen.clear()
    map_records(_length, RECORDS, "beam", on_result=seen.append)
    assert sorted(seen) == sorted(RECORDS)  # as results arrive


def test_beam_progress_is_reported_while_the_pipeline_runs(monkeypatch):
    """The progress bar of a Beam run moves before the last record is done, not all at the end."""
    monkeypatch.setattr(progress_module, "WATCH_INTERVAL_S", 0.1)
    calls: list[tuple[str, float]] = []
    start = time.monotonic()
    map_records(_slow_length, RECORDS, "beam", on_result=lambda r: calls.append((r, time.monotonic() - start)))
    assert sorted(r for r, _ in calls) == sorted(RECORDS)
    first, last = calls[0][1], calls[-1][1]
    assert last - first > 0.8, calls  # five records of 0.4 s each on one worker: reported over about 2 s


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
