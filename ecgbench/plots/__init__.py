"""Matplotlib figures (Agg, no pyplot state): each function takes plain arrays/dicts and returns a Figure.

Save any of them with :func:`save` (PNG, SVG or PDF by extension).
"""

from ecgbench.plots.gallery import plot_beat_gallery
from ecgbench.plots.metrics import plot_confusion_matrix, plot_leaderboard, plot_training_curves
from ecgbench.plots.record import plot_record_segment
from ecgbench.plots.streaming import plot_stream_timeline
from ecgbench.plots.style import SAVE_FORMATS, save

__all__ = [
    "SAVE_FORMATS", "plot_beat_gallery", "plot_confusion_matrix", "plot_leaderboard", "plot_record_segment",
    "plot_stream_timeline", "plot_training_curves", "save",
]  # fmt: skip
