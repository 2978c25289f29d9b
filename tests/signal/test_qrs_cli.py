"""``ecgbench detect``: writes a WFDB annotation file of detected beats and scores it against ``atr``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records import read_annotations

runner = CliRunner()


def test_detect_writes_annotations_and_scores(synthetic_record: tuple[Path, str], tmp_path: Path) -> None:
    folder, name = synthetic_record
    out = tmp_path / "out"
    result = runner.invoke(app, ["detect", name, "--record-dir", str(folder), "--out-dir", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["score"]["se"] == 100.0 and payload["score"]["ppv"] == 100.0
    written = read_annotations(name, out, "qrs")
    assert len(written) == payload["n_beats"] > 50
    assert set(np.unique(written.symbol)) == {"N"}


def test_detect_table_output_and_lead_fallback(synthetic_record: tuple[Path, str], tmp_path: Path) -> None:
    folder, name = synthetic_record
    args = ["detect", name, "--record-dir", str(folder), "--out-dir", str(tmp_path), "--lead", "V1"]
    result = runner.invoke(app, args, terminal_width=120, color=False)
    assert result.exit_code == 0, result.output
    assert "Se 100.00%" in result.stdout and "+P 100.00%" in result.stdout
    assert "no lead 'V1'" in result.stderr


def test_detect_errors_exit_2(synthetic_record: tuple[Path, str], tmp_path: Path) -> None:
    folder, name = synthetic_record
    missing = runner.invoke(app, ["detect", "nope", "--record-dir", str(folder), "--out-dir", str(tmp_path)])
    assert missing.exit_code == 2 and "nope.hea not found" in missing.stderr
    clobber = runner.invoke(app, ["detect", name, "--record-dir", str(folder), "--out-ann", "atr"])
    assert clobber.exit_code == 2 and "overwrite the reference" in clobber.stderr


@pytest.mark.slow
def test_real_mitdb_records_streaming(mitdb_dir: Path) -> None:
    """Two DS1 records (one clean, one with frequent PVCs): streaming equals one-shot, Se/+P >= 99.5 %."""
    from ecgbench.evaluation import compare_record
    from ecgbench.records import read_record
    from ecgbench.signal import OnlineQRSDetector, detect_qrs

    for name in ("101", "119"):
        rec = read_record(name, mitdb_dir)
        ref = read_annotations(name, mitdb_dir)
        x = rec.signal[:, 0].astype(np.float64)
        det = OnlineQRSDetector(rec.fs)
        step = int(rec.fs)
        streamed = np.concatenate([det.process(x[i : i + step]) for i in range(0, x.size, step)] + [det.flush()])
        np.testing.assert_array_equal(streamed, detect_qrs(x, rec.fs))
        symbols = ["N"] * streamed.size
        cmp = compare_record(name, ref.sample, ref.symbol, streamed, symbols, rec.fs, ref_subtype=ref.subtype)
        assert cmp.sensitivity >= 99.5 and cmp.positive_predictivity >= 99.5, (name, cmp.fn, cmp.fp)
