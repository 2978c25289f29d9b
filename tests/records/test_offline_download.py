"""Downloads fail fast offline with one message and leave nothing behind; a bad --manual-dir is refused by name."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from ecgbench.errors import DataNotFoundError
from ecgbench.hashing import sha256_file
from ecgbench.records.physionet import SourceFile, download_records, record_files, require_record_files
from ecgbench.records.synthetic import write_synthetic_record


@pytest.fixture()
def table(tmp_path):
    """A checksum table of two synthetic records at an unreachable URL."""
    folder = tmp_path / "src"
    for name in ("s1", "s2"):
        write_synthetic_record(folder, name, duration=5.0, seed=0)
    return {n: SourceFile(n, f"https://unreachable.invalid/mitdb/{n}", (folder / n).stat().st_size, sha256_file(folder / n))
            for n in record_files(["s1", "s2"])}  # fmt: skip


def test_offline_download_fails_once_with_one_message(table, tmp_path, monkeypatch):
    calls = []

    def offline(url, timeout=None):
        calls.append((url, timeout))
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    target = tmp_path / "data" / "mitdb"
    with pytest.raises(DataNotFoundError, match="PhysioNet is unreachable.*--manual-dir"):
        download_records(target, ["s1", "s2"], table)
    assert len(calls) == 1 and calls[0][1] is not None  # no retries, and a timeout
    assert not target.exists()  # the folder it made is gone: no empty or partial leftovers


def test_interrupted_download_leaves_no_partial_file(table, tmp_path, monkeypatch):
    class Broken:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, *args):
            raise KeyboardInterrupt

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: Broken())
    target = tmp_path / "mitdb"
    target.mkdir()
    (target / "keep.txt").write_text("user file")
    with pytest.raises(KeyboardInterrupt):
        download_records(target, ["s1"], table)
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]  # no .part, no *.tmp.*, folder kept


def test_empty_manual_dir_is_refused_naming_what_it_lacks(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"--manual-dir .* is empty: it lacks all 6 MIT-BIH Arrhythmia Database files \(s1.hea, s1.dat"):
        require_record_files(tmp_path, ["s1", "s2"])


def test_non_wfdb_and_other_wfdb_folders_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataNotFoundError, match="holds no WFDB records"):
        require_record_files(tmp_path, ["s1"])
    write_synthetic_record(tmp_path, "other", duration=2.0, seed=0)
    with pytest.raises(DataNotFoundError, match=r"holds other WFDB records \(other.hea"):
        require_record_files(tmp_path, ["s1"])


def test_incomplete_manual_dir_names_the_missing_files(tmp_path):
    write_synthetic_record(tmp_path, "s1", duration=2.0, seed=0)
    write_synthetic_record(tmp_path, "s2", duration=2.0, seed=0)
    (tmp_path / "s2.atr").unlink()
    with pytest.raises(DataNotFoundError, match="lacks 1 of the 6 MIT-BIH Arrhythmia Database files: s2.atr"):
        require_record_files(tmp_path, ["s1", "s2"])
    require_record_files(tmp_path, ["s1"])  # complete for what is asked: accepted


def test_cli_refuses_an_empty_manual_dir_without_downloading(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    def no_network(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["build-dataset", "--config", "beats", "--manual-dir", str(empty), "--output-dir", str(tmp_path / "tfds")],
                                env={"COLUMNS": "300"})  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "is empty" in result.output and "100.hea" in result.output
    assert not list(tmp_path.rglob("*.tmp.*")) and not list(tmp_path.rglob("*.part"))
