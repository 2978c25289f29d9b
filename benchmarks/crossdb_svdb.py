"""Run every beat baseline on ``beats-crossdb-svdb`` and print the SVDB table and the DS2 → SVDB gap.

Run: ``python benchmarks/crossdb_svdb.py [--results-dir leaderboards/results] [--write] [--only cnn1d,prior] [--table-only]``.

The SVDB test split and MIT-BIH DS1 are read once; each submission is then run as
``ecgbench run beats-crossdb-svdb NAME --seed S`` would run it (:func:`ecgbench.runner.crossdb.run_crossdb`):
the estimators (``prior``, ``rr-lda``) are fitted on DS1 once; each trained baseline is run at every
seed whose committed ``beats-interpatient`` run saved a model. Without ``--write`` the new records
go to a temporary results tree (the committed ``beats-interpatient`` runs linked into it), so a
re-run checks the published figures without adding to them; with ``--write`` they go to
``<results-dir>/beats-crossdb-svdb/``. ``--table-only`` runs nothing and prints the table from
the records in ``--results-dir``. Targets of issue 30 (printed, never tuned for): the best baseline's SVEB F1
and VEB F1 on SVDB within 10 points of its DS2 figures, and above rr-lda's on SVDB.

Quick scope (``--quick``): ``cnn1d`` at its lowest committed seed only (one model, no estimator
fitted), into a temporary tree as without ``--write``: a smoke check of the same code, not the
published figure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecgbench.runner.tf_environment import prepare_tensorflow_process

TASK = "beats-crossdb-svdb"
#: Deterministic estimators (one run each) and the trained baselines reused from beats-interpatient.
ESTIMATORS: tuple[str, ...] = ("prior", "rr-lda")
TRAINED: tuple[str, ...] = (
    "cnn1d", "cnn1d-causal", "cnn1d-causal-ensemble", "cnn1d-context", "cnn1d-context-ensemble", "cnn1d-context-afgate",
    "cnn1d-context-ensemble-afgate", "cnn1d-context-ensemble-afgate-2lead", "resnet1d",
)  # fmt: skip
FIGURES: tuple[tuple[str, str], ...] = (
    ("gross.accuracy", "Acc"), ("gross.sveb.se", "SVEB Se"), ("gross.sveb.ppv", "SVEB +P"), ("gross.sveb.f1", "SVEB F1"),
    ("gross.veb.se", "VEB Se"), ("gross.veb.ppv", "VEB +P"), ("gross.veb.f1", "VEB F1"),
)  # fmt: skip
GAP_POINTS = 10.0


def run_all(results_dir: Path, names: list[str], tfds_dir: str | None, max_seeds: int | None = None) -> None:
    """Run every submission of ``names`` (each committed seed of the trained ones, the lowest ``max_seeds``) and write their records."""
    from rich.progress import Progress

    from ecgbench.leaderboard.pretrained import _runs_with_models
    from ecgbench.runner.crossdb import with_training_splits, load_external_test, run_crossdb
    from ecgbench.tasks import get_task

    task = get_task(TASK)
    data = load_external_test(task, tfds_dir)
    if any(name in ESTIMATORS for name in names):
        data = with_training_splits(data, tfds_dir)
    jobs = [(name, None) for name in names if name in ESTIMATORS]
    for name in (n for n in names if n not in ESTIMATORS):
        seeds = sorted(_runs_with_models(name, task.params["reference_task"], results_dir))[:max_seeds]
        if not seeds:
            print(f"warning: {name} has no committed {task.params['reference_task']} run with a saved model; skipped", file=sys.stderr)
        jobs += [(name, seed) for seed in seeds]
    with Progress(transient=False) as progress:
        bar = progress.add_task(f"{TASK}: {len(jobs)} runs", total=len(jobs))
        for name, seed in jobs:
            progress.update(bar, description=f"{name} seed {seed if seed is not None else 'recipe'}")
            run = run_crossdb(task, name, seed=seed, results_dir=results_dir, data=data)
            progress.console.print(f"{run.record_path.name}: accuracy {run.record['metrics']['gross.accuracy']['value']:.2f}")
            progress.advance(bar)


def _board(results_dir: Path, task: str):
    from ecgbench.leaderboard.store import load_entries
    from ecgbench.leaderboard.table import build_board

    entries, _ = load_entries(results_dir)
    return build_board(task, entries, results_dir.parent)


def print_tables(results_dir: Path, reference_dir: Path | None = None) -> None:
    """Print the SVDB means ± sd over seeds, the DS2 means beside them (from ``reference_dir``, default ``results_dir``), and the targets."""
    from rich.console import Console
    from rich.table import Table

    from ecgbench.tasks import get_task

    svdb = {s.submission: s for s in _board(results_dir, TASK).standings}
    ds2 = {s.submission: s for s in _board(reference_dir or results_dir, get_task(TASK).params["reference_task"]).standings}
    console = Console()

    def cell(standing, key):
        mean, sd = standing.mean.get(key), standing.sd.get(key)
        return "–" if mean is None else f"{mean:.2f}" + ("" if sd is None else f" ± {sd:.2f}")

    table = Table(title=f"{TASK}: SVDB (78 records), mean ± sd over seeds")
    for header in ("submission", "seeds", *(label for _, label in FIGURES)):
        table.add_column(header, justify="right" if header != "submission" else "left")
    for name, standing in svdb.items():
        table.add_row(name, str(len(standing.runs)), *(cell(standing, key) for key, _ in FIGURES))
    console.print(table)

    gap = Table(title="DS2 → SVDB (seed means; Δ = SVDB − DS2, points)")
    for header in ("submission", "Acc DS2", "Acc SVDB", "Δ", "SVEB F1 DS2", "SVEB F1 SVDB", "Δ", "VEB F1 DS2", "VEB F1 SVDB", "Δ"):
        gap.add_column(header, justify="right" if header != "submission" else "left")
    for name, standing in svdb.items():
        row = [name]
        for key in ("gross.accuracy", "gross.sveb.f1", "gross.veb.f1"):
            a = ds2[name].mean.get(key) if name in ds2 else None
            b = standing.mean.get(key)
            row += ["–" if a is None else f"{a:.2f}", "–" if b is None else f"{b:.2f}", "–" if a is None or b is None else f"{b - a:+.2f}"]
        gap.add_row(*row)
    console.print(gap)

    ranked = [s for s in svdb.values() if s.ranked]
    if not ranked or "rr-lda" not in svdb:
        console.print("targets: not evaluated (need ranked submissions and rr-lda on SVDB)")
        return
    best = min(ranked, key=lambda s: s.rank)  # the board's best (ranked by accuracy, the task's ranking metric)
    lda = svdb["rr-lda"]
    for key, label in (("gross.sveb.f1", "SVEB F1"), ("gross.veb.f1", "VEB F1")):
        b, d, r = best.mean.get(key), ds2.get(best.submission).mean.get(key) if best.submission in ds2 else None, lda.mean.get(key)
        within = b is not None and d is not None and abs(b - d) <= GAP_POINTS
        above = b is not None and r is not None and b > r
        console.print(f"target {label} ({best.submission}, rank 1 on SVDB): SVDB {b:.2f} vs DS2 {d:.2f} → within {GAP_POINTS:g} points: "
                      f"{'yes' if within else 'NO'}; vs rr-lda {r:.2f} → better: {'yes' if above else 'NO'}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results-dir", type=Path, default=Path("leaderboards/results"))
    parser.add_argument("--tfds-dir", default=None)
    parser.add_argument("--only", default="", help="comma-separated submissions (default: every beat baseline)")
    parser.add_argument("--table-only", action="store_true", help="print the tables from the records; run nothing")
    parser.add_argument("--write", action="store_true", help="add the new records to --results-dir (default: a temporary tree)")
    parser.add_argument("--quick", action="store_true", help="cnn1d at its lowest committed seed, in a temporary tree (a smoke check)")
    args = parser.parse_args(argv)
    if args.quick and (args.write or args.table_only):
        parser.error("--quick runs into a temporary tree: drop --write / --table-only")
    names = ["cnn1d"] if args.quick else [n for n in args.only.split(",") if n] or [*ESTIMATORS, *TRAINED]
    if args.table_only:
        print_tables(args.results_dir)
        return 0
    if args.write:
        run_all(args.results_dir, names, args.tfds_dir)
        print_tables(args.results_dir)
        return 0
    import tempfile

    with tempfile.TemporaryDirectory(prefix="crossdb-bench-") as scratch:
        results = Path(scratch) / "results"
        results.mkdir()
        reference = args.results_dir.resolve() / "beats-interpatient"
        (results / "beats-interpatient").symlink_to(reference, target_is_directory=True)
        run_all(results, names, args.tfds_dir, max_seeds=1 if args.quick else None)
        print_tables(results, args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
