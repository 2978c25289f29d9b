"""Wall time, CPU time and peak memory of building TFDS configs from the real data.

Run: ``python benchmarks/build_dataset.py [--mitdb-dir DIR] [--configs beats,rhythm] [--json] [--quick]``.
Builds into a fresh temp folder (deleted afterwards) from ``../shared/data/<db>`` by default
(``--mitdb-dir`` for MIT-BIH). ``--configs svdb/beats,vfdb/rhythm,vfdb/episodes`` times the
cross-database builds. Targets: the configs in ≤ 90 s wall and ≤ 3 GB peak resident memory on
2 cores. On a shared machine the wall time depends on the load, so the CPU time of this process
and its share of the wall time are printed too.

Quick scope (``--quick``): ``mitdb/rhythm`` only (unless ``--configs`` is given): a smoke check of
the same code, not the published figure (the targets are for ``beats`` and ``rhythm`` together).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from ecgbench.runner.tf_environment import prepare_tensorflow_process

TARGET_WALL_S = 90.0
TARGET_PEAK_MB = 3072.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kB


def main() -> None:
    """Build both configs, time each step and print a Rich table (or JSON with --json)."""
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    from _build_sources import build_sources

    args = sys.argv[1:]
    as_json = "--json" in args
    if "--quick" in args and "--configs" not in args:
        args += ["--configs", "rhythm"]
    sources = build_sources(args)
    configs = list(sources)

    rows = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    import tensorflow_datasets as tfds

    from ecgbench.records.dataset import build_config, split_class_counts

    tfds.disable_progress_bar()
    rows.append(("import tfds (TF loads in first build)", time.perf_counter() - wall0, time.process_time() - cpu0, _peak_mb(), None))
    with tempfile.TemporaryDirectory(prefix="ecgbench-bench-") as out:
        for config in configs:
            wall, cpu = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(sys.stderr):  # TFDS prints progress notes to stdout
                builder, _ = build_config(config, out, sources[config])
            n = sum(c["total"] for c in split_class_counts(builder).values())
            name = config if "/" in config else f"mitdb/{config}"
            rows.append((f"build {name}", time.perf_counter() - wall, time.process_time() - cpu, _peak_mb(), n))
    total = ("total", time.perf_counter() - wall0, time.process_time() - cpu0, _peak_mb(), sum(r[4] or 0 for r in rows))
    rows.append(total)
    result = {
        "rows": [dict(zip(("step", "wall_s", "cpu_s", "peak_rss_mb", "examples"), r)) for r in rows],
        "cpu_count": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "meets_wall_target": total[1] <= TARGET_WALL_S,
        "meets_memory_target": total[3] <= TARGET_PEAK_MB,
    }
    if as_json:
        print(json.dumps(result, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    names = " + ".join(c if "/" in c else f"mitdb/{c}" for c in configs)
    table = Table(title=f"build {names} from {sorted({str(p) for p in sources.values()})}", title_justify="left")
    for name in ("step", "wall s", "CPU s", "CPU/wall", "peak RSS MB", "examples written"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for step, wall, cpu, peak, n in rows:
        table.add_row(step, f"{wall:.1f}", f"{cpu:.1f}", f"{cpu / wall:.0%}", f"{peak:.0f}", f"{n:,}" if n else "")
    table.caption = (
        f"targets: ≤ {TARGET_WALL_S:.0f} s wall, ≤ {TARGET_PEAK_MB:.0f} MB; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs (CPU/wall well under 100 % means the machine was busy)"
    )
    Console().print(table)


if __name__ == "__main__":
    main()
