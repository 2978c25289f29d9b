"""A record segment on ECG paper with reference and predicted beat labels and rhythm bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ecgbench.errors import ConfigError
from ecgbench.plots.style import (
    CLASS_COLOURS,
    RHYTHM_COLOURS,
    class_colour,
    ecg_paper,
    new_figure,
    paper_size_in,
)

LABEL_MARGIN_MV = 0.45  # room above/below the trace for the reference/predicted label rows
MIN_LEAD_RANGE_MV = 2.0


def plot_record_segment(
    signal: np.ndarray,
    sampling_rate: float,
    *,
    start_s: float = 0.0,
    lead_names: Sequence[str] | None = None,
    ref_samples: np.ndarray | None = None,
    ref_labels: Sequence[str] | None = None,
    pred_samples: np.ndarray | None = None,
    pred_labels: Sequence[str] | None = None,
    rhythms: Sequence[tuple[float, float, str]] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot a segment on ECG paper (25 mm/s, 10 mm/mV) with beat labels and rhythm bands.

    Parameters
    ----------
    signal : numpy.ndarray
        Samples × leads in mV (1-D: one lead), the segment only.
    sampling_rate : float
        Hz.
    start_s : float
        Time of the first sample in the record, seconds (for the time labels).
    lead_names : sequence of str, optional
        One per lead.
    ref_samples, pred_samples : numpy.ndarray, optional
        Beat positions in samples relative to the segment start.
    ref_labels, pred_labels : sequence of str, optional
        One label per beat (AAMI letters are coloured by class; any symbol is printed).
        Reference labels are printed above the first lead, predicted ones below it; a predicted
        label that differs from the nearest reference label is boxed.
    rhythms : sequence of (start_s, end_s, label), optional
        Rhythm intervals in seconds relative to the segment start, drawn as coloured bands.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = np.asarray(signal, dtype=float)
    data = data[:, None] if data.ndim == 1 else data
    if data.ndim != 2 or data.shape[0] < 2:
        raise ConfigError(f"signal must be samples × leads with at least 2 samples, got shape {np.shape(signal)}")
    if not sampling_rate > 0:
        raise ConfigError(f"sampling_rate must be positive, got {sampling_rate!r}")
    n, n_leads = data.shape
    names = list(lead_names) if lead_names is not None else [f"lead {i + 1}" for i in range(n_leads)]
    time = start_s + np.arange(n) / sampling_rate
    duration = n / sampling_rate
    ranges = []
    for k in range(n_leads):
        lo, hi = np.nanmin(data[:, k]), np.nanmax(data[:, k])
        pad = max(0.0, MIN_LEAD_RANGE_MV - (hi - lo)) / 2
        extra = LABEL_MARGIN_MV if k == 0 else 0.15
        ranges.append((lo - pad - extra, hi + pad + extra))
    heights = [hi - lo for lo, hi in ranges]
    width_in, _ = paper_size_in(duration, 1.0)
    height_in = sum(paper_size_in(1.0, h)[1] for h in heights)
    fig = new_figure(width_in + 0.8, height_in + 0.9)
    axes = fig.subplots(n_leads, 1, sharex=True, gridspec_kw={"height_ratios": heights}, squeeze=False)[:, 0]
    for k, ax in enumerate(axes):
        ecg_paper(ax)
        _rhythm_bands(ax, rhythms or [], start_s)
        ax.plot(time, data[:, k], color="black", linewidth=0.8)
        ax.set_xlim(time[0], time[0] + duration)
        ax.set_ylim(*ranges[k])
        ax.set_ylabel(f"{names[k]} (mV)", fontsize=8)
    first = axes[0]
    lo, hi = ranges[0]
    if ref_samples is not None:
        _labels(first, start_s + np.asarray(ref_samples) / sampling_rate, ref_labels, hi - 0.2, None)
    if pred_samples is not None:
        mismatch = _mismatches(ref_samples, ref_labels, pred_samples, pred_labels, 0.15 * sampling_rate)
        _labels(first, start_s + np.asarray(pred_samples) / sampling_rate, pred_labels, lo + 0.2, mismatch)
    axes[-1].set_xlabel("time (s)  —  grid 0.04 s × 0.1 mV, bold 0.2 s × 0.5 mV", fontsize=8)
    handles = [Patch(color=c, label=k) for k, c in CLASS_COLOURS.items()]
    first.legend(
        handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=6, ncol=5, frameon=False,
        title="labels: reference above, predicted below (boxed: differs)", title_fontsize=6,
    )
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _rhythm_bands(ax, rhythms: Sequence[tuple[float, float, str]], start_s: float) -> None:
    labels = sorted({label for _, _, label in rhythms})
    for begin, end, label in rhythms:
        colour = RHYTHM_COLOURS[labels.index(label) % len(RHYTHM_COLOURS)]
        ax.axvspan(start_s + begin, start_s + end, color=colour, alpha=0.45, zorder=0.5, linewidth=0)
        ax.text(start_s + begin + 0.02, 1.0, f"({label}", transform=ax.get_xaxis_transform(), fontsize=7,
                va="top", ha="left", color="#2d3748", clip_on=True)  # fmt: skip


def _labels(ax, times: np.ndarray, labels: Sequence[str] | None, y: float, boxed: np.ndarray | None) -> None:
    labels = list(labels) if labels is not None else ["•"] * len(times)
    if len(labels) != len(times):
        raise ConfigError(f"got {len(times)} beat positions but {len(labels)} labels; give one label per beat")
    for i, (t, label) in enumerate(zip(times, labels)):
        box = {"boxstyle": "round,pad=0.15", "fc": "#fff3bf", "ec": "#c53030"} if boxed is not None and boxed[i] else None
        ax.text(t, y, str(label), color=class_colour(label), fontsize=7, ha="center", va="center", fontweight="bold", bbox=box)


def _mismatches(ref_samples, ref_labels, pred_samples, pred_labels, window: float) -> np.ndarray:
    """True for each predicted beat whose label differs from the reference beat within ``window`` samples."""
    pred = np.asarray(pred_samples)
    out = np.zeros(pred.size, dtype=bool)
    if ref_samples is None or ref_labels is None or pred_labels is None or len(ref_samples) == 0:
        return out
    ref = np.asarray(ref_samples)
    order = np.argsort(ref)
    ref, ref_lab = ref[order], np.asarray(ref_labels)[order]
    idx = np.clip(np.searchsorted(ref, pred), 1, ref.size - 1) if ref.size > 1 else np.zeros(pred.size, int)
    for i, p in enumerate(pred):
        j = idx[i] if ref.size == 1 or abs(ref[idx[i]] - p) < abs(ref[idx[i] - 1] - p) else idx[i] - 1
        out[i] = abs(ref[j] - p) > window or str(ref_lab[j]) != str(pred_labels[i])
    return out
