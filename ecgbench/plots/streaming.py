"""A streaming timeline: the signal as it was replayed, detected beats, alarms and processing latency."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ecgbench.errors import ConfigError
from ecgbench.plots.style import class_colour, new_figure

ALARM_COLOURS = {"critical": "#c53030", "warning": "#d69e2e", "info": "#2b6cb0"}


def plot_stream_timeline(
    signal: np.ndarray,
    sampling_rate: float,
    *,
    beat_samples: np.ndarray | None = None,
    beat_labels: Sequence[str] | None = None,
    alarms: Sequence[Mapping[str, object]] = (),
    latency_s: tuple[np.ndarray, np.ndarray] | None = None,
    start_s: float = 0.0,
    title: str | None = None,
) -> Figure:
    """Plot a streamed recording with beats, alarm intervals and (optionally) latency over time.

    Parameters
    ----------
    signal : numpy.ndarray
        One lead, mV.
    sampling_rate : float
        Hz.
    beat_samples, beat_labels : optional
        Detected beats (samples from the start of ``signal``) and their classes.
    alarms : sequence of mapping
        Each with ``start`` and ``end`` (seconds from the start of ``signal``), ``label`` and
        optionally ``level`` (``critical``, ``warning``, ``info``) and ``raised_at`` (seconds: when
        the alarm was raised, drawn as a marker).
    latency_s : (times, latencies), optional
        Processing latency (seconds) against stream time (seconds), drawn in a lower panel.
    start_s : float
        Time of the first sample, seconds.
    """
    x = np.asarray(signal, dtype=float).ravel()
    if x.size < 2 or not sampling_rate > 0:
        raise ConfigError(f"need a 1-D signal of at least 2 samples and a positive sampling rate; got {x.size} samples at {sampling_rate!r} Hz")
    time = start_s + np.arange(x.size) / sampling_rate
    panels = 2 if latency_s is not None else 1
    fig = new_figure(10.0, 2.6 + 1.6 * (panels - 1))
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False, gridspec_kw={"height_ratios": [3, 1.4][:panels]})[:, 0]
    ax = axes[0]
    ax.plot(time, x, color="black", linewidth=0.6)
    lo, hi = np.nanmin(x), np.nanmax(x)
    for alarm in alarms:
        level = str(alarm.get("level", "warning"))
        colour = ALARM_COLOURS.get(level, ALARM_COLOURS["warning"])
        begin, end = start_s + float(alarm["start"]), start_s + float(alarm["end"])
        ax.axvspan(begin, end, color=colour, alpha=0.18, linewidth=0)
        ax.text(begin, 0.97, f" {alarm.get('label', 'alarm')}", transform=ax.get_xaxis_transform(), fontsize=7,
                va="top", color=colour, fontweight="bold", clip_on=True)  # fmt: skip
        if "raised_at" in alarm:
            ax.axvline(start_s + float(alarm["raised_at"]), color=colour, linestyle="--", linewidth=1.0)
    if beat_samples is not None:
        beats = np.asarray(beat_samples, dtype=int)
        labels = list(beat_labels) if beat_labels is not None else ["N"] * beats.size
        if len(labels) != beats.size:
            raise ConfigError(f"got {beats.size} beats but {len(labels)} labels; give one label per beat")
        inside = (beats >= 0) & (beats < x.size)
        for b, label in zip(beats[inside], np.asarray(labels)[inside]):
            ax.plot(time[b], x[b], "v", color=class_colour(label), markersize=4)
    ax.set_ylim(lo - 0.1 * (hi - lo + 1e-9), hi + 0.25 * (hi - lo + 1e-9))
    ax.set_ylabel("mV", fontsize=8)
    ax.grid(alpha=0.3)
    if latency_s is not None:
        t, lat = (np.asarray(v, dtype=float) for v in latency_s)
        axes[1].plot(start_s + t, 1000.0 * lat, color="#2b6cb0", linewidth=0.8)
        axes[1].set_ylabel("latency (ms)", fontsize=8)
        axes[1].grid(alpha=0.3)
    axes[-1].set_xlabel("stream time (s)", fontsize=8)
    axes[-1].set_xlim(time[0], time[-1])
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
