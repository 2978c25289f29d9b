"""Which configs to build from which folders: shared by ``build_dataset.py`` and ``scaling.py``'s build job."""

from __future__ import annotations

import sys
from pathlib import Path


def build_sources(args: list[str]) -> dict[str, Path]:
    """Return ``{config: source folder}`` from ``--configs`` (default beats,rhythm) and ``--mitdb-dir``.

    mitdb configs read ``--mitdb-dir`` (default ``../shared/data/mitdb``), ``svdb/…`` and ``vfdb/…``
    configs ``../shared/data/<db>``. Exits with a message naming the missing folders.
    """
    from ecgbench.paths import shared_data_dir

    shared = shared_data_dir()
    mitdb = Path(args[args.index("--mitdb-dir") + 1]) if "--mitdb-dir" in args else (shared / "mitdb" if shared else None)
    configs = args[args.index("--configs") + 1].split(",") if "--configs" in args else ["beats", "rhythm"]
    sources = {c: (mitdb if "/" not in c else (shared / c.split("/")[0] if shared else None)) for c in configs}
    missing = sorted({str(p) for p in sources.values() if p is None or not p.is_dir()})
    if missing:
        sys.exit(f"needs the PhysioNet files: {', '.join(missing)} not found (pass --mitdb-dir DIR for MIT-BIH)")
    return sources
