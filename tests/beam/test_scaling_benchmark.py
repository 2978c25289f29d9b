"""benchmarks/scaling.py: its arithmetic (speed-up, projection), checksum checks and options, without timing anything."""

from __future__ import annotations

import pytest


def test_speedup_is_the_one_worker_wall_time_of_the_same_job_over_the_row(benchmark_module):
    scaling = benchmark_module("scaling")
    Row = scaling.Row
    rows = scaling._with_speedups([
        Row("stream", 12, "beam, 1 worker", 1, 100.0, 90.0, 300.0, 90.0),
        Row("stream", 12, "beam, 2 workers", 2, 55.0, 95.0, 300.0, 50.0),
        Row("stream", 24, "beam, 2 workers", 2, 80.0, 180.0, 300.0, 95.0),  # no 1-worker row: no speed-up
        Row("stream", 12, "local", 0, 90.0, 88.0, 250.0, 88.0),
    ])  # fmt: skip
    assert [r.speedup for r in rows] == [1.0, pytest.approx(100 / 55), None, pytest.approx(100 / 90)]
    assert [r.cpu_speedup for r in rows] == [1.0, pytest.approx(90 / 50), None, pytest.approx(90 / 88)]
    wall_h, cpu_h = rows[1].projected_hours()
    assert wall_h == pytest.approx(55.0 * 10_000 / 12 / 3600) and cpu_h == pytest.approx(95.0 * 10_000 / 12 / 3600)
    assert rows[1].records_per_s == pytest.approx(12 / 55)


def test_options_quick_and_bad_jobs(benchmark_module):
    scaling = benchmark_module("scaling")
    quick = scaling.parse_args(["--quick"])
    assert (quick.jobs, quick.sizes, quick.workers, quick.svdb, quick.local) == (["stream", "build"], [4], [1, 2], False, False)
    assert (quick.build_configs, quick.build_workers) == (["rhythm"], [1])
    full = scaling.parse_args([])
    assert (full.jobs, full.build_configs, full.build_workers, full.local) == (["build", "stream"], ["beats"], [1, 2], True)
    assert scaling.beam_options(2) == "runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"
    with pytest.raises(SystemExit):
        scaling.parse_args(["--jobs", "stream,train"])


def test_build_rows_are_checked_against_the_published_and_the_local_checksum(benchmark_module):
    scaling = benchmark_module("scaling")
    Row = scaling.Row
    published = scaling.published_checksum("rhythm")
    assert published is not None and len(published) == 64
    assert scaling.published_checksum("svdb/beats") == scaling.published_checksum("svdb/beats", None)
    assert scaling.published_checksum("nosuchdb/beats") is None
    rows = scaling._with_checksum_checks([
        Row("build mitdb/rhythm", 48, "local", 0, 8.0, 8.0, 900.0, 8.0, checksum=published),
        Row("build mitdb/rhythm", 48, "beam, 1 worker", 1, 40.0, 30.0, 400.0, 30.0, checksum=published),
        Row("build mitdb/rhythm", 48, "beam, 2 workers", 2, 90.0, 40.0, 400.0, 30.0, checksum="0" * 64),
        Row("stream mitdb (first 4)", 4, "beam, 1 worker", 1, 10.0, 9.0, 270.0, 9.0),
    ])  # fmt: skip
    assert [(r.equals_published, r.equals_local) for r in rows] == [(True, True), (True, True), (False, False), (None, None)]
