"""What every ecgbench TFDS builder shares: finding the verified source folder and writing examples.

A builder gets its WFDB files either from a manual dir (``--manual_dir`` / ``--manual-dir``) or by
downloading them from PhysioNet through TFDS's download manager; either way the files are then
verified by :func:`ecgbench.records.physionet.verify_folder` against the builder's
``checksums.tsv``. Each config is a :class:`ecgbench.datasets.generation.SplitPlan` (records per
split, how a record is read and turned into examples by :mod:`ecgbench.datasets.record_examples`), generated as
Python generators or, when a Beam runner is configured, as one Beam pipeline with the same output.
Examples are written in record/time order (keys ``f"{record}_{sample:07d}"``) and counted per class
into ``info.metadata["class_counts"][split]``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import tensorflow_datasets.public_api as tfds
from etils import epath

from ecgbench.datasets.generation import PlainGeneration, SplitPlan
from ecgbench.errors import DataNotFoundError
from ecgbench.records import AAMI_CLASSES
from ecgbench.records.beats import window_samples
from ecgbench.records.physionet import database, read_checksums, record_files, source_checksum, verify_folder

# Signals are stored as raw bytes: TFDS writes float features value by value in Python, 10x slower.
BYTES = tfds.features.Encoding.BYTES
RR_FEATURES = ("rr_pre", "rr_post", "rr_local", "rr_average")


class RecordSplitsBuilder:
    """Mixin for an ecgbench builder whose splits are lists of records (:mod:`ecgbench.datasets.generation`).

    The subclass sets ``DB`` (database name) and ``CHECKSUMS`` and implements
    ``source_records(task)`` and ``_split_plan(folder)``. The mixin finds and verifies the source
    folder, stores ``source_checksum`` in the metadata, and generates the plan's splits as Python
    generators, or as one Beam pipeline when the download config names a Beam runner or Beam
    options (``tfds build --beam_pipeline_options=…``, ``ecgbench build-dataset --runner beam``);
    both count the examples per class into ``info.metadata["class_counts"]``.
    """

    DB: str
    CHECKSUMS: Path
    #: Optional hook called with each record name after it is read (plain path) or its examples are
    #: emitted (Beam path, from a launcher thread watching the workers' progress files): the CLI's progress bar.
    on_record: Callable[[str], None] | None = None
    _plan = None
    _on_beam = False
    _progress_folder: str | None = None

    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls) -> epath.Path:
        # TFDS 4.9.10 looks the builder file up through `importlib_resources`, a backport it
        # installs only on Python < 3.9, and fails without it; name the file directly instead.
        return epath.Path(inspect.getfile(cls))

    @classmethod
    def source_records(cls, task: str | None = None) -> list[str]:
        """Return the records a build of ``task`` reads."""
        raise NotImplementedError

    def _split_plan(self, folder: Path) -> SplitPlan:
        raise NotImplementedError

    def _download_and_prepare(self, dl_manager, download_config):
        # TFDS writes a split with Beam when its generator is a beam.PTransform: choose it when asked for.
        self._on_beam = download_config.beam_runner is not None or download_config.beam_options is not None
        self._pipeline_result = None
        self._progress_folder = None
        if self._on_beam and self.on_record is not None:
            from apache_beam.options.pipeline_options import GoogleCloudOptions, PipelineOptions

            from ecgbench.beam.progress import DONE_SUFFIX, FolderWatcher, progress_folder, remove_folder

            options = download_config.beam_options or PipelineOptions()
            self._progress_folder = progress_folder(options.view_as(GoogleCloudOptions).temp_location, "ecgbench-build-")
            try:
                records = self.source_records(self.builder_config.task)
                with FolderWatcher(self._progress_folder, DONE_SUFFIX, str, records, self.on_record):
                    super()._download_and_prepare(dl_manager, download_config)
            finally:
                remove_folder(self._progress_folder)
        else:
            super()._download_and_prepare(dl_manager, download_config)
        if self._pipeline_result is not None:  # before TFDS moves the build into place
            from ecgbench.datasets.beam_generation import check_complete

            written = {name: split.num_examples for name, split in self.info.splits.items()}
            check_complete(self._pipeline_result, self._plan, written, self.info.metadata["class_counts"])

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        records = self.source_records(self.builder_config.task)
        folder = source_folder(dl_manager, self.CHECKSUMS, records, self.DB)
        verified = verify_folder(folder, records, read_checksums(self.CHECKSUMS), db=self.DB)
        self.info.metadata["source_checksum"] = source_checksum(verified)
        self._plan = self._split_plan(folder)
        if self._on_beam:
            from ecgbench.datasets.beam_generation import BeamGeneration  # Apache Beam: imported only when asked for

            generation = BeamGeneration(self._plan, self._progress_folder)
        else:
            generation = PlainGeneration(self._plan, self._report)
        return {split: self._generate_examples(generation, split) for split in self._plan.splits}

    def _generate_examples(self, generation, split: str):
        """Return split ``split``: a ``beam.PTransform`` on the Beam path, else a generator counting classes as it goes."""
        if self._on_beam:
            return generation.split(split)
        return counted(self.info, split, generation.split(split), self._plan.field)

    def _process_pipeline_result(self, pipeline_result) -> None:
        from ecgbench.datasets.beam_generation import class_counts

        names = self.info.features[self._plan.field].names
        self.info.metadata["class_counts"] = class_counts(pipeline_result, self._plan.splits, names)
        self._pipeline_result = pipeline_result

    def _report(self, record: str) -> None:
        if self.on_record is not None:
            self.on_record(record)


class TestSplitBuilder(RecordSplitsBuilder):
    """Mixin for a builder whose every record goes to one ``test`` split (svdb, vfdb); the subclass sets ``RECORDS``."""

    RECORDS: tuple[str, ...]

    @classmethod
    def source_records(cls, task: str | None = None) -> list[str]:
        """Return the records a build reads (all of them, for every config)."""
        return list(cls.RECORDS)


def source_folder(dl_manager: tfds.download.DownloadManager, checksums: Path, records: list[str], db: str) -> Path:
    """Return the manual dir if it holds WFDB headers, else download the records' files (checked by TFDS).

    TFDS stores downloads under mangled names; WFDB headers need the published ones, so the files
    are linked into ``<download_dir>/<db>_wfdb`` under their own names.
    """
    try:
        manual = Path(dl_manager.manual_dir)  # raises AssertionError when not given or empty
    except AssertionError:
        manual = None
    if manual is not None and any(manual.glob("*.hea")):
        return manual
    table = read_checksums(checksums)
    try:
        paths = dl_manager.download({name: table[name].url for name in record_files(records)})
    except Exception as exc:  # TFDS raises several types for network and checksum failures
        raise DataNotFoundError(
            f"{database(db).title} files not found in the manual dir {manual} and the download failed ({exc}); "
            f"put the files ({database(db).example_files} …) there or pass --manual_dir / --manual-dir"
        ) from exc
    folder = Path(dl_manager.download_dir) / f"{db}_wfdb"
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():
        link = folder / name
        link.unlink(missing_ok=True)
        link.symlink_to(Path(path).resolve())
    return folder


def beat_features(fs: float, before_s: float, after_s: float, n_leads: int) -> dict:
    """Return the feature spec of a beat example (as ``mitdb/beats``): window, record, sample, symbol, label, RR."""
    length = sum(window_samples(fs, before_s, after_s))
    return {
        "signal": tfds.features.Tensor(shape=(length, n_leads), dtype=np.float32, encoding=BYTES),
        "record": tfds.features.Text(),
        "sample": np.int64,
        "symbol": tfds.features.Text(),
        "label": tfds.features.ClassLabel(names=list(AAMI_CLASSES)),
        **{name: np.float32 for name in RR_FEATURES},
    }


def counted(info: tfds.core.DatasetInfo, split: str, examples: Iterable[tuple[str, dict]], field: str = "label") -> Iterator:
    """Pass ``examples`` through, storing their count per class of ``field`` in ``info.metadata["class_counts"][split]``."""
    names = info.features[field].names
    counts = dict.fromkeys(names, 0)
    for key, example in examples:
        counts[example[field]] += 1
        yield key, example
    info.metadata.setdefault("class_counts", {})[split] = {**counts, "total": sum(counts.values())}


def write_dummy_data(directory: Path, records: dict[str, tuple[str, list[tuple[float, str]]]], fs: float, duration_s: float) -> None:
    """Write small synthetic WFDB records and their TFDS ``checksums.tsv`` (the builders' ``dummy_data/``).

    Parameters
    ----------
    directory : Path
        Output folder (``<builder>/dummy_data``).
    records : dict
        record → (beat symbols repeated cyclically, rhythm changes as (second, rhythm)).
    fs : float
        Sampling rate of the records (Hz), the database's own.
    duration_s : float
        Length of each record (s).
    """
    from ecgbench.hashing import sha256_file
    from ecgbench.records.synthetic import write_synthetic_record

    directory.mkdir(exist_ok=True)
    for seed, (record, (symbols, rhythms)) in enumerate(records.items()):
        changes = [(int(round(t * fs)), rhythm) for t, rhythm in rhythms]
        write_synthetic_record(directory, record, rhythm_changes=changes, duration=duration_s, fs=fs, symbols=symbols, seed=seed)
    lines = [
        f"dummy://{name}\t{(directory / name).stat().st_size}\t{sha256_file(directory / name)}\t{name}\n"
        for name in record_files(records)
    ]
    (directory / "checksums.tsv").write_text("".join(lines))
