"""Find the ``mitdb`` TFDS builder shipped in the package, build its configs, and count classes per split.

The builder lives in ``ecgbench/datasets/mitdb/mitdb_dataset_builder.py`` (a TFDS dataset folder:
``tfds build ecgbench/datasets/mitdb`` from a checkout builds it too) and is imported as
``ecgbench.datasets.mitdb.mitdb_dataset_builder``, from which TFDS derives the dataset name
``mitdb``. It ships in the wheel with its ``checksums.tsv``, so building works outside the checkout.

TensorFlow and TFDS are imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

from ecgbench.errors import ConfigError, CorruptDataError, DataNotFoundError, unknown_choice
from ecgbench.paths import dataset_folder

BUILDER_PACKAGE = "ecgbench.datasets.mitdb"
BUILDER_MODULE = "mitdb_dataset_builder"
#: Configs of the ``mitdb`` builder (kept in step with ``Builder.BUILDER_CONFIGS``).
CONFIGS: tuple[str, ...] = ("beats", "rhythm", "rhythm_4s", "rhythm_30s")
#: What ``--config all`` builds.
DEFAULT_CONFIGS: tuple[str, ...] = ("beats", "rhythm")
#: Builders inside the package (``ecgbench/datasets/<db>/``), by TFDS dataset name.
PACKAGE_BUILDERS: dict[str, str] = {
    "mitdb": f"{BUILDER_PACKAGE}.{BUILDER_MODULE}",
    "svdb": "ecgbench.datasets.svdb.svdb_dataset_builder",
    "vfdb": "ecgbench.datasets.vfdb.vfdb_dataset_builder",
}
#: Their configs, named ``<db>/<config>`` on the command line; ``<db>/all`` builds the default ones.
PACKAGE_CONFIGS: dict[str, tuple[str, ...]] = {"svdb": ("beats",), "vfdb": ("rhythm", "rhythm_4s", "episodes")}
PACKAGE_DEFAULT_CONFIGS: dict[str, tuple[str, ...]] = {"svdb": ("beats",), "vfdb": ("rhythm", "episodes")}


def split_config(config: str) -> tuple[str, str]:
    """Split ``"svdb/beats"`` into ``("svdb", "beats")``; a bare name (``"beats"``) belongs to ``mitdb``."""
    dataset, _, name = config.rpartition("/")
    return dataset or "mitdb", name


def builder_path() -> Path:
    """Return the path of the builder module in the installed package."""
    return dataset_folder("mitdb") / f"{BUILDER_MODULE}.py"


def builder_class(dataset: str = "mitdb"):
    """Return the builder class of ``dataset`` (``mitdb``, ``svdb``, ``vfdb``), imported from the package.

    Raises
    ------
    DataNotFoundError
        The installed package has no ``datasets/mitdb/mitdb_dataset_builder.py`` (a broken install).
    """
    if dataset not in PACKAGE_BUILDERS:
        raise unknown_choice("dataset", dataset, tuple(PACKAGE_BUILDERS))
    if dataset != "mitdb":
        return importlib.import_module(PACKAGE_BUILDERS[dataset]).Builder
    if not builder_path().is_file():
        raise DataNotFoundError(
            f"TFDS builder {builder_path()} not found: the ecgbench install is incomplete; "
            "reinstall it (pip install --force-reinstall ecgbench, or pip install -e . in a checkout)"
        )
    return importlib.import_module(f"{BUILDER_PACKAGE}.{BUILDER_MODULE}").Builder


def resolve_configs(config: str) -> tuple[str, ...]:
    """Return the configs named by ``config`` (``"all"`` → beats and rhythm); unknown → ``ConfigError``.

    ``"svdb/beats"``, ``"vfdb/rhythm"`` … name configs of the other databases (returned as given);
    ``"vfdb/all"`` (or ``"vfdb"``) their default configs.
    """
    dataset, name = split_config(config) if "/" in config else (config, "all")
    if dataset in PACKAGE_CONFIGS:
        if name == "all":
            return tuple(f"{dataset}/{c}" for c in PACKAGE_DEFAULT_CONFIGS[dataset])
        if name not in PACKAGE_CONFIGS[dataset]:
            raise unknown_choice(f"{dataset} config", name, (*PACKAGE_CONFIGS[dataset], "all"))
        return (f"{dataset}/{name}",)
    config = name if dataset == "mitdb" and "/" in config else config
    if config == "all":
        return DEFAULT_CONFIGS
    if config not in CONFIGS:
        raise unknown_choice("config", config, (*CONFIGS, "all"))
    return (config,)


def build_config(
    config: str,
    tfds_dir: str | os.PathLike,
    manual_dir: str | os.PathLike | None,
    on_record: Callable[[str], None] | None = None,
    runner: str = "local",
    beam_options: str | None = None,
):
    """Build one config into ``tfds_dir`` unless a complete build is already there.

    Parameters
    ----------
    config : str
        One of :data:`CONFIGS`, or ``<db>/<config>`` of :data:`PACKAGE_CONFIGS`.
    tfds_dir : path-like
        TFDS data dir (the dataset lands in ``<tfds_dir>/<db>/<config>/<version>``).
    manual_dir : path-like, optional
        Folder of the database's WFDB files; it must hold every file the config reads
        (:func:`ecgbench.records.physionet.require_record_files`). None downloads them from
        PhysioNet into ``<data-dir>/<db>`` first (:func:`ecgbench.records.physionet.download_records`).
    on_record : callable, optional
        Called with each record name as it is read (progress; ``runner="local"`` only).
    runner : {"local", "beam"}
        ``local`` generates the examples in this process; ``beam`` as an Apache Beam pipeline, one
        record per element (:mod:`ecgbench.datasets.generation`), on the runner ``beam_options``
        names. Both write the same files (the same :func:`~ecgbench.records.physionet.dataset_checksum`).
    beam_options : str, optional
        Beam pipeline options in ``tfds build --beam_pipeline_options`` syntax, e.g.
        ``"runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"``
        (:func:`ecgbench.beam.pipeline_options`); None: Beam's defaults (DirectRunner, one worker).

    Returns
    -------
    (builder, reused) : tuple
        The TFDS builder and whether an existing build was reused.
    """
    import tensorflow_datasets as tfds

    from ecgbench.records.physionet import download_records, read_checksums, require_record_files

    resolve_configs(config)
    download_options = check_runner(runner, beam_options)
    dataset, name = split_config(config)
    cls = builder_class(dataset)
    builder = cls(config=name, data_dir=str(tfds_dir))
    reused = Path(builder.data_dir).joinpath("dataset_info.json").is_file()
    if not reused:
        records = cls.source_records(cls.builder_configs[name].task)
        if manual_dir is None:  # ecgbench's own download: one clear error offline, no partial files
            from ecgbench.paths import database_dir

            manual_dir = download_records(database_dir(dataset), records, read_checksums(cls.CHECKSUMS), db=dataset)
        require_record_files(manual_dir, records, db=dataset)  # an empty or non-WFDB folder never falls back to TFDS's download
        builder.on_record = on_record
        download_config = tfds.download.DownloadConfig(manual_dir=str(manual_dir) if manual_dir else None, **download_options)
        builder.download_and_prepare(download_config=download_config)
    return builder, reused


def check_runner(runner: str, beam_options: str | None = None) -> dict:
    """Check ``runner`` and ``beam_options`` (see :func:`build_config`); return their TFDS ``DownloadConfig`` arguments.

    Raises
    ------
    ConfigError
        An unknown runner, Beam options without ``runner="beam"``, or options Beam refuses
        (:func:`ecgbench.beam.pipeline_options`).
    """
    from ecgbench.beam import RUNNERS, pipeline_options

    if runner not in RUNNERS:
        raise unknown_choice("runner", runner, RUNNERS)
    if runner == "local":
        if beam_options:
            raise ConfigError("--beam-options is for --runner beam; add --runner beam or drop the options")
        return {}
    return {"beam_options": pipeline_options(beam_options)}


def split_class_counts(builder, read_back: bool = False) -> dict[str, dict[str, int]]:
    """Return the number of examples per class in every split of a built dataset.

    Parameters
    ----------
    builder : tfds.core.DatasetBuilder
        A prepared ``mitdb`` builder.
    read_back : bool
        False: the counts the builder recorded while writing (``info.metadata``), checked against
        TFDS's own per-split example counts. True: count again by reading the ``label`` feature of
        every example back from disk (slower: about 10 s per 100 000 examples).

    Returns
    -------
    dict
        ``{split: {class name: count, …, "total": n}}`` with every class listed (zeros included).
    """
    splits = {name: info.num_examples for name, info in builder.info.splits.items()}
    if not read_back:
        recorded = (builder.info.metadata or {}).get("class_counts", {})
        for split, n in splits.items():
            if split not in recorded or recorded[split]["total"] != n:
                raise CorruptDataError(
                    f"class counts of split {split!r} missing or inconsistent in {builder.data_dir}; "
                    "delete that folder and build again"
                )
        return {split: dict(recorded[split]) for split in splits}
    import numpy as np
    import tensorflow_datasets as tfds

    names = builder.info.features["label"].names
    counts: dict[str, dict[str, int]] = {}
    for split in splits:
        ds = builder.as_dataset(split=split, decoders=tfds.decode.PartialDecoding({"label": True}))
        hist = np.zeros(len(names), dtype=np.int64)
        for batch in tfds.as_numpy(ds.map(lambda x: x["label"]).batch(8192)):
            hist += np.bincount(batch, minlength=len(names))
        counts[split] = {**{name: int(n) for name, n in zip(names, hist)}, "total": int(hist.sum())}
    return counts
