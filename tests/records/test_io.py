"""Reading WFDB records and annotations: units, lengths, errors that name the file."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import CorruptDataError, DataNotFoundError
from ecgbench.records import read_annotations, read_record, write_annotations
from ecgbench.records.synthetic import synthetic_ecg, write_synthetic_record


def test_synthetic_record_round_trips_in_millivolts(tmp_path):
    ecg = write_synthetic_record(tmp_path, "r1", duration=20.0, seed=3)
    rec = read_record("r1", tmp_path)
    assert rec.fs == 360.0
    assert rec.lead_names == ("MLII", "V5")
    assert rec.signal.dtype == np.float32
    assert rec.signal.shape == ecg.signal.shape
    # 212 format stores 1/200 mV steps: the round trip is within half a step.
    assert np.max(np.abs(rec.signal - ecg.signal)) <= 0.5 / 200 + 1e-6
    ann = read_annotations("r1", tmp_path)
    beats = ann.symbol != "+"
    np.testing.assert_array_equal(ann.sample[beats], ecg.r_peaks)
    assert ann.aux_note[0] == "(N"


def test_missing_header_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"nope\.hea.*--data-dir"):
        read_record("nope", tmp_path)


def test_truncated_dat_is_refused_with_the_file_name(tmp_path):
    write_synthetic_record(tmp_path, "r2", duration=10.0)
    dat = tmp_path / "r2.dat"
    dat.write_bytes(dat.read_bytes()[:-300])
    with pytest.raises(CorruptDataError, match=r"r2\.dat is truncated"):
        read_record("r2", tmp_path)


def test_missing_annotation_file(tmp_path):
    write_synthetic_record(tmp_path, "r3", duration=5.0)
    with pytest.raises(DataNotFoundError, match=r"r3\.xyz"):
        read_annotations("r3", tmp_path, "xyz")


def test_write_annotations_round_trip_and_empty(tmp_path):
    write_annotations("r4", "qrs", np.array([10, 400, 800]), ["N", "V", "N"], 360.0, tmp_path)
    ann = read_annotations("r4", tmp_path, "qrs")
    np.testing.assert_array_equal(ann.sample, [10, 400, 800])
    assert list(ann.symbol) == ["N", "V", "N"]
    assert ann.fs == 360.0
    write_annotations("r5", "qrs", np.array([], dtype=np.int64), [], 360.0, tmp_path)
    assert len(read_annotations("r5", tmp_path, "qrs")) == 0


def test_synthetic_premature_beats_come_early():
    ecg = synthetic_ecg(duration=30.0, symbols="NNNV", rr_jitter=0.0, seed=0)
    rr = np.diff(ecg.r_peaks)
    before_v = rr[np.flatnonzero(ecg.symbols[1:] == "V")]
    assert np.all(before_v < 0.8 * np.median(rr))


@pytest.mark.slow
def test_real_mitdb_record_100(mitdb_dir):
    rec = read_record("100", mitdb_dir)
    assert rec.n_samples == 650000 and rec.fs == 360.0
    assert rec.lead_names == ("MLII", "V5") and rec.units == ("mV", "mV")
    ann = read_annotations("100", mitdb_dir)
    assert ann.fs == 360.0
    assert ann.aux_note[0] == "(N"  # trailing NUL stripped
