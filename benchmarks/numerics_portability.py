"""Which TensorFlow/oneDNN setting makes training give the same digits on every AVX2 CPU, and what it costs.

Trains ``cnn1d`` with one seed (``ecgbench run baseline cnn1d --quick`` by default, ``--full`` for
the real recipe) once per setting, each in its own process (the variables are read when
TensorFlow is imported), and prints per setting: whether the test predictions equal those of
the AVX2 cap bit for bit, the epochs run, the training time per epoch (seconds, best of
``--repeats``; runs stop early at different epochs) and its ratio to TensorFlow's default. Settings: TensorFlow's default (oneDNN on, every ISA the CPU has); the AVX2
cap (ecgbench's portable default) with 2 and 1 intra-op threads; the AVX2_VNNI cap (an AVX2 CPU
with VNNI, e.g. Alder Lake); the AVX cap; oneDNN's TensorFlow ops off, alone and with the AVX2 cap.

Run it on a CPU with AVX-512 to see the default differ. Training times on a shared machine are
noisy: repeat and compare the ratios, not the seconds.

    python benchmarks/numerics_portability.py --output-dir ~/ecgbench_data/tfds [--repeats 2] [--full] [--quick]

Quick scope (``--quick``): two settings only, the AVX2 cap and TensorFlow's default (two ``--quick``
trainings instead of seven): a smoke check of the same code, not the published figure.
(``--full`` is another option: the full training recipe instead of ``run baseline --quick``.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

#: Setting label → environment variables (ECGBENCH_NUMERICS=native keeps TensorFlow's default).
SETTINGS: dict[str, dict[str, str]] = {
    "native": {"ECGBENCH_NUMERICS": "native"},
    "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "avx2-1thread": {"ONEDNN_MAX_CPU_ISA": "AVX2", "TF_NUM_INTRAOP_THREADS": "1"},
    "avx2_vnni": {"ONEDNN_MAX_CPU_ISA": "AVX2_VNNI"},
    "avx": {"ONEDNN_MAX_CPU_ISA": "AVX"},
    "onednn-off": {"ECGBENCH_NUMERICS": "native", "TF_ENABLE_ONEDNN_OPTS": "0"},
    "onednn-off+avx2": {"TF_ENABLE_ONEDNN_OPTS": "0", "ONEDNN_MAX_CPU_ISA": "AVX2"},
}
#: The portable setting (ecgbench's default) every other one is compared with, and TensorFlow's default.
REFERENCE = "avx2"
DEFAULT = "native"
_CLEARED = ("ONEDNN_MAX_CPU_ISA", "TF_ENABLE_ONEDNN_OPTS", "TF_NUM_INTRAOP_THREADS", "ECGBENCH_NUMERICS")


def _train(env: dict[str, str], results: Path, seed: int, full: bool, output_dir: Path | None) -> tuple[np.ndarray, float, int]:
    """One training run in a fresh process; return test probabilities, training seconds and epochs run."""
    command = [sys.executable, "-c", "from ecgbench.cli import main; main()", "run", "baseline", "cnn1d", "--seed", str(seed),
               "--results-dir", str(results), "--bootstrap", "10", "--json"]  # fmt: skip
    if not full:
        command.append("--quick")
    if output_dir is not None:
        command += ["--output-dir", str(output_dir)]
    base = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    done = subprocess.run(command, env={**base, **env}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"training failed under {env}:\n{done.stderr[-2000:]}")
    record = json.loads(done.stdout)
    probabilities = np.load(Path(record["record_path"]).with_suffix(".npz"))["probabilities"]
    return probabilities, float(record["training"]["seconds"]), int(record["training"]["epochs_run"])


def main(
    output_dir: Annotated[Path | None, typer.Option(help="Built TFDS datasets (default $ECGBENCH_TFDS_DIR).")] = None,
    seed: Annotated[int, typer.Option(help="Training seed.")] = 0,
    repeats: Annotated[int, typer.Option(help="Runs per setting; the fastest training time is shown.")] = 1,
    full: Annotated[bool, typer.Option("--full", help="The full recipe instead of --quick (minutes per run).")] = False,
    settings: Annotated[str, typer.Option(help=f"Comma-separated settings to run (always with {REFERENCE} and {DEFAULT}): {', '.join(SETTINGS)}.")] = ",".join(SETTINGS),
    quick: Annotated[bool, typer.Option("--quick", help=f"Only {REFERENCE} and {DEFAULT} (a smoke check).")] = False,
) -> None:
    """Train one seed under each setting and print identical-digits and speed per setting."""
    if quick:
        settings = ""
    chosen = {REFERENCE, DEFAULT, *(name.strip() for name in settings.split(",") if name.strip())}
    unknown = sorted(chosen - set(SETTINGS))
    if unknown:
        raise typer.BadParameter(f"unknown setting(s) {', '.join(unknown)}; choose from {', '.join(SETTINGS)}")
    runs = {name: env for name, env in SETTINGS.items() if name in chosen}
    console = Console(width=None if sys.stdout.isatty() else 160)
    rows: dict[str, tuple[np.ndarray, float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="ecgbench-numerics-") as scratch, Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task("training", total=len(runs) * repeats)
        for round_ in range(repeats):  # interleaved, so load changes hit every setting alike
            for i, (label, env) in enumerate(runs.items()):
                progress.update(task, description=f"{label} (run {round_ + 1})")
                probabilities, seconds, epochs = _train(env, Path(scratch) / f"{i}-{round_}", seed, full, output_dir)
                if label in rows and not np.array_equal(rows[label][0], probabilities):
                    raise SystemExit(f"{label}: two runs of one setting differ; op determinism is not in effect")
                best = min(seconds, rows[label][1]) if label in rows else seconds
                rows[label] = (probabilities, best / epochs, epochs)  # early stopping: compare per epoch
                progress.advance(task)
    reference, default_per_epoch = rows[REFERENCE][0], rows[DEFAULT][1]
    table = Table(title=f"cnn1d seed {seed} ({'full recipe' if full else '--quick'}): digits and training time per setting")
    for name in ("setting", "environment", "predictions = avx2", "max |Δp|", "epochs", "s / epoch", "× native"):
        table.add_column(name, justify="left" if name in ("setting", "environment") else "right")
    for label, (probabilities, per_epoch, epochs) in rows.items():
        same = np.array_equal(probabilities, reference)
        environment = " ".join(f"{k}={v}" for k, v in SETTINGS[label].items())
        table.add_row(label, environment, "yes" if same else "no", f"{np.abs(probabilities - reference).max():.2e}",
                      str(epochs), f"{per_epoch:.1f}", f"{per_epoch / default_per_epoch:.2f}")  # fmt: skip
    console.print(table)
    from ecgbench.leaderboard.provenance import cpu_isa_flags

    console.print(f"CPU ISA flags: {' '.join(cpu_isa_flags() or ['unknown'])}", highlight=False)


if __name__ == "__main__":
    typer.run(main)
