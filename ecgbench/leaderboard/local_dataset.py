"""The built TFDS dataset on this machine, as far as the checks need it (identity and labels).

Reading the built data is optional: when it is absent, or the run used a dataset this machine
has not built, the checks that need it report ``skip`` with the reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecgbench.errors import EcgbenchError



def _dataset_refs() -> dict[str, tuple[str, str]]:
    from ecgbench.tasks import all_tasks

    return {t.dataset.full_name: (t.dataset.name, t.dataset.config) for t in all_tasks() if t.dataset is not None}


#: Run-record dataset name → (TFDS dataset, config), e.g. ``"svdb/beats"`` → ``("svdb", "beats")``
#: (the datasets of the tasks in :mod:`ecgbench.tasks`).
DATASET_REFS: dict[str, tuple[str, str]] = _dataset_refs()
#: Run-record dataset name → TFDS config.
DATASET_CONFIGS: dict[str, str] = {name: config for name, (_, config) in DATASET_REFS.items()}
_LABEL_FIELDS = ("record", "sample", "label")


def local_checksum(session, dataset: dict[str, Any]) -> tuple[str | None, str]:
    """Return ``(checksum, where)`` of the local build of a record's dataset, or ``(None, reason)``.

    The checksum is :func:`ecgbench.records.physionet.dataset_checksum` (hashes every example
    file, so it is cached in ``session.cache``).
    """
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import built_version_dir, dataset_checksum

    if not session.use_local_dataset:
        return None, "reading the local dataset is turned off"
    ref = DATASET_REFS.get(str(dataset.get("name")))
    if ref is None:
        return None, f"dataset {dataset.get('name')!r} is not the dataset of a registered task"
    name, config = ref
    tfds_dir = resolve_tfds_dir(session.tfds_dir)
    key = ("checksum", str(tfds_dir), name, config, str(dataset.get("version")))
    if key not in session.cache:
        try:
            folder = built_version_dir(tfds_dir, config, str(dataset.get("version")), name)
            session.cache[key] = (dataset_checksum(tfds_dir, config, folder.name, name), str(folder))
        except EcgbenchError as exc:
            session.cache[key] = (None, f"no local build ({exc})")
    return session.cache[key]


def local_labels(session, dataset: dict[str, Any], split: str) -> dict[str, np.ndarray]:
    """Return ``record``, ``sample``, ``label`` of a split of the locally built dataset (cached).

    Raises
    ------
    EcgbenchError
        The dataset or split is not built here.
    """
    from ecgbench.data import to_numpy
    from ecgbench.data.loading import load_built_split

    name, config = DATASET_REFS[str(dataset.get("name"))]
    key = ("labels", str(session.tfds_dir), name, config, str(dataset.get("version")), split)
    if key not in session.cache:
        ds = load_built_split(name, config, split, session.tfds_dir, version=str(dataset.get("version")))
        ds = ds.map(lambda example: {name: example[name] for name in _LABEL_FIELDS})
        arrays = to_numpy(ds)
        session.cache[key] = {
            "record": np.asarray(arrays["record"]).astype(str),
            "sample": np.asarray(arrays["sample"], np.int64),
            "label": np.asarray(arrays["label"], np.int64),
        }
    return session.cache[key]
