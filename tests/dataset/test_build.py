"""Building mitdb configs from dummy data: determinism, splits, failures that leave nothing loadable."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")

from ecgbench.errors import CorruptDataError, DataNotFoundError  # noqa: E402
from ecgbench.records.dataset import build_config, split_class_counts  # noqa: E402
from ecgbench.records.physionet import dataset_checksum  # noqa: E402


def _examples(data_dir, config, split, keys):
    ds = tfds.load(f"mitdb/{config}", split=split, data_dir=str(data_dir), download=False)
    return [tuple(ex[k].decode() if isinstance(ex[k], bytes) else int(ex[k]) for k in keys) for ex in tfds.as_numpy(ds)]


def test_beats_build_is_deterministic_and_loadable(dummy_builder, dummy_source, tmp_path):
    builder, reused = build_config("beats", tmp_path / "a", dummy_source)
    assert not reused
    again, reused = build_config("beats", tmp_path / "a", dummy_source)
    assert reused
    build_config("beats", tmp_path / "b", dummy_source)
    assert dataset_checksum(tmp_path / "a", "beats") == dataset_checksum(tmp_path / "b", "beats")

    counts = split_class_counts(builder)
    assert counts == split_class_counts(again, read_back=True)
    assert counts["ds1"] == {"N": 65, "S": 6, "V": 8, "F": 4, "Q": 4, "total": 87}
    assert counts["intra_train"]["total"] + counts["intra_test"]["total"] == 150

    ds = tfds.load("mitdb/beats", split="ds1", data_dir=str(tmp_path / "a"), download=False)
    example = next(iter(tfds.as_numpy(ds)))
    assert example["signal"].shape == (288, 2) and example["signal"].dtype == np.float32
    assert example["record"] == b"d01" and example["rr_pre"] > 0 and example["label"] in range(5)

    train = {r for r, in _examples(tmp_path / "a", "beats", "ds1_train", ["record"])}
    val = {r for r, in _examples(tmp_path / "a", "beats", "ds1_val", ["record"])}
    assert train == {"d01", "d02"} and val == {"d03"}
    intra_train = set(_examples(tmp_path / "a", "beats", "intra_train", ["record", "sample"]))
    intra_test = set(_examples(tmp_path / "a", "beats", "intra_test", ["record", "sample"]))
    assert len(intra_train) == 119 and len(intra_test) == 31 and not intra_train & intra_test


def test_rhythm_build_splits_are_record_disjoint(dummy_builder, dummy_source, tmp_path):
    builder, _ = build_config("rhythm", tmp_path, dummy_source)
    counts = split_class_counts(builder, read_back=True)
    assert counts["test"]["VT"] == 2 and counts["train"]["AFIB"] == 2 and counts["train"]["P"] == 4
    records = {s: {r for r, in _examples(tmp_path, "rhythm", s, ["record"])} for s in ("train", "val", "test")}
    assert records == {"train": {"d01", "d02", "d06"}, "val": {"d03"}, "test": {"d04", "d05"}}
    ds = tfds.load("mitdb/rhythm", split="val", data_dir=str(tmp_path), download=False)
    assert ds.element_spec["signal"].shape == (3600, 2)


def _assert_nothing_built(data_dir, config):
    with pytest.raises(DataNotFoundError):
        dataset_checksum(data_dir, config)
    with pytest.raises(Exception):  # noqa: B017 - TFDS raises its own "not found / not prepared" errors
        tfds.load(f"mitdb/{config}", split="ds1", data_dir=str(data_dir), download=False)


def test_truncated_dat_fails_naming_the_file_and_builds_nothing(dummy_builder, dummy_source, tmp_path):
    dat = dummy_source / "d02.dat"
    dat.write_bytes(dat.read_bytes()[:-300])
    with pytest.raises(CorruptDataError, match="d02.dat"):
        build_config("beats", tmp_path, dummy_source)
    _assert_nothing_built(tmp_path, "beats")


def test_checksum_mismatch_fails_naming_the_file(dummy_builder, dummy_source, tmp_path):
    atr = dummy_source / "d04.atr"
    data = atr.read_bytes()
    atr.write_bytes(data[:10] + bytes([data[10] ^ 0xFF]) + data[11:])
    with pytest.raises(CorruptDataError, match=r"SHA-256 mismatch .*d04\.atr"):
        build_config("beats", tmp_path, dummy_source)
    _assert_nothing_built(tmp_path, "beats")


def test_failure_while_writing_leaves_no_complete_dataset(dummy_builder, dummy_source, tmp_path):
    from ecgbench.datasets import record_examples

    real = record_examples.beat_examples
    written = iter(range(40))

    def fail_midway(table):
        for item in real(table):
            if next(written, None) is None:
                raise RuntimeError("simulated crash while writing")
            yield item

    with mock.patch.object(record_examples, "beat_examples", fail_midway), pytest.raises(RuntimeError, match="simulated"):
        build_config("beats", tmp_path, dummy_source)
    _assert_nothing_built(tmp_path, "beats")
    builder, reused = build_config("beats", tmp_path, dummy_source)  # a later build starts clean
    assert not reused and split_class_counts(builder)["ds1"]["total"] == 87


def test_missing_manual_dir_says_what_to_pass_and_builds_nothing(dummy_builder, tmp_path):
    with pytest.raises(DataNotFoundError, match="100.hea"):
        build_config("beats", tmp_path / "out", tmp_path / "missing")
    assert not (tmp_path / "out").exists()


def test_unknown_config_lists_the_valid_ones(tmp_path):
    from ecgbench.errors import ConfigError

    with pytest.raises(ConfigError, match="beats, rhythm, rhythm_4s, rhythm_30s, all"):
        build_config("rhythm_1s", tmp_path, None)
