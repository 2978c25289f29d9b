"""Task ``digitize``: DS2 segments rendered as ECG paper images and read back (OpenCV).

Median SNR (dB) of the recovered signal against the original (Challenge-2024 definition) and EC57
QRS Se/+P of the online detector on the recovered signal, for clean and degraded images. Its run
is the ``ecgbench run digitize`` command (segments, duration, dpi are options).
"""

from __future__ import annotations

from ecgbench.leaderboard.tracks import Column, Track
from ecgbench.tasks.base import InputField, RunCommand, SplitRoles, Task, metrics_of

COLUMNS: tuple[Column, ...] = (
    Column("snr_db.clean.median", "SNR clean p50 (dB)"),
    Column("snr_db.degraded.median", "SNR degraded p50 (dB)"),
    Column("qrs.clean.se", "QRS Se clean"),
    Column("qrs.clean.ppv", "QRS +P clean"),
    Column("qrs.degraded.se", "QRS Se degraded"),
    Column("qrs.degraded.ppv", "QRS +P degraded"),
    Column("failures.degraded", "failed (degraded)"),
)

BOARD = Track(
    task="digitize",
    title="Digitisation (paper image → signal)",
    note=(
        "Records rendered as ECG paper images (clean and degraded: blur, noise, rotation, grid) and read back "
        "with OpenCV; median SNR (dB) of the recovered signal against the original, and EC57 QRS Se/+P of the "
        "online detector on the recovered signal."
    ),
    columns=COLUMNS,
    units="SNR in dB; QRS Se/+P in percent; failures are segment counts",
    recompute_note="digitisation figures come from the rendered images, which the run does not keep",
)

TASK = Task(
    name="digitize",
    title="ECG paper images of DS2 segments read back to signals (clean and degraded)",
    dataset=None,
    splits=SplitRoles(train=None, val=None, test="ds2"),
    inputs=(InputField("image", (-1, -1, 3), "pixels", "rendered ECG paper, size set by duration and dpi"),),
    sampling_rate=360.0,
    leads=("lead 0 (MLII in most records)", "lead 1 (V1 in most records)"),
    metrics=metrics_of(BOARD, ("failures.degraded",)),
    ranking_metric="snr_db.clean.median",
    board=BOARD,
    command=RunCommand("digitize"),
)
