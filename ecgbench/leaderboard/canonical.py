"""The published identity of the built datasets: the canonical checksum table.

Each dataset folder publishes one SHA-256 per built TFDS config and version
(:func:`ecgbench.records.physionet.dataset_checksum` of the official build) in
``ecgbench/datasets/<database>/dataset_checksums.tsv`` (shipped in the package; ``mitdb``, ``svdb``,
``vfdb``); one line per build, tab-separated::

    mitdb/beats	1.0.0	<sha256>

The canonical table is the union of those files.

A run record whose ``dataset`` block names a build listed here must carry that checksum.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecgbench.errors import CorruptDataError
from ecgbench.paths import dataset_folder

CANONICAL_FILE_NAME = "dataset_checksums.tsv"
#: Databases whose packaged folder may publish a table (the first one's table must exist).
CANONICAL_DATABASES: tuple[str, ...] = ("mitdb", "svdb", "vfdb")


def canonical_file(database: str = "mitdb") -> Path:
    """Return ``<package>/datasets/<database>/dataset_checksums.tsv``."""
    return dataset_folder(database) / CANONICAL_FILE_NAME


def read_canonical_checksums(path: str | os.PathLike | None = None) -> dict[tuple[str, str], str] | None:
    """Read the canonical table as ``{(dataset name, version): sha256}``; None when it is not published.

    ``path`` reads one table; by default the ``mitdb`` table (None when it is absent) joined with
    those of the other :data:`CANONICAL_DATABASES` that publish one.

    Raises
    ------
    CorruptDataError
        A line without three tab-separated fields or with a malformed SHA-256.
    """
    if path is None:
        table = read_canonical_checksums(canonical_file())
        if table is None:
            return None
        for database in CANONICAL_DATABASES[1:]:
            table.update(read_canonical_checksums(canonical_file(database)) or {})
        return table
    path = Path(path)
    if not path.is_file():
        return None
    table: dict[tuple[str, str], str] = {}
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or len(fields[2]) != 64:
            raise CorruptDataError(f"{path}:{line_no}: expected '<name>\\t<version>\\t<sha256>' (64 hex digits)")
        table[(fields[0], fields[1])] = fields[2].lower()
    return table
