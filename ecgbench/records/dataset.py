"""Find the ``mitdb`` TFDS builder in the checkout, build its configs, and count classes per split.

The builder lives in ``<checkout>/datasets/mitdb/mitdb_dataset_builder.py`` (the TFDS layout
``tfds build datasets/mitdb`` expects), outside the ``ecgbench`` package: a top-level package named
``datasets`` would clash with HuggingFace's. The folder is imported by path as the package
``mitdb`` (the name pytest also gives it when collecting the builder test), and the builder as
``mitdb.mitdb_dataset_builder``, from which TFDS derives the dataset name ``mitdb``.

TensorFlow and TFDS are imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ecgbench.errors import CorruptDataError, DataNotFoundError, unknown_choice
from ecgbench.paths import repo_root

BUILDER_PACKAGE = "mitdb"
BUILDER_MODULE = "mitdb_dataset_builder"
#: Configs of the ``mitdb`` builder (kept in step with ``Builder.BUILDER_CONFIGS``).
CONFIGS: tuple[str, ...] = ("beats", "rhythm", "rhythm_4s", "rhythm_30s")
#: What ``--config all`` builds.
DEFAULT_CONFIGS: tuple[str, ...] = ("beats", "rhythm")


def builder_path() -> Path:
    """Return the path of the builder module in the checkout."""
    return repo_root() / "datasets" / "mitdb" / f"{BUILDER_MODULE}.py"


def builder_class():
    """Return the ``mitdb`` builder class, importing it from the checkout on first use.

    Raises
    ------
    DataNotFoundError
        The checkout has no ``datasets/mitdb/mitdb_dataset_builder.py`` (ecgbench installed from a
        wheel rather than editable from a full source checkout).
    """
    package_dir = builder_path().parent
    if not builder_path().is_file():
        raise DataNotFoundError(
            f"TFDS builder {builder_path()} not found: ecgbench must be installed editable from a full "
            "source checkout (git clone …; pip install -e .) so that datasets/mitdb/ is available"
        )
    if BUILDER_PACKAGE not in sys.modules:
        # TFDS locates checksums.tsv through the builder's package, so import the folder as one.
        spec = importlib.util.spec_from_file_location(
            BUILDER_PACKAGE, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[BUILDER_PACKAGE] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{BUILDER_PACKAGE}.{BUILDER_MODULE}").Builder


def resolve_configs(config: str) -> tuple[str, ...]:
    """Return the configs named by ``config`` (``"all"`` → beats and rhythm); unknown → ``ConfigError``."""
    if config == "all":
        return DEFAULT_CONFIGS
    if config not in CONFIGS:
        raise unknown_choice("config", config, (*CONFIGS, "all"))
    return (config,)


def build_config(
    config: str,
    output_dir: str | os.PathLike,
    manual_dir: str | os.PathLike | None,
    on_record: Callable[[str], None] | None = None,
):
    """Build one config into ``output_dir`` unless a complete build is already there.

    Parameters
    ----------
    config : str
        One of :data:`CONFIGS`.
    output_dir : path-like
        TFDS data dir (the dataset lands in ``<output_dir>/mitdb/<config>/<version>``).
    manual_dir : path-like, optional
        Folder of the MIT-BIH WFDB files; it must hold every file the config reads
        (:func:`ecgbench.records.physionet.require_record_files`). None downloads them from
        PhysioNet into ``<data-dir>/mitdb`` first (:func:`ecgbench.records.physionet.download_records`).
    on_record : callable, optional
        Called with each record name as it is read (progress).

    Returns
    -------
    (builder, reused) : tuple
        The TFDS builder and whether an existing build was reused.
    """
    import tensorflow_datasets as tfds

    from ecgbench.records.physionet import download_records, read_checksums, require_record_files

    resolve_configs(config)
    cls = builder_class()
    builder = cls(config=config, data_dir=str(output_dir))
    reused = Path(builder.data_dir).joinpath("dataset_info.json").is_file()
    if not reused:
        records = cls.source_records(cls.builder_configs[config].task)
        if manual_dir is None:  # ecgbench's own download: one clear error offline, no partial files
            from ecgbench.paths import database_dir

            manual_dir = download_records(database_dir("mitdb"), records, read_checksums(cls.CHECKSUMS))
        require_record_files(manual_dir, records)  # an empty or non-WFDB folder never falls back to TFDS's download
        builder.on_record = on_record
        download_config = tfds.download.DownloadConfig(manual_dir=str(manual_dir) if manual_dir else None)
        builder.download_and_prepare(download_config=download_config)
    return builder, reused


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
