"""``ecgbench score`` warns about records within the learning period and refuses a 0-byte annotation file by name."""

import numpy as np
import pytest
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.errors import CorruptDataError
from ecgbench.records import read_annotations, write_annotations


@pytest.fixture()
def folders(tmp_path):
    ref, test = tmp_path / "ref", tmp_path / "test"
    s = np.arange(1, 40) * 360  # 39 beats, 40 s: far shorter than bxb's 300-s learning period
    for record in ("100", "101"):
        write_annotations(record, "atr", s, ["N"] * 39, 360.0, ref)
        write_annotations(record, "qrs", s + 10, ["N"] * 39, 360.0, test)
    return ref, test


def _run(*args):
    return CliRunner().invoke(app, ["score", *args], terminal_width=200, color=False)


def test_records_shorter_than_the_learning_period_are_named_in_a_warning(folders):
    ref, test = folders
    res = _run("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs")
    assert res.exit_code == 0, res.output
    assert "warning: every record is no longer than the 300-s learning period" in res.output
    assert "100 (39 s), 101 (39 s)" in res.output and "--learning-period 0" in res.output
    quiet = _run("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs", "--learning-period", "0")
    assert quiet.exit_code == 0 and "warning" not in quiet.output


def test_a_zero_byte_test_annotation_file_is_an_error_naming_it(folders):
    ref, test = folders
    (test / "101.qrs").write_bytes(b"")
    with pytest.raises(CorruptDataError, match=r"101\.qrs is empty \(0 bytes\)"):
        read_annotations("101", test, "qrs")
    res = _run("--ref-dir", str(ref), "--test-dir", str(test), "--test-ann", "qrs", "--learning-period", "0")
    assert res.exit_code == 2 and "101.qrs is empty (0 bytes)" in res.output and "Traceback" not in res.output
