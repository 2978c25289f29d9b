"""``ecgbench delineate``: writes LUDB-style wave annotations and scores them against a reference."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records import read_annotations, write_annotations
from ecgbench.records.ludb import Waves, waves_to_annotations
from ecgbench.records.synthetic import synthetic_ecg, write_synthetic_record

runner = CliRunner()


def _record(tmp_path):
    ecg = synthetic_ecg(fs=360.0, duration=12.0, heart_rate=70.0, rr_jitter=0.0, noise_mv=0.005, seed=2)
    write_synthetic_record(tmp_path, "d1", ecg=ecg)
    r = ecg.r_peaks
    ms = lambda s: int(round(s * 360.0))  # noqa: E731
    reference = {  # known wave peaks of the synthetic beats; boundaries ~2.4 σ from the peak
        "p": Waves(r - ms(0.26), r - ms(0.20), r - ms(0.15)),
        "qrs": Waves(r - ms(0.045), r, r + ms(0.05)),
        "t": Waves(r + ms(0.18), r + ms(0.30), r + ms(0.41)),
    }
    sample, symbol = waves_to_annotations(reference)
    write_annotations("d1", "MLII", sample, symbol, 360.0, tmp_path)
    return ecg


def test_delineate_writes_waves_and_scores_json(tmp_path):
    ecg = _record(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["delineate", "d1", "--record-dir", str(tmp_path), "--lead", "MLII",
                                 "--out-dir", str(out), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n_beats"] == ecg.r_peaks.size
    waves = payload["score"]["waves"]
    assert waves["qrs"]["se"] == 1.0 and waves["p"]["se"] == 1.0 and waves["t"]["ppv"] == 1.0
    assert abs(payload["score"]["fiducials"]["t_peak"]["mean_ms"]) < 5
    ann = read_annotations("d1", out, "dln")
    assert set(ann.symbol.tolist()) == {"(", ")", "p", "N", "t"}
    np.testing.assert_array_equal(ann.sample[ann.symbol == "N"], ecg.r_peaks)


def test_delineate_table_uses_beat_annotations(tmp_path):
    _record(tmp_path)
    result = runner.invoke(app, ["delineate", "d1", "--record-dir", str(tmp_path), "--lead", "MLII", "--out-dir",
                                 str(tmp_path), "--beats-ann", "atr"], env={"COLUMNS": "120", "NO_COLOR": "1"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "qrs_on" in result.stdout and "wave detection" in result.stdout


def test_delineate_errors_name_the_fix(tmp_path):
    _record(tmp_path)
    result = runner.invoke(app, ["delineate", "d1", "--record-dir", str(tmp_path), "--lead", "ii"])
    assert result.exit_code == 2
    assert "--lead one of: MLII, V5" in result.output
    result = runner.invoke(app, ["delineate", "d1", "--record-dir", str(tmp_path), "--lead", "V5",
                                 "--out-dir", str(tmp_path), "--ref-ann", "nope"])  # fmt: skip
    assert result.exit_code == 2
    assert "d1.nope not found" in result.output
