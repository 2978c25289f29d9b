"""Plain vs Apache Beam dataset builds from the real data: wall time and the same dataset checksum.

Run: ``python benchmarks/beam_build.py [--mitdb-dir DIR] [--configs beats,rhythm] [--workers 1,2] [--json]``.
Builds every config into fresh temp folders (deleted afterwards) from ``../shared/data/mitdb`` by
default: once in this process (``--runner local``) and once per worker count on Beam's
DirectRunner (``direct_running_mode=multi_processing`` for more than one worker). Prints the wall
time of each build, its speed-up over the plain build, and whether its dataset checksum
(:func:`ecgbench.records.physionet.dataset_checksum`) equals the plain build's and the published one
(``ecgbench/datasets/<db>/dataset_checksums.tsv``). Wall times depend on the machine's load: the
builds run one after the other in the same conditions, so compare them with each other.
``--configs svdb/beats,vfdb/rhythm`` times the other databases (from ``../shared/data/<db>``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _beam_options(workers: int) -> str:
    if workers == 1:
        return "runner=DirectRunner"
    return f"runner=DirectRunner,direct_num_workers={workers},direct_running_mode=multi_processing"


def _published(config: str) -> str | None:
    from ecgbench.paths import dataset_folder
    from ecgbench.records.dataset import split_config

    db, name = split_config(config)
    table = dataset_folder(db) / "dataset_checksums.tsv"
    rows = [line.split("\t") for line in table.read_text().splitlines() if line and not line.startswith("#")]
    return next((row[2] for row in rows if row[0] == f"{db}/{name}"), None)


def _build(config: str, source: Path, out: str, runner: str, options: str | None) -> tuple[float, str]:
    from ecgbench.records.dataset import build_config, split_config
    from ecgbench.records.physionet import dataset_checksum

    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # TFDS prints progress notes to stdout
        build_config(config, out, source, runner=runner, beam_options=options)
    wall = time.perf_counter() - started
    db, name = split_config(config)
    return wall, dataset_checksum(out, name, dataset=db)


def main() -> None:
    """Build each config plainly and on Beam, print a Rich table (or JSON with --json)."""
    from _build_sources import build_sources

    args = sys.argv[1:]
    as_json = "--json" in args
    sources = build_sources(args)
    configs = list(sources)
    workers = [int(w) for w in args[args.index("--workers") + 1].split(",")] if "--workers" in args else [1, 2]

    import tensorflow  # noqa: F401 - loaded before the first timed build, as every later build finds it
    import tensorflow_datasets as tfds

    tfds.disable_progress_bar()
    rows = []
    for config in configs:
        published = _published(config)
        runs = [("local", None)] + [("beam", _beam_options(w)) for w in workers]
        plain_wall = plain_checksum = None
        for runner, options in runs:
            with tempfile.TemporaryDirectory(prefix="ecgbench-beam-bench-") as out:
                wall, checksum = _build(config, sources[config], out, runner, options)
            if runner == "local":
                plain_wall, plain_checksum = wall, checksum
            rows.append({
                "config": config if "/" in config else f"mitdb/{config}",
                "runner": "plain" if runner == "local" else options,
                "wall_s": round(wall, 1),
                "speedup": round(plain_wall / wall, 2),
                "checksum": checksum,
                "equals_plain": checksum == plain_checksum,
                "equals_published": None if published is None else checksum == published,
            })  # fmt: skip
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    _print_table(rows)


def _print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    def mark(value):
        return "–" if value is None else ("yes" if value else "NO")

    table = Table(title="Dataset builds: plain vs Apache Beam (DirectRunner)", title_justify="left")
    for name, justify in [("config", "left"), ("runner", "left"), ("wall s", "right"), ("speed-up", "right"),
                          ("checksum", "left"), ("= plain", "center"), ("= published", "center")]:  # fmt: skip
        table.add_column(name, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(r["config"], r["runner"], f"{r['wall_s']:.1f}", f"{r['speedup']:.2f}×", r["checksum"][:16],
                      mark(r["equals_plain"]), mark(r["equals_published"]))  # fmt: skip
    table.caption = "speed-up: plain wall time / this build's wall time, same machine, one build after the other"
    Console().print(table)


if __name__ == "__main__":
    main()
