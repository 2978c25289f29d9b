"""Where data lives: raw PhysioNet databases and built TFDS datasets.

Resolution order for the raw data root (folders ``mitdb/``, ``nstdb/``, ``ludb/`` inside it):
the ``--data-dir`` option, else ``$ECGBENCH_DATA_DIR``, else ``~/ecgbench_data`` (where downloads
land). Built TFDS datasets go to ``--output-dir``, else ``$ECGBENCH_TFDS_DIR``, else
``~/ecgbench_data/tfds``. Nothing here creates folders: callers that write create what they need.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "ECGBENCH_DATA_DIR"
TFDS_DIR_ENV = "ECGBENCH_TFDS_DIR"
DEFAULT_DATA_DIR = Path("~/ecgbench_data")


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the raw data root: the argument, else ``$ECGBENCH_DATA_DIR``, else ``~/ecgbench_data``."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return DEFAULT_DATA_DIR.expanduser()


def resolve_tfds_dir(output_dir: str | os.PathLike | None = None) -> Path:
    """Return where built TFDS datasets live: the argument, else ``$ECGBENCH_TFDS_DIR``, else ``~/ecgbench_data/tfds``."""
    if output_dir is not None:
        return Path(output_dir).expanduser()
    env = os.environ.get(TFDS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return DEFAULT_DATA_DIR.expanduser() / "tfds"


def database_dir(database: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Return the folder of one PhysioNet database (``mitdb``, ``nstdb``, ``ludb``) under the data root."""
    return resolve_data_dir(data_dir) / database


def repo_root() -> Path:
    """Return the root of the source checkout (the folder holding ``pyproject.toml``)."""
    return Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path | None:
    """Return ``../shared/data`` beside the checkout when it exists (tests, CI, benchmarks), else None."""
    candidate = repo_root().parent / "shared" / "data"
    return candidate if candidate.is_dir() else None
