"""Throughput of the beat training pipeline (beats/s) with every augmentation on.

Builds a realistic-size in-memory split (default 50,000 synthetic beats of 288 × 2 samples with the
ds1 class mix; or ``--split ds1_train`` to use the built TFDS dataset), fits the normaliser, then
times full epochs of ``make_beat_pipeline(training=True)`` after one warm-up epoch. The reference
row (no augmentation) is measured in the same run, so the ratio survives a loaded machine. A last
row runs the augmented case with tf.data's autotuner turned back on (the pipeline turns it off;
see :func:`ecgbench.data.pipeline.pipeline_options`), so the setting's effect is measured in the
same run too.
Real NSTDB noise is used when ``../shared/data/nstdb`` (or ``--data-dir``) exists; otherwise a
synthetic noise bank, said so in the output.

Each case is timed ``--repeats`` times, the cases interleaved (reference, augmented, balanced,
reference, …) so that a burst of load from other jobs hits every case alike. The target and the
ratio to the reference are judged on the median repeat, the typical rate on this shared machine;
the best repeat is shown beside it as the rate with the least interference from other jobs
(what :mod:`timeit` reports). ``--json`` keeps every repeat.

    python benchmarks/pipeline.py [--beats 50000] [--batch-size 256] [--epochs 2] [--repeats 3] [--json] [--quick]

Quick scope (``--quick``): 10,000 synthetic beats, one timed epoch, one repeat per case (every
case still built, warmed up and timed): a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ecgbench.runner.tf_environment import prepare_tensorflow_process

TARGET_BEATS_PER_S = 50_000
#: The augmented case again with tf.data's autotuner on, as the pipeline ran before it was turned off.
AUTOTUNER_CASE = "every augmentation, p=1, tf.data autotuner on"
_DS1_CLASS_MIX = (0.894, 0.020, 0.075, 0.008, 0.003)  # approximate N, S, V, F, Q shares of MIT-BIH DS1

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def synthetic_split(n_beats: int, seed: int) -> dict[str, np.ndarray]:
    """``n_beats`` Gaussian-wave beats (mV) with noise, labels at the DS1 mix and plausible RR intervals (s)."""
    from ecgbench.records.synthetic import synthetic_ecg

    rng = np.random.default_rng(seed)
    ecg = synthetic_ecg(duration=n_beats / 72 * 60 / 20 + 5, heart_rate=72.0, symbols="NNNNV", seed=seed)
    peaks = ecg.r_peaks[(ecg.r_peaks > 108) & (ecg.r_peaks < ecg.signal.shape[0] - 180)]
    templates = np.stack([ecg.signal[p - 108 : p + 180] for p in peaks])
    signal = templates[rng.integers(0, len(templates), n_beats)]
    signal = signal * rng.uniform(0.7, 1.3, (n_beats, 1, 2)) + rng.normal(0, 0.02, signal.shape)
    rr_average = rng.uniform(0.6, 1.1, n_beats)
    return {
        "signal": signal.astype(np.float32),
        "label": rng.choice(5, n_beats, p=_DS1_CLASS_MIX).astype(np.int64),
        "rr_pre": (rr_average * rng.uniform(0.7, 1.2, n_beats)).astype(np.float32),
        "rr_post": (rr_average * rng.uniform(0.8, 1.3, n_beats)).astype(np.float32),
        "rr_local": (rr_average * rng.uniform(0.9, 1.1, n_beats)).astype(np.float32),
        "rr_average": rr_average.astype(np.float32),
    }


def autotuner_on():
    """``tf.data.Options`` that turn back on the autotuner ``make_beat_pipeline`` turns off (comparison row)."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = True
    return options


def warm_up(pipeline) -> None:
    """Run one untimed epoch (traces the map functions, fills the constants)."""
    for _ in pipeline:
        pass


def time_epochs(pipeline, epochs: int) -> tuple[float, float, int]:
    """Time ``epochs`` epochs of a warmed-up pipeline; return (wall seconds, process CPU seconds, beats).

    CPU seconds (all threads of this process) show the pipeline's cost independently of how much of
    the machine other jobs take; beats per CPU-second × free cores bounds the wall-clock rate.
    """
    beats = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        for _, label in pipeline:
            beats += int(label.shape[0])
    return time.perf_counter() - start, time.process_time() - start_cpu, beats


@app.command()
def main(
    beats: Annotated[int, typer.Option(help="Synthetic beats in the in-memory split.")] = 50_000,
    batch_size: Annotated[int, typer.Option(help="Beats per batch.")] = 256,
    epochs: Annotated[int, typer.Option(help="Timed epochs per repeat (after one warm-up epoch).")] = 2,
    repeats: Annotated[int, typer.Option(min=1, help="Timed repeats per case, interleaved across cases.")] = 3,
    split: Annotated[
        str | None, typer.Option(help="Use this built TFDS split (e.g. ds1_train) instead of synthetic beats.")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Raw data root holding nstdb/ (default ../shared/data).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="10,000 beats, 1 epoch, 1 repeat (a smoke check).")] = False,
) -> None:
    """Measure training-pipeline beats/s with and without augmentation."""
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    if quick:
        beats, epochs, repeats = 10_000, 1, 1
    from ecgbench.data import AugmentConfig, NoiseBank, fit_normalizer, load_noise_bank, load_split, make_beat_pipeline
    from ecgbench.paths import shared_data_dir

    if split:
        from ecgbench.data import to_numpy

        arrays = to_numpy(load_split(split))
        source = f"TFDS {split}"
    else:
        arrays = synthetic_split(beats, seed=0)
        source = "synthetic"
    data_root = data_dir or shared_data_dir()
    if data_root is not None and (Path(data_root) / "nstdb").is_dir():
        noise, noise_source = load_noise_bank(data_root), "NSTDB bw+ma"
    else:
        rng = np.random.default_rng(1)
        fake = {kind: np.cumsum(rng.normal(0, 0.01, (650_000, 2)), axis=0) for kind in ("bw", "ma")}
        noise, noise_source = NoiseBank.from_arrays(fake), "synthetic random walk (NSTDB absent)"
    normalizer = fit_normalizer(arrays, per_beat="median")
    every = AugmentConfig().with_probability(1.0)
    cases = [
        ("no augmentation (reference)", dict(augment=None, balance=None)),
        ("every augmentation, p=1", dict(augment=every, balance=None)),
        ("every augmentation, p=1, balance=sqrt", dict(augment=every, balance="sqrt")),
        (AUTOTUNER_CASE, dict(augment=every, balance=None)),
    ]
    pipelines = []
    for name, options in cases:
        pipeline = make_beat_pipeline(
            arrays, normalizer, batch_size=batch_size, training=True, seed=0, noise=noise, **options
        )
        if name == AUTOTUNER_CASE:
            pipeline = pipeline.with_options(autotuner_on())
        warm_up(pipeline)
        pipelines.append(pipeline)
    timings: list[list[tuple[float, float, int]]] = [[] for _ in cases]
    for _ in range(repeats):
        for timing, pipeline in zip(timings, pipelines, strict=True):
            timing.append(time_epochs(pipeline, epochs))
    rows = []
    for (name, _), timing in zip(cases, timings, strict=True):
        rates = [n / seconds for seconds, _, n in timing]
        best = int(np.argmax(rates))
        seconds, cpu_seconds, n = timing[best]
        rows.append({
            "case": name, "beats": n, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "beats_per_s": rates[best], "beats_per_s_median": float(np.median(rates)),
            "beats_per_cpu_s": n / cpu_seconds, "repeats_beats_per_s": rates,
        })  # fmt: skip
    reference = rows[0]["beats_per_s_median"]
    for row in rows:
        row["relative_to_reference"] = row["beats_per_s_median"] / reference
    meta = {
        "source": source, "n_beats": int(arrays["label"].shape[0]), "batch_size": batch_size, "epochs": epochs,
        "repeats": repeats, "noise": noise_source, "cpu_count": os.cpu_count(), "load_average_1min": os.getloadavg()[0],
        "target_beats_per_s": TARGET_BEATS_PER_S,
    }  # fmt: skip
    if as_json:
        import json

        print(json.dumps({"meta": meta, "rows": rows}, indent=2))
        return
    console = Console()
    title = (
        f"Beat training pipeline: {meta['n_beats']} {source} beats, batch {batch_size}, noise {noise_source}; "
        f"best and median of {repeats} repeats of {epochs} epochs"
    )
    table = Table(title=title)
    columns = ("case", "beats/s (wall, median)", "beats/s (wall, best)", "beats/CPU-s (best)", "× reference (median)", "target (median)")
    for column in columns:
        table.add_column(column, justify="left" if column == "case" else "right")
    for row in rows:
        hit = "≥ 50k ✓" if row["beats_per_s_median"] >= TARGET_BEATS_PER_S else "< 50k ✗"
        table.add_row(
            row["case"],
            f"{row['beats_per_s_median']:,.0f}",
            f"{row['beats_per_s']:,.0f}",
            f"{row['beats_per_cpu_s']:,.0f}",
            f"{row['relative_to_reference']:.2f}",
            hit,
        )
    console.print(table)
    console.print(
        f"{meta['cpu_count']} CPUs, 1-min load average {meta['load_average_1min']:.1f} (other jobs share the machine); "
        f"beats/CPU-s × free cores bounds the wall-clock rate"
    )


if __name__ == "__main__":
    app()
