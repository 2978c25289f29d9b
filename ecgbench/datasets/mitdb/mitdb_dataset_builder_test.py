"""TFDS builder test on dummy_data/ (six synthetic records, see make_dummy_data.py)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

# tfds.testing imports dill, which tensorflow-datasets does not install by itself.
pytest.importorskip("dill", reason="tfds.testing needs the `dill` package (add it to the dev extra)")

import tensorflow_datasets as tfds  # noqa: E402

from ecgbench.records.dataset import builder_class  # noqa: E402

DUMMY_DIR = Path(__file__).with_name("dummy_data")
#: The dummy records mapped onto the builder's splits (the real lists need the 48 MIT-BIH records).
DUMMY_SPLITS = {
    "BEAT_SPLITS": {"ds1": ("d01", "d02", "d03"), "ds2": ("d04", "d05"), "ds1_train": ("d01", "d02"), "ds1_val": ("d03",)},
    "INTRA_RECORDS": ("d01", "d02", "d03", "d04", "d05"),
    "RHYTHM_SPLITS": {"train": ("d01", "d02", "d06"), "val": ("d03",), "test": ("d04", "d05")},
    "CHECKSUMS": DUMMY_DIR / "checksums.tsv",
}
Builder = builder_class()


class _DummySplits:
    """Mixin: point the builder at the dummy records for the duration of the test class."""

    @classmethod
    def setUpClass(cls):
        cls._patcher = mock.patch.multiple(Builder, **DUMMY_SPLITS)
        cls._patcher.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._patcher.stop()


class MitdbBeatsTest(_DummySplits, tfds.testing.DatasetBuilderTestCase):
    """Beat windows: counts per split from the dummy annotations (29 + 29 + 29 + 34 + 29 beats)."""

    DATASET_CLASS = Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["beats"]
    SPLITS = {"ds1": 87, "ds2": 63, "ds1_train": 58, "ds1_val": 29, "intra_train": 119, "intra_test": 31}
    OVERLAPPING_SPLITS = ["ds1", "ds2", "ds1_train", "ds1_val", "intra_train", "intra_test"]
    MOCK_OUT_FORBIDDEN_OS_FUNCTIONS = False  # wfdb reads files with plain open()
    SKIP_CHECKSUMS = True  # the manual dir is verified against dummy_data/checksums.tsv instead


class MitdbRhythmTest(_DummySplits, tfds.testing.DatasetBuilderTestCase):
    """Rhythm windows: four 10-s windows (5-s stride) per 25-s record, none dropped."""

    DATASET_CLASS = Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["rhythm"]
    SPLITS = {"train": 12, "val": 4, "test": 8}
    MOCK_OUT_FORBIDDEN_OS_FUNCTIONS = False
    SKIP_CHECKSUMS = True


if __name__ == "__main__":
    tfds.testing.test_main()
