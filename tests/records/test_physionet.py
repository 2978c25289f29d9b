"""Checksum table, folder verification, verified download (file:// URLs), checksums of data."""

from __future__ import annotations

import shutil

import pytest

from ecgbench.errors import CorruptDataError, DataNotFoundError
from ecgbench.records import MITDB_RECORDS
from ecgbench.hashing import sha256_file
from ecgbench.records.physionet import (
    SourceFile,
    dataset_checksum,
    download_records,
    read_checksums,
    record_files,
    source_checksum,
    verify_folder,
)
from ecgbench.records.synthetic import write_synthetic_record


@pytest.fixture()
def source(tmp_path):
    """A folder with one synthetic record and a checksum table for it."""
    folder = tmp_path / "src"
    write_synthetic_record(folder, "s1", duration=10.0, seed=0)
    table = {
        name: SourceFile(name, (folder / name).as_uri(), (folder / name).stat().st_size, sha256_file(folder / name))
        for name in record_files(["s1"])
    }
    return folder, table


def test_repo_table_lists_every_mitdb_file():
    table = read_checksums()
    assert len(table) == 144 and set(record_files(MITDB_RECORDS)) == set(table)
    assert table["100.dat"].size == 1950000 and table["100.dat"].url == "https://physionet.org/files/mitdb/1.0.0/100.dat"


def test_verify_accepts_good_files(source):
    folder, table = source
    assert set(verify_folder(folder, ["s1"], table)) == {"s1.hea", "s1.dat", "s1.atr"}


def test_verify_names_a_truncated_or_altered_file(source):
    folder, table = source
    data = (folder / "s1.dat").read_bytes()
    (folder / "s1.dat").write_bytes(data[:-30])
    with pytest.raises(CorruptDataError, match="s1.dat"):
        verify_folder(folder, ["s1"], table)
    (folder / "s1.dat").write_bytes(bytes([data[0] ^ 1]) + data[1:])
    with pytest.raises(CorruptDataError, match=r"SHA-256 mismatch for .*s1\.dat"):
        verify_folder(folder, ["s1"], table)


def test_verify_says_where_missing_files_go(source, tmp_path):
    folder, table = source
    with pytest.raises(DataNotFoundError, match="--manual-dir"):
        verify_folder(tmp_path / "nowhere", ["s1"], table)
    (folder / "s1.atr").unlink()
    with pytest.raises(DataNotFoundError, match="s1.atr"):
        verify_folder(folder, ["s1"], table)


def test_download_verifies_and_leaves_no_bad_file(source, tmp_path):
    _, table = source
    out = download_records(tmp_path / "dl", ["s1"], table)
    verify_folder(out, ["s1"], table)
    bad = dict(table)
    bad["s1.hea"] = SourceFile("s1.hea", table["s1.hea"].url, table["s1.hea"].size, "0" * 64)
    with pytest.raises(CorruptDataError, match="s1.hea"):
        download_records(tmp_path / "dl2", ["s1"], bad)
    assert not (tmp_path / "dl2" / "s1.hea").exists() and not list((tmp_path / "dl2").glob("*.part"))


def test_source_checksum_is_order_independent(source):
    _, table = source
    assert source_checksum(table) == source_checksum(dict(reversed(list(table.items()))))
    assert source_checksum(table) != source_checksum({k: v for k, v in table.items() if k != "s1.atr"})


def test_dataset_checksum_needs_a_complete_build(tmp_path):
    with pytest.raises(DataNotFoundError, match="build-dataset --config beats"):
        dataset_checksum(tmp_path, "beats")
    version = tmp_path / "mitdb" / "beats" / "1.0.0"
    version.mkdir(parents=True)
    (version / "dataset_info.json").write_text("{}")
    data_file = version / "mitdb-ds1.tfrecord-00000-of-00001"
    _write_examples(data_file, [{"record": b"100", "sample": 77}, {"record": b"101", "sample": 5}])
    first = dataset_checksum(tmp_path, "beats")
    (version / "features.json").write_text("{}")  # metadata is not part of the identity
    assert dataset_checksum(tmp_path, "beats") == first
    # The same examples with their features serialised in another map order: the same identity.
    _write_examples(data_file, [{"sample": 77, "record": b"100"}, {"sample": 5, "record": b"101"}], reverse=True)
    assert dataset_checksum(tmp_path, "beats") == first
    _write_examples(data_file, [{"record": b"100", "sample": 78}, {"record": b"101", "sample": 5}])
    assert dataset_checksum(tmp_path, "beats") != first
    data_file.write_bytes(b"not a tfrecord file")
    with pytest.raises(CorruptDataError, match="mitdb-ds1.tfrecord"):
        dataset_checksum(tmp_path, "beats")
    shutil.rmtree(version)


def _write_examples(path, examples, reverse=False):
    """Write tf.train.Examples; with ``reverse`` the feature map is built in reverse key order."""
    import tensorflow as tf

    with tf.io.TFRecordWriter(str(path)) as writer:
        for features in examples:
            items = sorted(features.items(), reverse=reverse)
            feature = {
                k: tf.train.Feature(bytes_list=tf.train.BytesList(value=[v]))
                if isinstance(v, bytes)
                else tf.train.Feature(int64_list=tf.train.Int64List(value=[v]))
                for k, v in items
            }
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())


@pytest.mark.slow
def test_real_folder_matches_physionet(mitdb_dir):
    assert len(verify_folder(mitdb_dir, MITDB_RECORDS)) == 144
