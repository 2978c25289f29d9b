"""Shared plotting pieces: the Agg figure factory, ECG-paper axes, class colours and :func:`save`.

Figures are created with :class:`matplotlib.figure.Figure` directly (no pyplot state), so nothing
depends on a display and nothing leaks between calls.
"""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from ecgbench.errors import ConfigError

SAVE_FORMATS = (".png", ".svg", ".pdf")
MM_PER_INCH = 25.4
PAPER_SPEED = 25.0  # mm/s
PAPER_GAIN = 10.0  # mm/mV
PAPER_COLOUR = "#fff5f5"
MINOR_GRID_COLOUR = "#f6c6c6"
MAJOR_GRID_COLOUR = "#e87a7a"

#: One colour per AAMI class (N, S, V, F, Q) and for unknown labels.
CLASS_COLOURS = {"N": "#2b6cb0", "S": "#d69e2e", "V": "#c53030", "F": "#6b46c1", "Q": "#4a5568"}
OTHER_COLOUR = "#718096"
RHYTHM_COLOURS = ("#bee3f8", "#fefcbf", "#fed7d7", "#c6f6d5", "#e9d8fd", "#feebc8", "#e2e8f0")


def new_figure(width_in: float, height_in: float, dpi: float = 100.0) -> Figure:
    """A Figure with an Agg canvas attached (works headless, no pyplot)."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def class_colour(label: str) -> str:
    """Colour of an AAMI class letter (grey for anything else)."""
    return CLASS_COLOURS.get(str(label), OTHER_COLOUR)


def ecg_paper(ax: Axes) -> None:
    """Draw ECG paper on axes in seconds × mV: 1 mm minor (0.04 s, 0.1 mV) and 5 mm major grid."""
    ax.set_facecolor(PAPER_COLOUR)
    ax.xaxis.set_major_locator(MultipleLocator(0.2))
    ax.xaxis.set_minor_locator(MultipleLocator(0.04))
    ax.xaxis.set_major_formatter(FuncFormatter(_whole_seconds))
    ax.yaxis.set_major_locator(MultipleLocator(0.5))
    ax.yaxis.set_minor_locator(MultipleLocator(0.1))
    ax.grid(which="minor", color=MINOR_GRID_COLOUR, linewidth=0.4)
    ax.grid(which="major", color=MAJOR_GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(which="both", length=0, labelsize=7)


def _whole_seconds(value: float, _position: int) -> str:
    """Label only whole seconds (the 0.2 s major grid would crowd the axis)."""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-6 else ""


def paper_size_in(duration_s: float, range_mv: float) -> tuple[float, float]:
    """Inches needed to draw ``duration_s`` × ``range_mv`` at 25 mm/s and 10 mm/mV."""
    return duration_s * PAPER_SPEED / MM_PER_INCH, range_mv * PAPER_GAIN / MM_PER_INCH


def save(fig: Figure, path: str | os.PathLike, dpi: float | None = None) -> Path:
    """Save ``fig`` to ``path``; the format follows the extension (.png, .svg, .pdf). Creates the folder.

    Raises
    ------
    ConfigError
        The extension is not one of .png, .svg, .pdf.
    """
    path = Path(path)
    if path.suffix.lower() not in SAVE_FORMATS:
        raise ConfigError(f"cannot save figure as {path.name!r}: use one of {', '.join(SAVE_FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    return path
