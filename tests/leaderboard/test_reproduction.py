"""``ecgbench verify`` says what differs from the recorded run and whether the figures stay in their intervals."""

from __future__ import annotations

import copy
import json
import shutil

from typer.testing import CliRunner

from ecgbench.leaderboard.reproduction import environment_differences, interval_verdict
from ecgbench.leaderboard.store import load_run
from ecgbench.runner.verify import verify_run

RECORD = {
    "dataset": {"checksum": "aaa"},
    "provenance": {
        "git_sha": "1" * 40,
        "packages": {"tensorflow": "2.21.0", "numpy": "2.1.0"},
        "hardware": {"processor": "Intel(R) Xeon(R) Processor", "logical_cores": 2, "isa_flags": ["avx", "avx2", "avx512f", "fma"]},
        "numerics": {"env": {"ONEDNN_MAX_CPU_ISA": "AVX2", "TF_ENABLE_ONEDNN_OPTS": None}, "op_determinism": True,
                     "intra_op_threads": 0, "inter_op_threads": 0},
    },
}


def test_identical_environments_have_no_differences():
    assert environment_differences(RECORD, copy.deepcopy(RECORD)) == []


def test_each_kind_of_difference_is_named():
    rerun = copy.deepcopy(RECORD)
    prov = rerun["provenance"]
    prov["hardware"].update(processor="AMD EPYC", isa_flags=["avx", "avx2", "fma"])
    prov["numerics"]["env"]["ONEDNN_MAX_CPU_ISA"] = None
    prov["numerics"]["op_determinism"] = False
    prov["packages"]["numpy"] = "2.2.0"
    prov["git_sha"] = "2" * 40
    rerun["dataset"]["checksum"] = "bbb"
    lines = environment_differences(RECORD, rerun)
    assert "CPU model: recorded Intel(R) Xeon(R) Processor, now AMD EPYC" in lines
    assert "CPU instruction sets differ: only the recorded CPU has avx512f" in lines
    assert "ONEDNN_MAX_CPU_ISA: recorded AVX2, now unset" in lines
    assert "TensorFlow op determinism: recorded True, now False" in lines
    assert "package numpy: recorded 2.1.0, now 2.2.0" in lines
    assert any(line.startswith("dataset checksum: recorded aaa, now bbb") for line in lines)
    assert any(line.startswith("code version (git)") for line in lines)


def test_a_record_from_before_isa_flags_says_they_were_not_recorded():
    old = copy.deepcopy(RECORD)
    del old["provenance"]["hardware"]["isa_flags"]
    del old["provenance"]["numerics"]
    lines = environment_differences(old, RECORD)
    assert "CPU instruction sets were not recorded (the record predates them); this CPU has avx avx2 avx512f fma" in lines
    assert any("numerics settings (oneDNN ISA cap, threads) were not recorded" in line for line in lines)


def test_interval_verdict_within_outside_and_unchecked():
    recorded = {
        "a": {"value": 90.0, "ci_low": 85.0, "ci_high": 95.0},
        "b": {"value": 50.0, "ci_low": 40.0, "ci_high": 60.0},
        "c": {"value": None, "ci_low": None, "ci_high": None},
    }
    verdict = interval_verdict(recorded, {"a": {"value": 95.0}, "b": {"value": 61.5}, "c": {"value": None}})
    assert verdict.within == ("a",) and verdict.unchecked == ("c",)
    assert verdict.outside == (("b", 61.5, 40.0, 60.0),) and not verdict.all_within
    assert verdict.summary().startswith("outside the interval: 1 of 2")
    assert interval_verdict(recorded, {"a": {"value": 85.0}, "b": {"value": 40.0}}).summary().startswith("within the interval: all 2")


def test_cli_verify_names_the_differences_and_the_interval_verdict(mitdb_like_track, prior_run, tmp_path, monkeypatch):
    import ecgbench.runner.verify as verify_module
    from ecgbench.cli import app

    record_path = tmp_path / "beats-interpatient" / prior_run.record_path.name
    record_path.parent.mkdir()
    shutil.copy(prior_run.predictions_path, record_path.with_suffix(".npz"))
    record = json.loads(prior_run.record_path.read_text())
    record["provenance"]["hardware"]["isa_flags"] = [*record["provenance"]["hardware"]["isa_flags"], "avx10_fake"]
    record["provenance"]["packages"]["numpy"] = "0.0.1"
    metric = record["metrics"]["gross.accuracy"]
    metric["value"] = metric["ci_high"] = metric["ci_low"] = -1.0  # the re-run lands outside this interval
    record_path.write_text(json.dumps(record))
    monkeypatch.setattr(verify_module, "verify_run", lambda entry, tfds_dir=None: verify_run(entry, data=mitdb_like_track))
    result = CliRunner().invoke(app, ["verify", str(record_path), "--results-dir", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "only the recorded CPU has avx10_fake" in result.output
    assert "package numpy: recorded 0.0.1, now" in result.output
    assert "second verdict, outside the interval: 1 of" in result.output and "gross.accuracy" in result.output
    report = verify_run(load_run(record_path), data=mitdb_like_track)
    assert report.to_dict()["interval"]["outside"][0]["metric"] == "gross.accuracy"
