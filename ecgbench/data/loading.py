"""Load built TFDS splits of the ``mitdb`` dataset and turn datasets into NumPy arrays.

The dataset is read with ``tfds.builder_from_directory`` from
``<tfds_dir>/mitdb/<config>/<version>/``, so the builder's code need not be importable; the TFDS
folder is resolved by :func:`ecgbench.paths.resolve_tfds_dir`. Files are read in a fixed order
(``shuffle_files=False``): shuffling belongs to :func:`ecgbench.data.make_beat_pipeline`, seeded.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.paths import resolve_tfds_dir
from ecgbench.records.dataset import CONFIGS  # the one list of the mitdb configs, re-exported
from ecgbench.records.physionet import DATASET_NAME, built_version_dir

_TO_NUMPY_BATCH = 4096


def dataset_dir(config: str = "beats", data_dir: str | os.PathLike | None = None, version: str | None = None) -> Path:
    """Return the folder of a built ``mitdb/<config>`` version (the newest unless ``version`` is given).

    The config is checked here; the folder is found by
    :func:`ecgbench.records.physionet.built_version_dir` under :func:`ecgbench.paths.resolve_tfds_dir`.

    Raises
    ------
    ConfigError
        Unknown config.
    DataNotFoundError
        Nothing is built there; the message names the command that builds it.
    """
    if config not in CONFIGS:
        raise unknown_choice("config", config, CONFIGS)
    return built_version_dir(resolve_tfds_dir(data_dir), config, version)


def load_split(
    split: str,
    config: str = "beats",
    data_dir: str | os.PathLike | None = None,
    *,
    version: str | None = None,
):
    """Load one split of the built ``mitdb`` dataset as a ``tf.data.Dataset`` of feature dicts.

    Parameters
    ----------
    split : str
        A split name (``ds1``, ``ds2``, ``ds1_train``, ``ds1_val``, ``intra_train``, ``intra_test``),
        optionally with a TFDS slice such as ``"ds1_train[:10%]"``.
    config : {"beats", "rhythm"}
        Dataset config.
    data_dir : path-like, optional
        Folder of built TFDS datasets; default ``$ECGBENCH_TFDS_DIR``, else ``~/ecgbench_data/tfds``.
    version : str, optional
        Dataset version such as ``"1.0.0"``; default the newest built.

    Returns
    -------
    tf.data.Dataset
        Un-batched examples in file order (for ``beats``: ``signal`` [288, 2] float32 mV, ``record``,
        ``sample``, ``symbol``, ``label``, ``rr_pre``, ``rr_post``, ``rr_local``, ``rr_average``).

    Raises
    ------
    DataNotFoundError
        The dataset is not built (the message names the build command).
    ConfigError
        Unknown config or split.
    """
    import tensorflow_datasets as tfds

    builder = tfds.builder_from_directory(str(dataset_dir(config, data_dir, version)))
    base = split.split("[", 1)[0]
    available = tuple(builder.info.splits.keys())
    if base not in available:
        raise unknown_choice(f"{DATASET_NAME}/{config} split", base, available)
    return builder.as_dataset(split=split, shuffle_files=False)


def load_built_split(
    dataset: str,
    config: str,
    split: str,
    data_dir: str | os.PathLike | None = None,
    *,
    version: str | None = None,
):
    """Load one split of any built ecgbench TFDS dataset (``mitdb``, ``svdb``, ``vfdb``), in file order.

    ``mitdb`` goes through :func:`load_split` (its configs are checked); another ``dataset`` is read
    from ``<data_dir>/<dataset>/<config>/<version>/`` (:func:`ecgbench.records.physionet.built_version_dir`).

    Raises
    ------
    DataNotFoundError
        The dataset is not built (the message names the build command).
    ConfigError
        Unknown split.
    """
    if dataset == DATASET_NAME:
        return load_split(split, config, data_dir, version=version)
    import tensorflow_datasets as tfds

    builder = tfds.builder_from_directory(str(built_version_dir(resolve_tfds_dir(data_dir), config, version, dataset)))
    base = split.split("[", 1)[0]
    available = tuple(builder.info.splits.keys())
    if base not in available:
        raise unknown_choice(f"{dataset}/{config} split", base, available)
    return builder.as_dataset(split=split, shuffle_files=False)


def to_numpy(ds, *, batch_size: int = _TO_NUMPY_BATCH) -> dict[str, np.ndarray]:
    """Read a whole dataset of feature dicts into NumPy arrays.

    Parameters
    ----------
    ds : tf.data.Dataset
        Un-batched examples whose elements are dicts of tensors.
    batch_size : int
        Examples read per step (memory/speed trade-off only).

    Returns
    -------
    dict of str to numpy.ndarray
        One array per feature, first axis the example; string features become ``str`` arrays.
    """
    if not isinstance(getattr(ds, "element_spec", None), dict):
        raise ConfigError("to_numpy needs a tf.data.Dataset whose elements are feature dicts")
    chunks: dict[str, list[np.ndarray]] = {name: [] for name in ds.element_spec}
    for batch in ds.batch(batch_size).as_numpy_iterator():
        for name, value in batch.items():
            chunks[name].append(value)
    arrays = {}
    for name, spec in ds.element_spec.items():
        if chunks[name]:
            value = np.concatenate(chunks[name])
        else:
            value = np.zeros((0, *spec.shape), dtype=spec.dtype.as_numpy_dtype)
        if value.dtype == object or value.dtype.kind == "S":
            value = np.array([item.decode("utf-8") for item in value.reshape(-1)], dtype=str).reshape(value.shape)
        arrays[name] = value
    return arrays
