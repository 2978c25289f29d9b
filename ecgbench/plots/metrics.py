"""Result figures: confusion matrix, training curves, and a leaderboard chart (score against latency)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ecgbench.errors import ConfigError
from ecgbench.plots.style import new_figure


def plot_confusion_matrix(
    matrix: np.ndarray,
    labels: Sequence[str],
    *,
    normalize: bool = True,
    title: str | None = None,
    xlabel: str = "predicted",
    ylabel: str = "reference",
) -> Figure:
    """Plot a confusion matrix (rows: reference, columns: predicted) with counts in each cell.

    Parameters
    ----------
    matrix : numpy.ndarray
        Square count matrix, ``matrix[i, j]`` = beats of reference class i predicted as j.
    labels : sequence of str
        Class names, one per row/column.
    normalize : bool
        Colour by row fraction (sensitivity per class) instead of raw counts; cells still show counts.
    """
    counts = np.asarray(matrix, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(labels):
        raise ConfigError(f"confusion matrix must be square with one label per row; got {counts.shape} and {len(labels)} labels")
    rows = counts.sum(axis=1, keepdims=True)
    shade = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0) if normalize else counts
    size = 1.0 + 0.6 * len(labels)
    fig = new_figure(size + 1.2, size + 0.3)
    ax = fig.add_subplot()
    image = ax.imshow(shade, cmap="Blues", vmin=0.0, vmax=1.0 if normalize else max(1.0, shade.max()))
    fig.colorbar(image, ax=ax, shrink=0.8, label="row fraction" if normalize else "count")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            text = f"{int(counts[i, j])}" + (f"\n{shade[i, j]:.0%}" if normalize and rows[i, 0] > 0 else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if shade[i, j] > 0.6 * (1.0 if normalize else shade.max()) else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_training_curves(
    history: Mapping[str, Sequence[float]], *, title: str | None = None, best_epoch: int | None = None
) -> Figure:
    """Plot training curves from a Keras-style history dict (``{"loss": [...], "val_loss": [...], ...}``).

    Each metric gets a panel; ``val_<metric>`` is drawn dashed in the same panel as ``<metric>``.
    ``best_epoch`` (1-based), the epoch model selection kept, is marked in every panel.
    """
    if not history:
        raise ConfigError("training history is empty: pass a dict of metric name → per-epoch values")
    metrics = sorted({k[4:] if k.startswith("val_") else k for k in history})
    fig = new_figure(3.0 * len(metrics) + 0.4, 2.8)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, name in zip(axes, metrics):
        for key, style in ((name, "-"), (f"val_{name}", "--")):
            if key in history:
                values = np.asarray(history[key], dtype=float)
                ax.plot(np.arange(1, values.size + 1), values, style, marker="o", markersize=3, label=key)
        if best_epoch is not None:
            ax.axvline(best_epoch, color="0.4", linewidth=0.8, linestyle=":", label=f"selected (epoch {best_epoch})")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_leaderboard(
    entries: Sequence[Mapping[str, object]],
    *,
    x: str = "latency_ms",
    y: str = "accuracy",
    label: str = "name",
    xlabel: str | None = None,
    ylabel: str | None = None,
    log_x: bool = True,
    title: str | None = None,
) -> Figure:
    """Scatter leaderboard entries by two figures (default accuracy against latency), with the Pareto front.

    Parameters
    ----------
    entries : sequence of mapping
        One dict per run, holding at least ``label``, ``x`` and ``y`` keys (missing or non-finite
        values are skipped).
    x, y, label : str
        Keys of the horizontal value (lower is better, e.g. latency in ms), the vertical value
        (higher is better) and the point label.
    """
    points = [(str(e.get(label, "?")), float(e[x]), float(e[y])) for e in entries if x in e and y in e
              and np.isfinite(float(e[x])) and np.isfinite(float(e[y]))]  # fmt: skip
    if not points:
        raise ConfigError(f"no leaderboard entry has finite {x!r} and {y!r} values to plot")
    fig = new_figure(5.5, 4.0)
    ax = fig.add_subplot()
    xs = np.array([p[1] for p in points])
    ys = np.array([p[2] for p in points])
    ax.scatter(xs, ys, color="#2b6cb0", zorder=3)
    for name, px, py in points:
        ax.annotate(name, (px, py), textcoords="offset points", xytext=(4, 4), fontsize=8)
    front = _pareto_front(xs, ys)
    ax.step(xs[front], ys[front], where="post", color="#c53030", alpha=0.6, label="Pareto front")
    if log_x and np.all(xs > 0):
        ax.set_xscale("log")
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def _pareto_front(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Indices of points no other point beats on both lower x and higher y, sorted by x."""
    order = np.lexsort((-ys, xs))
    front, best = [], -np.inf
    for i in order:
        if ys[i] > best:
            front.append(i)
            best = ys[i]
    return np.asarray(front, dtype=int)
