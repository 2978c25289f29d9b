"""Fixtures for the dataset tests: the mitdb builder pointed at dummy_data/ copied to a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import pytest

from ecgbench.paths import dataset_folder

DUMMY_DIR = dataset_folder("mitdb") / "dummy_data"
DUMMY_SPLITS = {
    "BEAT_SPLITS": {"ds1": ("d01", "d02", "d03"), "ds2": ("d04", "d05"), "ds1_train": ("d01", "d02"), "ds1_val": ("d03",)},
    "INTRA_RECORDS": ("d01", "d02", "d03", "d04", "d05"),
    "RHYTHM_SPLITS": {"train": ("d01", "d02", "d06"), "val": ("d03",), "test": ("d04", "d05")},
    "CHECKSUMS": DUMMY_DIR / "checksums.tsv",
}


@pytest.fixture()
def dummy_builder():
    """The real ``mitdb`` builder class with the dummy records as its splits (restored afterwards)."""
    pytest.importorskip("tensorflow_datasets")
    from ecgbench.records.dataset import builder_class

    builder = builder_class()
    with mock.patch.multiple(builder, **DUMMY_SPLITS):
        yield builder


@pytest.fixture()
def dummy_source(tmp_path) -> Path:
    """A private copy of dummy_data/ that a test may corrupt."""
    return Path(shutil.copytree(DUMMY_DIR, tmp_path / "source"))
