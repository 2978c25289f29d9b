"""File hashing shared by every layer: source-data verification, run records and their checks.

It lives at the top of the package (like :mod:`ecgbench.paths`) so that both the records layer
and the leaderboard layer use one implementation without an upward import.
"""

from __future__ import annotations

import hashlib
import os

#: Bytes read per step while hashing.
HASH_CHUNK_BYTES = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
