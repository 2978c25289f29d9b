"""Scale-out on Apache Beam: wall time, CPU time and worker memory of the build and the streaming evaluation.

Two jobs, each at 1 and 2 DirectRunner workers (``direct_running_mode=multi_processing``: each
worker is its own Python process, as on a cluster) beside the in-process reference (``local``):

* **build** — ``ecgbench build-dataset --config CONFIG --runner beam --beam-options ...`` as a
  subprocess into a temporary TFDS folder, for each of ``--build-configs`` (default ``beats``: the
  44 non-paced MIT-BIH records, the builder has no record subset; ``rhythm`` reads all 48;
  ``svdb/beats``, ``vfdb/rhythm`` … read ``../shared/data/<db>``). The records column counts the
  records the config reads (``source_records`` of its builder). Each build's dataset checksum
  (:func:`ecgbench.records.physionet.dataset_checksum`) is compared with the published one
  (``ecgbench/datasets/<db>/dataset_checksums.tsv``) and with the local build's: a Beam build must
  write the same dataset.
* **stream** — the streaming track (:func:`ecgbench.streaming.track.run_track`, what ``ecgbench run
  stream --runner beam`` runs) over the first 12, 24 and 48 MIT-BIH records, and over SVDB's 78
  records when ``../shared/data/svdb`` is present (resampled to 360 Hz by the record source).

Per row: wall s, CPU s (this process plus every worker process), CPU/wall (cores the job had on
average: 2 at most here, less when other jobs share the machine), records/s, speed-up (the 1-worker
Beam wall time of the same job over this row's), the critical CPU time (this process's CPU time
plus the busiest worker's: the wall time with a free core per worker) and its speed-up — on a
machine shared with other jobs the wall-time speed-up measures the share of the cores the job got,
the critical-CPU speed-up what the engine itself gives —, peak resident memory of one worker (MB; ``local``:
this process), and the projected wall and CPU hours of 10,000 such records at this row's
per-record cost. Memory and worker CPU are sampled every 0.2 s with psutil.

    python benchmarks/scaling.py                       # everything (tens of minutes on 2 cores)
    python benchmarks/scaling.py --quick               # a smoke check (a few minutes)
    python benchmarks/scaling.py --sizes 12 --jobs stream --workers 1,2 [--no-local] [--svdb] [--model rules] [--json out.json]
    python benchmarks/scaling.py --jobs build --build-configs beats,rhythm --build-workers 1,2

The machine's load average is printed with the table: on a shared machine the speed-up is a
lower bound of what two free cores give.

Quick scope (``--quick``): the stream job on the first 4 MIT-BIH records at 1 and 2 workers, and
the build job of ``mitdb/rhythm`` on one Beam worker with its checksum check (no local rows, no
SVDB, no 2-worker build): a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ecgbench.runner.tf_environment import prepare_tensorflow_process

#: Records whose cost is projected.
PROJECTED_RECORDS = 10_000
#: Seconds between two samples of the worker processes' memory and CPU time.
SAMPLE_S = 0.2
#: The issue's target for the 2-worker speed-up on a 2-core machine.
TARGET_SPEEDUP = 1.7


def beam_options(workers: int) -> str:
    """The ``--beam-options`` text of a DirectRunner with ``workers`` worker processes."""
    return f"runner=DirectRunner,direct_num_workers={workers},direct_running_mode=multi_processing"


class ProcessTreeSampler:
    """Sample the descendants of this process: peak RSS per process and last CPU time (user + system).

    Use as a context manager around one job. ``worker_peak_mb`` is the largest peak RSS of a
    descendant process (a Beam worker; or a build subprocess with its own workers);
    ``descendant_cpu_s`` sums the last CPU time seen of every descendant (processes that ended
    between two samples lose at most ``SAMPLE_S`` s each).
    """

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self._peak: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.self_peak_mb = 0.0

    def _sample(self) -> None:
        import psutil

        self.self_peak_mb = max(self.self_peak_mb, self._me.memory_info().rss / 2**20)
        for proc in self._me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                with proc.oneshot():
                    rss = proc.memory_info().rss / 2**20
                    times = proc.cpu_times()
                    self._names.setdefault(proc.pid, " ".join(proc.cmdline()[:4]))
                self._peak[proc.pid] = max(self._peak.get(proc.pid, 0.0), rss)
                self._cpu[proc.pid] = times.user + times.system

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> ProcessTreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def worker_peaks(self) -> list[float]:
        """Peak RSS (MB) of each Python process below this one that did work (shells left out)."""
        return [mb for pid, mb in self._peak.items() if "python" in self._names.get(pid, "") and mb > 50]

    @property
    def descendant_cpu_s(self) -> float:
        return sum(self._cpu.values())

    @property
    def busiest_descendant_cpu_s(self) -> float:
        """CPU time (s) of the descendant that used the most (the longest worker)."""
        return max(self._cpu.values(), default=0.0)


@dataclass
class Row:
    """One measured job."""

    job: str
    records: int
    engine: str  # "local" or "beam, N worker(s)"
    workers: int
    wall_s: float
    cpu_s: float
    worker_peak_mb: float
    critical_cpu_s: float  # this process's CPU + the busiest worker's: the wall time with a free core per worker
    speedup: float | None = None  # 1-worker Beam wall / this wall, same job and records
    cpu_speedup: float | None = None  # the same ratio of critical_cpu_s: what free cores would give
    checksum: str | None = None  # build rows: the dataset checksum written
    equals_published: bool | None = None  # build rows: checksum == the published one (None: none published)
    equals_local: bool | None = None  # build rows: checksum == the local build's (None: no local build)

    @property
    def records_per_s(self) -> float:
        return self.records / self.wall_s

    def projected_hours(self) -> tuple[float, float]:
        """(wall h, CPU h) of :data:`PROJECTED_RECORDS` records at this row's per-record cost."""
        scale = PROJECTED_RECORDS / self.records / 3600.0
        return self.wall_s * scale, self.cpu_s * scale


def measure(job, *args) -> tuple[float, float, float, float, object]:
    """Run ``job(*args)``; return (wall s, CPU s of this process and its descendants, worker peak MB, critical CPU s, its result).

    The critical CPU time is this process's CPU time plus that of its busiest descendant: the
    wall time the job would take with a free core for each worker (worker start-up included).
    """
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    with ProcessTreeSampler() as sampler:
        result = job(*args)
    wall = time.perf_counter() - wall0
    own = time.process_time() - cpu0
    peaks = sampler.worker_peaks()
    peak = max(peaks) if peaks else sampler.self_peak_mb
    return wall, own + sampler.descendant_cpu_s, peak, own + sampler.busiest_descendant_cpu_s, result


def stream_job(records: list[str], directory: Path, model: str, runner: str, workers: int):
    """The streaming track over ``records`` on ``runner`` (``beam``: ``workers`` DirectRunner processes)."""
    from ecgbench.streaming.classifier import classifier_factory
    from ecgbench.streaming.track import run_track

    options = beam_options(workers) if runner == "beam" else None
    return run_track(records, directory, classifier_factory(model), runner=runner, beam_options=options)


def ecgbench_command() -> list[str]:
    """The ``ecgbench`` console script beside this Python (a venv's), else the one on ``PATH``."""
    beside = Path(sys.executable).with_name("ecgbench")
    return [str(beside)] if beside.is_file() else ["ecgbench"]


def build_job(config: str, source: Path, runner: str, workers: int) -> str:
    """``ecgbench build-dataset --config CONFIG`` into a temporary TFDS folder (removed afterwards); return its dataset checksum."""
    from ecgbench.records.dataset import split_config
    from ecgbench.records.physionet import dataset_checksum

    folder = tempfile.mkdtemp(prefix="ecgbench-scaling-tfds-")
    command = [*ecgbench_command(), "build-dataset", "--config", config, "--manual-dir", str(source), "--tfds-dir", folder]
    if runner == "beam":
        command += ["--runner", "beam", "--beam-options", beam_options(workers)]
    try:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        db, name = split_config(config)
        return dataset_checksum(folder, name, dataset=db)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def published_checksum(config: str, version: str | None = None) -> str | None:
    """The published checksum of ``config`` (``beats``, ``svdb/beats`` …) at ``version`` (default: its highest); None when unpublished."""
    from ecgbench.leaderboard.canonical import read_canonical_checksums
    from ecgbench.records.dataset import split_config

    db, name = split_config(config)
    rows = {v: sha for (n, v), sha in (read_canonical_checksums() or {}).items() if n == f"{db}/{name}"}
    if version is None and rows:
        version = max(rows, key=lambda v: tuple(int(x) for x in v.split(".")))
    return rows.get(version)


def _with_checksum_checks(rows: list[Row]) -> list[Row]:
    """Fill ``equals_published`` and ``equals_local`` of the build rows (job names ``build <db>/<config>``)."""
    for row in rows:
        if row.checksum is None:
            continue
        published = published_checksum(row.job.removeprefix("build "))
        local = next((r.checksum for r in rows if r.job == row.job and r.engine == "local"), None)
        row.equals_published = None if published is None else row.checksum == published
        row.equals_local = None if local is None else row.checksum == local
    return rows


def _with_speedups(rows: list[Row]) -> list[Row]:
    for row in rows:
        reference = next((r for r in rows if (r.job, r.records, r.engine) == (row.job, row.records, "beam, 1 worker")), None)
        row.speedup = reference.wall_s / row.wall_s if reference else None
        row.cpu_speedup = reference.critical_cpu_s / row.critical_cpu_s if reference else None
    return rows


def run(args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    """Measure every requested job; return the rows and notes (skipped parts and why)."""
    from ecgbench.paths import shared_data_dir
    from ecgbench.records.lists import MITDB_RECORDS, SVDB_RECORDS

    shared = shared_data_dir()
    if shared is None or not (shared / "mitdb").is_dir():
        sys.exit("needs the PhysioNet files in ../shared/data/mitdb (the folder was not found)")
    local = [("local", 1)] if args.local else []
    engines = local + [("beam", w) for w in args.workers]
    rows: list[Row] = []
    notes: list[str] = []

    def add(job: str, n: int, runner: str, workers: int, fn, *fn_args) -> None:
        engine = "local" if runner == "local" else f"beam, {workers} worker{'s' if workers > 1 else ''}"
        print(f"… {job} {n} records, {engine}", file=sys.stderr, flush=True)
        wall, cpu, peak, critical, result = measure(fn, *fn_args)
        checksum = result if isinstance(result, str) else None
        rows.append(Row(job, n, engine, 0 if runner == "local" else workers, wall, cpu, peak, critical, checksum=checksum))
        print(f"  wall {wall:.1f} s, CPU {cpu:.1f} s, critical CPU {critical:.1f} s, worker peak {peak:.0f} MB, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)  # fmt: skip

    if "build" in args.jobs:
        from _build_sources import build_sources
        from ecgbench.records.dataset import builder_class, split_config

        for config, source in build_sources(["--configs", ",".join(args.build_configs)]).items():
            db, name = split_config(config)
            cls = builder_class(db)
            n = len(cls.source_records(cls.builder_configs[name].task))
            for runner, workers in local + [("beam", w) for w in args.build_workers]:
                add(f"build {db}/{name}", n, runner, workers, build_job, config, source, runner, workers)
    if "stream" in args.jobs:
        sets = [(f"stream mitdb (first {n})", list(MITDB_RECORDS[:n]), shared / "mitdb") for n in args.sizes]
        if args.svdb:
            if (shared / "svdb").is_dir():
                sets.append(("stream svdb (all 78)", list(SVDB_RECORDS), shared / "svdb"))
            else:
                notes.append("svdb skipped: ../shared/data/svdb not found")
        for job, names, folder in sets:
            for runner, workers in engines:
                add(job, len(names), runner, workers, stream_job, names, folder, args.model, runner, workers)
    return _with_checksum_checks(_with_speedups(rows)), notes


def print_table(rows: list[Row], notes: list[str], args: argparse.Namespace, load: tuple[float, float]) -> None:
    """The Rich table, the projection arithmetic and the notes."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    table = Table(title=f"Beam scale-out · DirectRunner multi_processing · model {args.model} · {os.cpu_count()} cores · "
                        f"load average {load[0]:.1f} before, {load[1]:.1f} after", title_justify="left")  # fmt: skip
    for name in ("job", "records", "engine", "wall s", "CPU s", "CPU/wall", "records/s", "speed-up", "critical CPU s",
                 "speed-up, free cores", "RSS/worker MB", f"{PROJECTED_RECORDS // 1000}k rec. wall h", "CPU h"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("job", "engine") else "right")
    for row in rows:
        wall_h, cpu_h = row.projected_hours()
        speedup = "–" if row.speedup is None else f"{row.speedup:.2f}×"
        cpu_speedup = "–" if row.cpu_speedup is None else f"{row.cpu_speedup:.2f}×"
        table.add_row(row.job, str(row.records), row.engine, f"{row.wall_s:.1f}", f"{row.cpu_s:.1f}", f"{row.cpu_s / row.wall_s:.2f}",
                      f"{row.records_per_s:.3f}",
                      speedup, f"{row.critical_cpu_s:.1f}", cpu_speedup, f"{row.worker_peak_mb:.0f}", f"{wall_h:.1f}", f"{cpu_h:.1f}")  # fmt: skip
    console.print(table)
    builds = [row for row in rows if row.checksum is not None]
    if builds:
        checks = Table(title="Dataset checksums of the builds", title_justify="left")
        for name in ("job", "engine", "checksum", "= published", "= local"):
            checks.add_column(name, justify="left" if name in ("job", "engine", "checksum") else "center")
        for row in builds:
            checks.add_row(row.job, row.engine, row.checksum[:16], _mark(row.equals_published), _mark(row.equals_local))
        console.print(checks)
    console.print(
        f"Projection: hours = seconds measured × {PROJECTED_RECORDS:,} / records / 3600 (the per-record cost of the row, "
        "start-up included, so small runs overstate it). Speed-up: the 1-worker wall time over this row's; target for 2 workers: "
        f"≥ {TARGET_SPEEDUP}× (measured on wall time; on a shared machine a lower bound). Critical CPU = this process's CPU "
        "time + the busiest worker's: the wall time with a free core per worker; 'speed-up, free cores' is its ratio, "
        "derived from CPU times, not a wall-clock measurement."
    )
    for note in notes:
        console.print(f"note: {note}")


def _mark(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "NO")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="build,stream", help="Comma-separated: build, stream.")
    parser.add_argument("--sizes", default="12,24,48", help="Record counts for the stream job (first N MIT-BIH records).")
    parser.add_argument("--workers", default="1,2", help="DirectRunner worker counts.")
    parser.add_argument("--build-configs", default="beats", help="Configs the build job builds: beats, rhythm, svdb/beats, vfdb/rhythm …")
    parser.add_argument("--build-workers", help="DirectRunner worker counts of the build job (default: --workers).")
    parser.add_argument("--svdb", action=argparse.BooleanOptionalAction, default=True, help="Also stream SVDB's 78 records.")
    parser.add_argument("--local", action=argparse.BooleanOptionalAction, default=True, help="Also time the in-process path.")
    parser.add_argument("--model", default="rules", help="Beat classifier streamed (built-in name or baseline).")
    parser.add_argument("--quick", action="store_true", help="Stream 4 records at 1 and 2 workers, build mitdb/rhythm on 1 worker (a smoke check).")
    parser.add_argument("--json", type=Path, help="Also write the rows as JSON to this file.")
    args = parser.parse_args(argv)
    if args.quick:
        args.jobs, args.sizes, args.svdb, args.local = "stream,build", "4", False, False
        args.build_configs, args.build_workers = "rhythm", "1"
    args.jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    unknown = sorted(set(args.jobs) - {"build", "stream"})
    if unknown:
        parser.error(f"--jobs: unknown job(s) {', '.join(unknown)}; valid: build, stream")
    args.sizes = [int(n) for n in args.sizes.split(",")]
    args.workers = [int(n) for n in args.workers.split(",")]
    args.build_workers = args.workers if args.build_workers is None else [int(n) for n in args.build_workers.split(",")]
    args.build_configs = [c.strip() for c in args.build_configs.split(",") if c.strip()]
    return args


def main(argv: list[str] | None = None) -> None:
    """Measure and print the table (and write JSON with ``--json``); exit 1 when a build's checksum differs."""
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    rows, notes = run(args)
    load = (load_before, os.getloadavg()[0])
    print_table(rows, notes, args, load)
    if args.json:
        payload = {"args": {k: str(v) for k, v in vars(args).items()}, "cpu_count": os.cpu_count(), "load_average": load,
                   "rows": [{**asdict(r), "records_per_s": r.records_per_s, "projected_wall_h": r.projected_hours()[0],
                             "projected_cpu_h": r.projected_hours()[1]} for r in rows], "notes": notes}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=1) + "\n")
    differ = [f"{r.job} ({r.engine})" for r in rows if r.equals_published is False or r.equals_local is False]
    if differ:
        sys.exit(f"dataset checksum differs from the published or the local build's: {', '.join(differ)}")


if __name__ == "__main__":
    main()
