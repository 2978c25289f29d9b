"""ECG image ↔ signal: render a record as a printed ECG, and digitise an ECG image back to a WFDB record.

OpenCV (``cv2``, headless) does the image work. See :mod:`ecgbench.digitize.render` (signal →
image), :mod:`ecgbench.digitize.degrade` (scan artefacts), :mod:`ecgbench.digitize.digitizer`
(image → signal), :mod:`ecgbench.digitize.snr` (Challenge-2024 scoring) and
:mod:`ecgbench.digitize.task` (the render → digitise benchmark on DS2).
"""

from ecgbench.digitize.degrade import degrade, rotate_image
from ecgbench.digitize.digitizer import DigitizedECG, digitize_image, read_image, write_image, write_record
from ecgbench.digitize.grid import GridScale, estimate_skew, grid_map, grid_scale
from ecgbench.digitize.paper import DigitizeError, PaperSpec
from ecgbench.digitize.render import RenderedECG, render_ecg
from ecgbench.digitize.snr import Alignment, align, aligned_snr, snr_db

__all__ = [
    "Alignment", "DigitizeError", "DigitizedECG", "GridScale", "PaperSpec", "RenderedECG", "align",
    "aligned_snr", "degrade", "digitize_image", "estimate_skew", "grid_map", "grid_scale", "read_image",
    "render_ecg", "rotate_image", "snr_db", "write_image", "write_record",
]  # fmt: skip
