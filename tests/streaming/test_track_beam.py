"""The streaming track on Beam (DirectRunner) gives the in-process track's figures, and fails cleanly."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.records.synthetic import write_synthetic_record
from ecgbench.streaming.classifier import classifier_factory
from ecgbench.streaming.runrecord import stream_prediction_arrays
from ecgbench.streaming.track import run_track

#: Metrics that time this machine's compute, not the stream (they differ between any two runs).
TIMING = ("latency.chunk_compute_p50_s", "latency.chunk_compute_p99_s", "throughput_x_realtime")
RECORDS = ["100", "105", "119", "200"]
TWO_WORKERS = "runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"

cli = CliRunner()


@pytest.fixture(scope="module")
def records_dir(tmp_path_factory):
    """Four short synthetic records under MIT-BIH names (normal, ectopic, a ventricular run, an AF episode)."""
    root = tmp_path_factory.mktemp("data")
    folder = root / "mitdb"
    write_synthetic_record(folder, "100", duration=40.0, seed=1)
    write_synthetic_record(folder, "105", duration=40.0, symbols="NNNNVNNSNN", heart_rate=80, seed=2)
    write_synthetic_record(folder, "119", duration=40.0, symbols="NNNNNNVVVVVNNN", heart_rate=90, seed=3)
    write_synthetic_record(folder, "200", duration=40.0, rr_jitter=0.2, seed=4, rhythm_changes=[(0, "N"), (3600, "AFIB")])
    return folder


def _figures(result) -> dict:
    metrics = {k: v for k, v in result.metrics().items() if k not in TIMING}
    arrays = stream_prediction_arrays(result)
    return {
        "metrics": {k: "nan" if math.isnan(v) else v for k, v in metrics.items()},
        "delays": result.delays,
        "vt_alarms": result.vt_alarms,
        "vt_suppressed": result.vt_suppressed,
        "ec57": json.dumps([result.ec57.gross, result.ec57.average, result.ec57.per_record, result.ec57.confusion.tolist()],
                           sort_keys=True, default=str),  # NaN-safe: json writes NaN as NaN on both sides
        "predictions": {k: v.tolist() for k, v in arrays.items()},
    }


@pytest.fixture(scope="module")
def local_figures(records_dir):
    result = run_track(RECORDS, records_dir, classifier_factory("rules"))
    assert result.metrics()["qrs.se"] > 90  # the chain worked on these records (a real comparison below)
    assert len(stream_prediction_arrays(result)["record"]) > 100
    return _figures(result)


def test_directrunner_one_worker_gives_the_local_figures(records_dir, local_figures):
    result = run_track(RECORDS, records_dir, classifier_factory("rules"), runner="beam")
    assert _figures(result) == local_figures
    assert [s.record for s in result.streams] == RECORDS


def test_directrunner_two_worker_processes_give_the_local_figures(records_dir, local_figures):
    result = run_track(RECORDS, records_dir, classifier_factory("rules"), runner="beam", beam_options=TWO_WORKERS)
    assert _figures(result) == local_figures


def _run_stream(*args: str):
    from ecgbench.cli import app

    return cli.invoke(app, ["run", "stream", "--model", "rules", "--records", ",".join(RECORDS), "--no-save", "--json", *args])


def test_cli_runner_beam_prints_the_local_figures(records_dir):
    local = _run_stream("--data-dir", str(records_dir.parent))
    beam = _run_stream("--data-dir", str(records_dir.parent), "--runner", "beam", "--beam-options", "runner=DirectRunner")
    assert local.exit_code == 0 and beam.exit_code == 0, beam.output
    a, b = json.loads(local.stdout), json.loads(beam.stdout)
    for key in TIMING:
        del a["metrics"][key], b["metrics"][key]
    assert a == b


def test_a_failing_record_is_named_and_nothing_is_written(records_dir, tmp_path):
    broken = tmp_path / "data" / "mitdb"
    broken.mkdir(parents=True)
    for record in ("100", "105"):
        for suffix in (".hea", ".dat", ".atr"):
            (broken / f"{record}{suffix}").write_bytes((records_dir / f"{record}{suffix}").read_bytes())
    (broken / "105.dat").write_bytes(b"\0" * 10)  # truncated signal file
    results = tmp_path / "results"
    from ecgbench.cli import app

    out = cli.invoke(app, ["run", "stream", "--model", "rules", "--records", "100,105", "--data-dir", str(broken.parent),
                           "--results-dir", str(results), "--runner", "beam"])  # fmt: skip
    assert out.exit_code == 2, out.output
    assert "record 105" in out.output and "Traceback" not in out.output
    assert not results.exists() or not any(results.rglob("*.json"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runner", "spark"], "unknown runner 'spark'"),
        (["--beam-options", "direct_num_workers=2"], "--beam-options is only used with --runner beam"),
        (["--runner", "beam", "--beam-options", "direct_num_workers"], "'direct_num_workers' is not key=value"),
    ],
)
def test_bad_runner_options_are_refused_before_any_work(records_dir, args, message):
    out = _run_stream("--data-dir", str(records_dir.parent), *args)
    assert out.exit_code == 2 and message in out.output and "Traceback" not in out.output
