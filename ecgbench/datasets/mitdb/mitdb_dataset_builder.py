"""MIT-BIH Arrhythmia Database as TFDS datasets: ``mitdb/beats`` and ``mitdb/rhythm``.

The numerical work (beat windows, RR features, rhythm windows, splits, checksums) lives in
:mod:`ecgbench.records`; this module only turns it into TFDS examples. Each record is read once per
build and yields to every split that uses it. See README.md beside this file (the dataset card).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import tensorflow_datasets.public_api as tfds
from etils import epath

from ecgbench.datasets.common import beat_examples, source_folder
from ecgbench.errors import unknown_choice
from ecgbench.records import AAMI_CLASSES, BEAT_RECORDS, read_annotations, read_record, rhythm_intervals
from ecgbench.records.beats import BeatTable, record_beats, window_samples
from ecgbench.records.physionet import PHYSIONET_MITDB_URL, read_checksums, source_checksum, verify_folder
from ecgbench.records.splits import BEAT_SPLIT_RECORDS, INTRA_SPLITS, RHYTHM_SPLIT_RECORDS, intra_patient_test_mask
from ecgbench.records.windows import RHYTHM_CLASSES, rhythm_windows, window_length_samples

MITDB_FS = 360.0  # Hz, every MIT-BIH record
N_LEADS = 2
# Signals are stored as raw bytes: TFDS writes float features value by value in Python, 10x slower.
BYTES = tfds.features.Encoding.BYTES
TASKS = ("beats", "rhythm")


@dataclasses.dataclass
class MitdbConfig(tfds.core.BuilderConfig):
    """What is written to disk: the task and its window geometry (seconds)."""

    task: str = "beats"
    before_seconds: float = 0.3  # beats: window start before the R peak
    after_seconds: float = 0.5  # beats: window end after the R peak
    window_seconds: float = 10.0  # rhythm: window length
    stride_seconds: float = 5.0  # rhythm: step between window starts


class Builder(tfds.core.GeneratorBasedBuilder):
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

    # Class-level so the dummy-data test can substitute its own records and checksum table.
    BEAT_SPLITS: dict[str, tuple[str, ...]] = BEAT_SPLIT_RECORDS
    INTRA_RECORDS: tuple[str, ...] = BEAT_RECORDS
    RHYTHM_SPLITS: dict[str, tuple[str, ...]] = RHYTHM_SPLIT_RECORDS
    CHECKSUMS = Path(__file__).with_name("checksums.tsv")

    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls) -> epath.Path:
        # TFDS 4.9.10 looks the builder file up through `importlib_resources`, a backport it
        # installs only on Python < 3.9, and fails without it; name the file directly instead.
        return epath.Path(__file__)

    #: Optional hook called with each record name after it is read (the CLI's progress bar).
    on_record: Callable[[str], None] | None = None

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
            length = sum(window_samples(MITDB_FS, config.before_seconds, config.after_seconds))
            features = {
                "signal": tfds.features.Tensor(shape=(length, N_LEADS), dtype=np.float32, encoding=BYTES),
                "record": tfds.features.Text(),
                "sample": np.int64,
                "symbol": tfds.features.Text(),
                "label": tfds.features.ClassLabel(names=list(AAMI_CLASSES)),
                **{name: np.float32 for name in ("rr_pre", "rr_post", "rr_local", "rr_average")},
            }
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

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        records = self.source_records(self.builder_config.task)
        folder = self._source_folder(dl_manager, records)
        verified = verify_folder(folder, records, read_checksums(self.CHECKSUMS))
        self.info.metadata["source_checksum"] = source_checksum(verified)
        if self.builder_config.task == "beats":
            tables = {r: self._read_beats(folder, r) for r in records}
            splits = {name: self._generate_examples(name, [tables[r] for r in recs]) for name, recs in self.BEAT_SPLITS.items()}
            labels = np.concatenate([tables[r].label for r in self.INTRA_RECORDS])
            is_test = np.split(intra_patient_test_mask(labels), np.cumsum([len(tables[r]) for r in self.INTRA_RECORDS])[:-1])
            intra = [(tables[r], mask) for r, mask in zip(self.INTRA_RECORDS, is_test)]
            splits[INTRA_SPLITS[0]] = self._generate_examples(INTRA_SPLITS[0], [t for t, _ in intra], [~m for _, m in intra])
            splits[INTRA_SPLITS[1]] = self._generate_examples(INTRA_SPLITS[1], [t for t, _ in intra], [m for _, m in intra])
            return splits
        windows = {r: self._read_rhythm(folder, r) for r in records}
        return {name: self._generate_examples(name, [windows[r] for r in recs]) for name, recs in self.RHYTHM_SPLITS.items()}

    def _source_folder(self, dl_manager: tfds.download.DownloadManager, records: list[str]) -> Path:
        """Return the manual dir if it holds WFDB files, else download the records (TFDS checks checksums.tsv)."""
        return source_folder(dl_manager, self.CHECKSUMS, records, "mitdb")

    def _read_beats(self, folder: Path, record: str) -> BeatTable:
        config = self.builder_config
        table = record_beats(read_record(record, folder), read_annotations(record, folder), config.before_seconds, config.after_seconds)
        self._report(record)
        return table

    def _read_rhythm(self, folder: Path, record: str):
        config = self.builder_config
        rec = read_record(record, folder)
        intervals = rhythm_intervals(read_annotations(record, folder), rec.n_samples)
        windows = rhythm_windows(intervals, rec.n_samples, rec.fs, config.window_seconds, config.stride_seconds)
        self._report(record)
        return rec, windows

    def _report(self, record: str) -> None:
        if self.on_record is not None:
            self.on_record(record)

    def _generate_examples(self, split: str, items: list, masks: list[np.ndarray] | None = None) -> Iterator:
        """Yield ``(key, example)`` from beat tables (optionally masked) or (record, windows) pairs.

        Counts the examples of each class as they are written and stores them in the dataset's
        metadata (``info.metadata["class_counts"][split]``) once the split is complete.
        """
        names = self.info.features["label"].names
        counts = dict.fromkeys(names, 0)
        examples = self._beat_examples(items, masks) if self.builder_config.task == "beats" else self._rhythm_examples(items)
        for key, example in examples:
            counts[example["label"]] += 1
            yield key, example
        self.info.metadata.setdefault("class_counts", {})[split] = {**counts, "total": sum(counts.values())}

    def _beat_examples(self, tables: list[BeatTable], masks: list[np.ndarray] | None) -> Iterator:
        return beat_examples(tables, masks)

    def _rhythm_examples(self, items: list) -> Iterator:
        for rec, windows in items:
            for i, start in enumerate(windows.start.tolist()):
                yield f"{rec.name}_{start:07d}", {
                    "signal": rec.signal[start : start + windows.length],
                    "record": rec.name,
                    "start": start,
                    "rhythm": str(windows.rhythm[i]),
                    "label": str(windows.label[i]),
                    "label_fraction": windows.label_fraction[i],
                }
