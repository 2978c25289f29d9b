"""Where data lives: raw PhysioNet databases, built TFDS datasets, the results tree, packaged files.

Every location a command reads or writes is resolved here, from an option, an environment
variable or a documented default, never from the current directory or the source checkout:

============  ==================  =======================  ========================================
what          option              environment              default
============  ==================  =======================  ========================================
raw data      ``--data-dir``      ``$ECGBENCH_DATA_DIR``    ``~/ecgbench_data`` (``mitdb/``, ``nstdb/`` …)
TFDS builds   ``--tfds-dir``      ``$ECGBENCH_TFDS_DIR``    ``~/ecgbench_data/tfds``
results tree  ``--results-dir``   ``$ECGBENCH_RESULTS_DIR`` ``~/ecgbench_data/leaderboards/results``
============  ==================  =======================  ========================================

The results tree holds ``<task>/<run_id>.json`` run records; the rendered boards go to its
parent. The default mirrors the repository's ``leaderboards/results/`` so that a user's boards land
in ``~/ecgbench_data/leaderboards/``, apart from the raw data; the repository's committed boards
are addressed explicitly (``--results-dir leaderboards/results`` or
``ECGBENCH_RESULTS_DIR=leaderboards/results``). The TFDS builders (``datasets/<db>/``) and the
baselines (``baselines/<name>/``) ship inside the package (:func:`package_root`). Nothing here
creates folders: callers that write create what they need.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "ECGBENCH_DATA_DIR"
TFDS_DIR_ENV = "ECGBENCH_TFDS_DIR"
RESULTS_DIR_ENV = "ECGBENCH_RESULTS_DIR"
DEFAULT_DATA_DIR = Path("~/ecgbench_data")
#: The results tree under the data root when neither ``--results-dir`` nor the variable is set.
DEFAULT_RESULTS_SUBDIR = Path("leaderboards") / "results"


def _resolve(value: str | os.PathLike | None, env: str, default: Path) -> Path:
    """The argument, else the environment variable ``env`` when set and non-empty, else ``default`` (``~`` expanded)."""
    if value is not None:
        return Path(value).expanduser()
    from_env = os.environ.get(env)
    if from_env:
        return Path(from_env).expanduser()
    return default.expanduser()


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the raw data root: the argument, else ``$ECGBENCH_DATA_DIR``, else ``~/ecgbench_data``."""
    return _resolve(data_dir, DATA_DIR_ENV, DEFAULT_DATA_DIR)


def resolve_tfds_dir(tfds_dir: str | os.PathLike | None = None) -> Path:
    """Return where built TFDS datasets live: the argument, else ``$ECGBENCH_TFDS_DIR``, else ``~/ecgbench_data/tfds``."""
    return _resolve(tfds_dir, TFDS_DIR_ENV, DEFAULT_DATA_DIR / "tfds")


def resolve_results_dir(results_dir: str | os.PathLike | None = None) -> Path:
    """Return the root of the results tree (``<dir>/<task>/<run_id>.json``; boards go to its parent).

    The argument, else ``$ECGBENCH_RESULTS_DIR``, else ``~/ecgbench_data/leaderboards/results``.
    A relative path stays relative to the current directory, as the user typed it.
    """
    return _resolve(results_dir, RESULTS_DIR_ENV, DEFAULT_DATA_DIR / DEFAULT_RESULTS_SUBDIR)


def database_dir(database: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Return the folder of one PhysioNet database (``mitdb``, ``nstdb``, ``ludb``) under the data root."""
    return resolve_data_dir(data_dir) / database


def package_root() -> Path:
    """Return the installed ``ecgbench`` package folder (baselines and dataset folders ship inside it)."""
    return Path(__file__).resolve().parent


def dataset_folder(database: str) -> Path:
    """Return the packaged TFDS dataset folder of ``database`` (``<package>/datasets/<database>/``)."""
    return package_root() / "datasets" / database


def repo_root() -> Path:
    """Return the folder above the package: the source checkout for an editable install.

    For tests, benchmarks and provenance only; nothing a user runs may depend on it (from a wheel
    it is ``site-packages``). See :func:`source_checkout`.
    """
    return package_root().parent


def source_checkout() -> Path | None:
    """Return the source checkout the package runs from (editable install), else None (installed wheel)."""
    root = repo_root()
    return root if (root / "pyproject.toml").is_file() and (root / ".git").exists() else None


def shared_data_dir() -> Path | None:
    """Return ``../shared/data`` beside the checkout when it exists (tests, CI, benchmarks), else None."""
    checkout = source_checkout()
    candidate = checkout.parent / "shared" / "data" if checkout is not None else None
    return candidate if candidate is not None and candidate.is_dir() else None
