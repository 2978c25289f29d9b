"""MIT-BIH Supraventricular Arrhythmia Database as a TFDS dataset: ``svdb/beats`` (test split only).

Every record is resampled 128 → 360 Hz (:mod:`ecgbench.records.resampling`, polyphase filter)
and its annotation positions converted with the same ratio, so the beat windows, RR features and
AAMI labels are exactly those of ``mitdb/beats`` (:func:`ecgbench.records.beats.record_beats`).
All 78 records form one ``test`` split: SVDB is a cross-database test set, never used for
training or model selection. See README.md beside this file (the dataset card).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import tensorflow_datasets.public_api as tfds

from ecgbench.datasets import record_examples
from ecgbench.datasets.common import TestSplitBuilder, beat_features
from ecgbench.datasets.generation import SplitPlan
from ecgbench.records.beats import DEFAULT_AFTER_S, DEFAULT_BEFORE_S
from ecgbench.records.lists import SVDB_RECORDS
from ecgbench.records.physionet import database

DB = "svdb"
TARGET_FS = 360.0  # Hz, the rate of mitdb/beats
N_LEADS = 2


@dataclasses.dataclass
class SvdbConfig(tfds.core.BuilderConfig):
    """What is written to disk: the beat window (seconds around the R peak) and the sampling rate (Hz)."""

    task: str = "beats"
    before_seconds: float = DEFAULT_BEFORE_S
    after_seconds: float = DEFAULT_AFTER_S
    fs: float = TARGET_FS


class Builder(TestSplitBuilder, tfds.core.GeneratorBasedBuilder):
    """SVDB beat windows at 360 Hz with mitdb/beats' features; all 78 records in ``test``."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: beats (test = all 78 records), resampled 128 -> 360 Hz."}
    BUILDER_CONFIGS = [SvdbConfig(name="beats", description="0.8-s beat windows (0.3 s before the R peak, 0.5 s after) at 360 Hz.")]
    DEFAULT_CONFIG_NAME = "beats"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""
    Optional (without it the files are downloaded from PhysioNet and verified).
    Pass a folder holding the SVDB files 800.hea, 800.dat, 800.atr … 894.atr as published at
    {database(DB).url}, e.g. `--manual_dir ../shared/data/svdb`. Every file is checked against
    checksums.tsv (PhysioNet's SHA-256 list).
    """

    DB = DB
    RECORDS: tuple[str, ...] = SVDB_RECORDS
    CHECKSUMS = Path(__file__).with_name("checksums.tsv")

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(beat_features(config.fs, config.before_seconds, config.after_seconds, N_LEADS)),
            supervised_keys=("signal", "label"),
            homepage="https://physionet.org/content/svdb/1.0.0/",
            disable_shuffling=True,  # record/time order; shuffle in tf.data
            metadata=tfds.core.MetadataDict(),
        )

    def _split_plan(self, folder: Path) -> SplitPlan:
        """Every record, resampled to ``config.fs``, gives its beat windows to ``test``."""
        config = self.builder_config
        read = functools.partial(
            record_examples.read_beats, folder=folder, before_s=config.before_seconds, after_s=config.after_seconds, fs=config.fs
        )
        return SplitPlan(splits={"test": self.RECORDS}, read=read, examples=record_examples.beat_examples)
