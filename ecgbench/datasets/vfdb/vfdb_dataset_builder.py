"""MIT-BIH Malignant Ventricular Ectopy Database as TFDS datasets: rhythm windows and the episode table.

Every record is resampled 250 → 360 Hz (:mod:`ecgbench.records.resampling`) and its rhythm
annotations converted with the same ratio. ``vfdb/rhythm`` (10-s windows every 5 s) and
``vfdb/rhythm_4s`` (4 s every 2 s) are cut exactly as ``mitdb/rhythm``
(:func:`ecgbench.records.windows.rhythm_windows`: majority rhythm covering ≥ half the window);
``vfdb/episodes`` holds one example per rhythm episode (record, rhythm, onset and offset in
seconds). Labels: :data:`ecgbench.records.vfdb.VFDB_RHYTHM_CLASSES` and the AHA shockable groups
(:func:`ecgbench.records.vfdb.aha_group`). All 22 records form one ``test`` split. See README.md
beside this file (the dataset card).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import tensorflow_datasets.public_api as tfds

from ecgbench.datasets import record_examples
from ecgbench.datasets.common import BYTES, TestSplitBuilder
from ecgbench.datasets.generation import SplitPlan
from ecgbench.errors import unknown_choice
from ecgbench.records.lists import VFDB_RECORDS
from ecgbench.records.physionet import database
from ecgbench.records.vfdb import AHA_GROUPS, VFDB_RHYTHM_CLASSES
from ecgbench.records.windows import window_length_samples

DB = "vfdb"
TARGET_FS = 360.0  # Hz, the rate of mitdb/rhythm
N_LEADS = 2
TASKS = ("rhythm", "episodes")


@dataclasses.dataclass
class VfdbConfig(tfds.core.BuilderConfig):
    """What is written to disk: the task, the rhythm window geometry (s) and the sampling rate (Hz)."""

    task: str = "rhythm"
    window_seconds: float = 10.0
    stride_seconds: float = 5.0
    fs: float = TARGET_FS


class Builder(TestSplitBuilder, tfds.core.GeneratorBasedBuilder):
    """VFDB rhythm windows at 360 Hz and the rhythm-episode table; all 22 records in ``test``."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: rhythm, rhythm_4s and episodes (test = all 22 records), 250 -> 360 Hz."}
    BUILDER_CONFIGS = [
        VfdbConfig(name="rhythm", description="10-s rhythm windows every 5 s at 360 Hz."),
        VfdbConfig(name="rhythm_4s", window_seconds=4.0, stride_seconds=2.0, description="4-s rhythm windows every 2 s at 360 Hz."),
        VfdbConfig(name="episodes", task="episodes", description="One example per rhythm episode: record, rhythm, onset/offset (s)."),
    ]  # fmt: skip
    DEFAULT_CONFIG_NAME = "rhythm"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""
    Optional (without it the files are downloaded from PhysioNet and verified).
    Pass a folder holding the VFDB files 418.hea, 418.dat, 418.atr … 615.atr as published at
    {database(DB).url}, e.g. `--manual_dir ../shared/data/vfdb`. Every file is checked against
    checksums.tsv (sizes and SHA-256 of verified copies: PhysioNet's own SHA-256 list was not
    bundled) and every record's signal against its header's checksums.
    """

    DB = DB
    RECORDS: tuple[str, ...] = VFDB_RECORDS
    CHECKSUMS = Path(__file__).with_name("checksums.tsv")

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        if config.task not in TASKS:
            raise unknown_choice("task", config.task, TASKS)
        labels = {
            "record": tfds.features.Text(),
            "rhythm": tfds.features.Text(),
            "label": tfds.features.ClassLabel(names=list(VFDB_RHYTHM_CLASSES)),
            "aha": tfds.features.ClassLabel(names=list(AHA_GROUPS)),
        }
        if config.task == "rhythm":
            length, _ = window_length_samples(config.fs, config.window_seconds, config.stride_seconds)
            features = {
                "signal": tfds.features.Tensor(shape=(length, N_LEADS), dtype=np.float32, encoding=BYTES),
                "start": np.int64,
                "label_fraction": np.float32,
                **labels,
            }
            keys = ("signal", "label")
        else:
            features = {"start": np.int64, "end": np.int64, "onset_s": np.float64, "offset_s": np.float64, **labels}
            keys = None
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(features),
            supervised_keys=keys,
            homepage="https://physionet.org/content/vfdb/1.0.0/",
            disable_shuffling=True,  # record/time order; shuffle in tf.data
            metadata=tfds.core.MetadataDict(),
        )

    def _split_plan(self, folder: Path) -> SplitPlan:
        """Every record gives ``test`` its rhythm windows at ``config.fs``, or its rhythm episodes."""
        config = self.builder_config
        if config.task == "rhythm":
            read = functools.partial(
                record_examples.read_rhythm, folder=folder, window_s=config.window_seconds, stride_s=config.stride_seconds, fs=config.fs
            )
            return SplitPlan(splits={"test": self.RECORDS}, read=read, examples=record_examples.vfdb_window_examples)
        read = functools.partial(record_examples.read_episodes, folder=folder)
        return SplitPlan(splits={"test": self.RECORDS}, read=read, examples=functools.partial(record_examples.episode_examples, fs=config.fs))
