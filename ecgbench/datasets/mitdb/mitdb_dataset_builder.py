"""MIT-BIH Arrhythmia Database as TFDS datasets: ``mitdb/beats`` and ``mitdb/rhythm``.

The numerical work (beat windows, RR features, rhythm windows, splits, checksums) lives in
:mod:`ecgbench.records`; this module only turns it into TFDS examples. Each record is read once per
build and yields to every split that uses it. See README.md beside this file (the dataset card).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import tensorflow_datasets.public_api as tfds

from ecgbench.datasets import record_examples
from ecgbench.datasets.common import BYTES, RecordSplitsBuilder, beat_features
from ecgbench.datasets.generation import SplitPlan
from ecgbench.errors import unknown_choice
from ecgbench.records import BEAT_RECORDS
from ecgbench.records.physionet import PHYSIONET_MITDB_URL
from ecgbench.records.splits import BEAT_SPLIT_RECORDS, INTRA_SPLITS, RHYTHM_SPLIT_RECORDS
from ecgbench.records.windows import RHYTHM_CLASSES, window_length_samples

MITDB_FS = 360.0  # Hz, every MIT-BIH record
N_LEADS = 2
TASKS = ("beats", "rhythm")


@dataclasses.dataclass
class MitdbConfig(tfds.core.BuilderConfig):
    """What is written to disk: the task and its window geometry (seconds)."""

    task: str = "beats"
    before_seconds: float = 0.3  # beats: window start before the R peak
    after_seconds: float = 0.5  # beats: window end after the R peak
    window_seconds: float = 10.0  # rhythm: window length
    stride_seconds: float = 5.0  # rhythm: step between window starts


class Builder(RecordSplitsBuilder, tfds.core.GeneratorBasedBuilder):
    """MIT-BIH beats (AAMI classes, de Chazal splits) and rhythm windows (record-disjoint splits)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: beats (ds1, ds2, ds1_train, ds1_val, intra_*) and rhythm configs."}
    BUILDER_CONFIGS = [
        MitdbConfig(name="beats", task="beats", description="0.8-s beat windows (0.3 s before the R peak, 0.5 s after)."),
        MitdbConfig(name="rhythm", task="rhythm", description="10-s rhythm windows every 5 s."),
        MitdbConfig(name="rhythm_4s", task="rhythm", window_seconds=4.0, stride_seconds=2.0, description="4-s rhythm windows every 2 s."),
        MitdbConfig(name="rhythm_30s", task="rhythm", window_seconds=30.0, stride_seconds=15.0, description="30-s rhythm windows every 15 s."),
    ]  # fmt: skip
    DEFAULT_CONFIG_NAME = "beats"
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""
    Optional (without it the files are downloaded from PhysioNet and verified).
    Pass a folder holding the MIT-BIH files 100.hea, 100.dat, 100.atr … 234.atr as published at
    {PHYSIONET_MITDB_URL}, e.g. `--manual_dir ../shared/data/mitdb` from the ecgbench checkout or
    `--manual_dir ~/ecgbench_data/mitdb`. Every file is checked against checksums.tsv (SHA-256).
    """

    DB = "mitdb"
    # Class-level so the dummy-data test can substitute its own records and checksum table.
    BEAT_SPLITS: dict[str, tuple[str, ...]] = BEAT_SPLIT_RECORDS
    INTRA_RECORDS: tuple[str, ...] = BEAT_RECORDS
    RHYTHM_SPLITS: dict[str, tuple[str, ...]] = RHYTHM_SPLIT_RECORDS
    CHECKSUMS = Path(__file__).with_name("checksums.tsv")

    @classmethod
    def source_records(cls, task: str) -> list[str]:
        """Return the records a task reads: the 44 non-paced ones for beats, all 48 for rhythm."""
        if task == "beats":
            return sorted(set(cls.INTRA_RECORDS).union(*cls.BEAT_SPLITS.values()))
        return sorted(set().union(*cls.RHYTHM_SPLITS.values()))

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        if config.task not in TASKS:
            raise unknown_choice("task", config.task, TASKS)
        if config.task == "beats":
            features = beat_features(MITDB_FS, config.before_seconds, config.after_seconds, N_LEADS)
        else:
            length, _ = window_length_samples(MITDB_FS, config.window_seconds, config.stride_seconds)
            features = {
                "signal": tfds.features.Tensor(shape=(length, N_LEADS), dtype=np.float32, encoding=BYTES),
                "record": tfds.features.Text(),
                "start": np.int64,
                "rhythm": tfds.features.Text(),
                "label": tfds.features.ClassLabel(names=list(RHYTHM_CLASSES)),
                "label_fraction": np.float32,
            }
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(features),
            supervised_keys=("signal", "label"),
            homepage="https://physionet.org/content/mitdb/1.0.0/",
            disable_shuffling=True,  # examples stay in record/time order; shuffle in tf.data
            metadata=tfds.core.MetadataDict(),  # "class_counts": {split: {class: n}}, filled while writing
        )

    def _split_plan(self, folder: Path) -> SplitPlan:
        """Beats: each record's beat table feeds its de Chazal splits and the intra-patient draw; rhythm: windows per record."""
        config = self.builder_config
        if config.task == "beats":
            return SplitPlan(
                splits={**self.BEAT_SPLITS, **dict.fromkeys(INTRA_SPLITS, self.INTRA_RECORDS)},
                read=functools.partial(record_examples.read_beats, folder=folder, before_s=config.before_seconds, after_s=config.after_seconds),
                examples=record_examples.beat_examples,
                summarise=record_examples.beat_labels,
                select=functools.partial(record_examples.intra_patient_masks, records=self.INTRA_RECORDS),
            )
        read = functools.partial(record_examples.read_rhythm, folder=folder, window_s=config.window_seconds, stride_s=config.stride_seconds)
        return SplitPlan(splits=self.RHYTHM_SPLITS, read=read, examples=record_examples.mitdb_window_examples)
