"""A per-class beat gallery: overlaid beats of each class with their median template."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ecgbench.errors import ConfigError
from ecgbench.plots.style import class_colour, ecg_paper, new_figure

MAX_BEATS_PER_CLASS = 50


def plot_beat_gallery(
    beats: np.ndarray,
    labels: Sequence[str],
    sampling_rate: float,
    *,
    classes: Sequence[str] | None = None,
    r_offset: int | None = None,
    max_beats: int = MAX_BEATS_PER_CLASS,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """Plot up to ``max_beats`` beats of each class, overlaid, with the median beat in bold.

    Parameters
    ----------
    beats : numpy.ndarray
        Beats × samples, mV, one window per beat (all the same length).
    labels : sequence of str
        Class of each beat (e.g. AAMI N, S, V, F, Q).
    sampling_rate : float
        Hz.
    classes : sequence of str, optional
        Classes to show, in order (default: those present, sorted); a class with no beats gets an
        empty panel saying so.
    r_offset : int, optional
        Sample index of the R peak inside each window (time 0 on the axis); default the centre.
    max_beats : int
        Beats drawn per class, chosen with a seeded generator when there are more.
    seed : int
        Seed of that choice.
    """
    x = np.asarray(beats, dtype=float)
    labels = np.asarray([str(v) for v in labels])
    if x.ndim != 2 or x.shape[0] != labels.size:
        raise ConfigError(f"beats must be beats × samples with one label per beat; got {x.shape} and {labels.size} labels")
    if x.shape[0] == 0:
        raise ConfigError("no beats to plot: pass at least one beat window")
    order = list(classes) if classes is not None else sorted(set(labels))
    offset = x.shape[1] // 2 if r_offset is None else r_offset
    time = (np.arange(x.shape[1]) - offset) / sampling_rate
    rng = np.random.default_rng(seed)
    fig = new_figure(2.2 * len(order) + 0.4, 2.8)
    axes = fig.subplots(1, len(order), sharey=True, squeeze=False)[0]
    finite = x[np.isfinite(x)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    for ax, cls in zip(axes, order):
        ecg_paper(ax)
        members = np.flatnonzero(labels == cls)
        ax.set_title(f"{cls}  (n={members.size})", fontsize=9, color=class_colour(cls))
        if members.size == 0:
            ax.text(0.5, 0.5, "no beats", transform=ax.transAxes, ha="center", va="center", fontsize=8)
        else:
            shown = rng.choice(members, size=min(max_beats, members.size), replace=False)
            for i in shown:
                ax.plot(time, x[i], color=class_colour(cls), alpha=0.25, linewidth=0.6)
            ax.plot(time, np.nanmedian(x[members], axis=0), color="black", linewidth=1.4)
        ax.set_xlim(time[0], time[-1])
        ax.set_ylim(lo - 0.1, hi + 0.1)
        ax.set_xlabel("time from R (s)", fontsize=8)
    axes[0].set_ylabel("mV", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
