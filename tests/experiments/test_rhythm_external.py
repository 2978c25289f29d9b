"""experiments/rhythm_external.py: LUDB record → rhythm window (length, rate, lead order, units) and AF scoring."""

from __future__ import annotations

import importlib

from pathlib import Path

import numpy as np
import pytest
import wfdb

from ecgbench.errors import CorruptDataError
from ecgbench.records import RHYTHM_CLASSES
from ecgbench.records.synthetic import synthetic_ecg

LUDB_FS = 500.0


@pytest.fixture(scope="module")
def external():
    return importlib.import_module("experiments.rr_af.rhythm_external")


def write_ludb_like(folder: Path, name: str, duration: float = 10.0, units: str = "mV", offset_mv: float = 0.3) -> np.ndarray:
    """Write an LUDB-shaped record (500 Hz, format 16, leads i, ii, v1); return its ``[n, 3]`` signal (mV).

    Lead ii is a synthetic ECG plus a baseline offset, v1 is -0.5 × that ECG, i is a quarter of it.
    """
    ecg = synthetic_ecg(fs=LUDB_FS, duration=duration, heart_rate=75.0, n_leads=1, noise_mv=0.0, seed=3).signal[:, 0]
    signal = np.stack([0.25 * ecg, ecg + offset_mv, -0.5 * ecg], axis=1).astype(np.float64)
    gain = 1000.0 if units == "mV" else 1.0
    wfdb.wrsamp(
        name, fs=LUDB_FS, units=[units] * 3, sig_name=["i", "ii", "v1"], d_signal=np.round(signal * gain).astype(np.int32),
        fmt=["16"] * 3, adc_gain=[gain] * 3, baseline=[0] * 3, write_dir=str(folder),
    )  # fmt: skip
    return signal


def test_resampling_ratio_is_exact_and_refuses_bad_rates():
    from ecgbench.errors import ConfigError
    from ecgbench.signal.resample import resampling_ratio

    assert resampling_ratio(500, 360) == (18, 25)
    assert resampling_ratio(360, 360) == (1, 1)
    assert resampling_ratio(360, 250) == (25, 36)
    with pytest.raises(ConfigError, match="positive sampling rates"):
        resampling_ratio(0, 360)


def test_ludb_window_length_rate_leads_units(external, tmp_path):
    source = write_ludb_like(tmp_path, "7")
    window = external.ludb_window("7", tmp_path)
    assert window.shape == (3600, 2) and window.dtype == np.float32  # 10 s at 360 Hz, two model leads
    # Lead order: column 0 is lead ii (offset ECG), column 1 is v1 (-0.5 × ECG), not lead i.
    assert window[:, 0].max() == pytest.approx(source[:, 1].max(), abs=0.05)
    assert np.median(window[:, 0]) == pytest.approx(0.3, abs=0.02)
    assert window[:, 1].min() == pytest.approx(source[:, 2].min(), abs=0.05)
    assert np.corrcoef(window[:, 0], window[:, 1])[0, 1] < -0.99
    # Rate: R peaks land at the same times (s) after resampling.
    peak_500 = int(np.argmax(source[:, 1])) / LUDB_FS
    peak_360 = int(np.argmax(window[:, 0])) / 360.0
    assert abs(peak_500 - peak_360) < 2 / 360.0


def test_baseline_offset_makes_no_edge_step(external, tmp_path):
    """A constant offset stays constant at both ends (no zero-padding transient that could look like a beat)."""
    write_ludb_like(tmp_path, "8", offset_mv=1.5)
    window = external.ludb_window("8", tmp_path)
    # The synthetic ECG is flat (0 mV) in its first and last 0.1 s, so lead ii there is the offset.
    assert np.abs(window[:36, 0] - 1.5).max() < 0.01
    assert np.abs(window[-10:, 0] - 1.5).max() < 0.01


def test_ludb_window_refuses_other_units_lengths_and_missing_leads(external, tmp_path):
    write_ludb_like(tmp_path, "9", units="uV")
    with pytest.raises(CorruptDataError, match="expected 'mV'"):
        external.ludb_window("9", tmp_path)
    write_ludb_like(tmp_path, "10", duration=8.0)
    with pytest.raises(CorruptDataError, match="neither padded nor cut"):
        external.ludb_window("10", tmp_path)
    write_ludb_like(tmp_path, "11")
    with pytest.raises(CorruptDataError, match="no lead 'v5'"):
        external.ludb_window("11", tmp_path, leads=("ii", "v5"))


def test_clopper_pearson_golden(external):
    # All 9 positive: the exact lower bound is 0.025 ** (1/9).
    figure = external.proportion(9, 9)
    assert figure["value"] == 100.0 and figure["ci_high"] == pytest.approx(100.0)
    assert figure["ci_low"] == pytest.approx(100.0 * 0.025 ** (1 / 9), abs=1e-6)
    assert external.proportion(0, 0)["value"] is None


def test_score_ludb_counts_flutter_as_not_af(external):
    label = external.LudbLabel
    labels = {"1": label("Atrial fibrillation", ""), "2": label("Atrial flutter, typical", ""),
              "3": label("Sinus rhythm", "Ventricular extrasystole"), "4": label("Atrial fibrillation", "")}  # fmt: skip
    af, n = RHYTHM_CLASSES.index("AFIB"), RHYTHM_CLASSES.index("N")
    probabilities = np.zeros((4, len(RHYTHM_CLASSES)))
    probabilities[[0, 1], af] = 0.9  # 1 true AF, 2 flutter called AF
    probabilities[[2, 3], n] = 0.8  # 3 sinus right, 4 AF missed
    result = external.score_ludb(probabilities, ["1", "2", "3", "4"], labels)
    assert (result["af"]["tp"], result["af"]["fp"], result["af"]["fn"], result["af"]["tn"]) == (1, 1, 1, 1)
    assert [row["record"] for row in result["misclassified"]] == ["2", "4"]
    assert result["predicted"]["AFIB"] == 2 and result["predicted_by_rhythm"]["Atrial fibrillation"] == {"AFIB": 1, "N": 1}


@pytest.mark.slow
def test_real_ludb_record_and_labels(external, ludb_dir):
    labels = external.read_ludb_labels(ludb_dir / "ludb.csv")
    records = external.ludb_records(ludb_dir, labels)
    assert len(records) == 100 and sum(labels[r].is_af for r in records) == 9
    window = external.ludb_window(records[0], ludb_dir / "data")
    assert window.shape == (3600, 2) and np.isfinite(window).all()
    assert 0.2 < np.ptp(window[:, 0]) < 10.0  # mV, not µV or adu
