"""Draw a printed ECG: pink/red 1 mm / 5 mm grid, black traces stacked one lead per row,
a 1 mV calibration pulse and a lead label at the start of each row.

Drawing uses OpenCV with sub-pixel coordinates (``shift`` bits) and anti-aliasing, so a grid at a
non-integer number of pixels per mm (300 dpi = 11.81 px/mm) is placed exactly; the digitiser's
tests rely on that. Each lead is drawn around its own median (the isoelectric level a printer
would centre), in a row tall enough that traces never overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ecgbench.digitize.paper import MAJOR_GRID_MM, MINOR_GRID_MM, PaperSpec
from ecgbench.errors import ConfigError

# Colours are BGR (OpenCV order).
PAPER_COLOUR = (245, 245, 255)
MINOR_GRID_COLOUR = (190, 190, 250)
MAJOR_GRID_COLOUR = (110, 110, 235)
TRACE_COLOUR = (20, 20, 20)

LEFT_MARGIN_MM = 15.0  # lead label + calibration pulse
RIGHT_MARGIN_MM = 5.0
TOP_MARGIN_MM = 5.0
BOTTOM_MARGIN_MM = 5.0
ROW_PAD_MM = 3.0  # free paper above and below a trace's extremes
TRACE_WIDTH_MM = 0.25
MAJOR_LINE_WIDTH_MM = 0.15
LABEL_HEIGHT_MM = 2.5
CAL_PULSE_MV = 1.0
CAL_PULSE_S = 0.2
CAL_START_MM = 3.0
CAL_FOOT_MM = 1.0
_SHIFT = 4  # OpenCV fixed-point bits for sub-pixel drawing
_HERSHEY_HEIGHT_PX = 22.0  # cap height of FONT_HERSHEY_SIMPLEX at fontScale 1


@dataclass(frozen=True)
class RenderedECG:
    """A rendered ECG image and where things were drawn.

    Attributes
    ----------
    image : numpy.ndarray
        Height × width × 3, uint8, BGR.
    spec : PaperSpec
        Paper speed, gain and pixels per mm used.
    baseline_px : tuple of float
        Image row (pixels from the top) of each lead's median level.
    trace_start_px : float
        Image column (pixels) of the first sample.
    """

    image: np.ndarray
    spec: PaperSpec
    baseline_px: tuple[float, ...]
    trace_start_px: float


def render_ecg(
    signal: np.ndarray,
    sampling_rate: float,
    lead_names: Sequence[str] | None = None,
    *,
    paper_speed: float = 25.0,
    gain: float = 10.0,
    dpi: float = 300.0,
    calibration: bool = True,
) -> RenderedECG:
    """Render an ECG segment as a printed page.

    Parameters
    ----------
    signal : numpy.ndarray
        Samples × leads in mV (a 1-D array is one lead). NaN samples leave a gap in the trace.
    sampling_rate : float
        Sampling frequency in Hz.
    lead_names : sequence of str, optional
        Label printed at the start of each row; default ``lead1``, ``lead2`` …
    paper_speed : float
        mm per second (25 standard).
    gain : float
        mm per mV (10 standard).
    dpi : float
        Image resolution in dots per inch (pixels per mm = dpi / 25.4).
    calibration : bool
        Draw a 1 mV, 0.2 s calibration pulse at the start of each row.

    Returns
    -------
    RenderedECG
    """
    data = _as_leads(signal)
    if not sampling_rate > 0:
        raise ConfigError(f"sampling_rate must be positive, got {sampling_rate!r}")
    names = list(lead_names) if lead_names is not None else [f"lead{i + 1}" for i in range(data.shape[1])]
    if len(names) != data.shape[1]:
        raise ConfigError(f"lead_names has {len(names)} names for {data.shape[1]} leads")
    spec = PaperSpec.from_dpi(dpi, paper_speed, gain)
    centred = data - np.nanmedian(data, axis=0)
    duration = data.shape[0] / sampling_rate

    rows_mm = [_row_extent_mm(centred[:, k], gain) for k in range(data.shape[1])]
    width_mm = _round_up(LEFT_MARGIN_MM + duration * paper_speed + RIGHT_MARGIN_MM, MAJOR_GRID_MM)
    height_mm = _round_up(TOP_MARGIN_MM + sum(up + down for up, down in rows_mm) + BOTTOM_MARGIN_MM, MAJOR_GRID_MM)
    width = int(math.ceil(spec.mm_to_px_x(width_mm)))
    height = int(math.ceil(spec.mm_to_px_y(height_mm)))
    image = np.empty((height, width, 3), np.uint8)
    image[:] = PAPER_COLOUR
    _draw_grid(image, spec, width_mm, height_mm)

    baselines = []
    top_mm = TOP_MARGIN_MM
    x0_mm = LEFT_MARGIN_MM
    time = np.arange(data.shape[0]) / sampling_rate
    for k, (up, down) in enumerate(rows_mm):
        base_mm = top_mm + up
        baselines.append(spec.mm_to_px_y(base_mm))
        xs = spec.mm_to_px_x(x0_mm + time * paper_speed)
        ys = spec.mm_to_px_y(base_mm - centred[:, k] * gain)
        _draw_polyline(image, xs, ys, spec, TRACE_WIDTH_MM)
        if calibration:
            _draw_calibration(image, spec, base_mm)
        _draw_label(image, spec, names[k], base_mm)
        top_mm += up + down
    return RenderedECG(image=image, spec=spec, baseline_px=tuple(baselines), trace_start_px=spec.mm_to_px_x(x0_mm))


def _as_leads(signal: np.ndarray) -> np.ndarray:
    data = np.asarray(signal, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] < 1:
        raise ConfigError(f"signal must be samples × leads with at least 2 samples, got shape {np.shape(signal)}")
    if not np.isfinite(data).any(axis=0).all():
        raise ConfigError("signal has a lead with no finite sample (all NaN); drop that lead before rendering")
    return data


def _row_extent_mm(lead: np.ndarray, gain: float) -> tuple[float, float]:
    """Return (mm above the median, mm below it) a row needs, room for the pulse and label included."""
    high = max(float(np.nanmax(lead)), CAL_PULSE_MV) * gain
    low = max(-float(np.nanmin(lead)) * gain, LABEL_HEIGHT_MM + 3.0)
    return high + ROW_PAD_MM, low + ROW_PAD_MM


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step) * step


def _fixed(value: np.ndarray | float) -> np.ndarray:
    return np.round(np.asarray(value) * (1 << _SHIFT)).astype(np.int32)


def _draw_grid(image: np.ndarray, spec: PaperSpec, width_mm: float, height_mm: float) -> None:
    major_px = max(1, round(spec.mm_to_px_x(MAJOR_LINE_WIDTH_MM)))
    height, width = image.shape[:2]
    for major in (False, True):
        colour = MAJOR_GRID_COLOUR if major else MINOR_GRID_COLOUR
        thickness = major_px if major else 1
        for i in range(int(round(width_mm / MINOR_GRID_MM)) + 1):
            if (i % int(MAJOR_GRID_MM / MINOR_GRID_MM) == 0) == major:
                x = _fixed(spec.mm_to_px_x(i * MINOR_GRID_MM))
                cv2.line(image, (int(x), 0), (int(x), _fixed(height)), colour, thickness, cv2.LINE_AA, _SHIFT)
        for j in range(int(round(height_mm / MINOR_GRID_MM)) + 1):
            if (j % int(MAJOR_GRID_MM / MINOR_GRID_MM) == 0) == major:
                y = _fixed(spec.mm_to_px_y(j * MINOR_GRID_MM))
                cv2.line(image, (0, int(y)), (_fixed(width), int(y)), colour, thickness, cv2.LINE_AA, _SHIFT)


def _draw_polyline(image: np.ndarray, xs: np.ndarray, ys: np.ndarray, spec: PaperSpec, width_mm: float) -> None:
    """Draw the trace; NaN samples split it into separate strokes."""
    thickness = max(1, round(spec.mm_to_px_y(width_mm)))
    finite = np.isfinite(ys)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(np.int8), [0]])))
    strokes = [
        np.stack([_fixed(xs[a:b]), _fixed(ys[a:b])], axis=1).reshape(-1, 1, 2)
        for a, b in zip(edges[::2], edges[1::2])
        if b - a >= 2
    ]
    if strokes:
        cv2.polylines(image, strokes, False, TRACE_COLOUR, thickness, cv2.LINE_AA, _SHIFT)


def _draw_calibration(image: np.ndarray, spec: PaperSpec, base_mm: float) -> None:
    top_mm = base_mm - CAL_PULSE_MV * spec.gain
    pulse_mm = CAL_PULSE_S * spec.paper_speed
    x = [CAL_START_MM, CAL_START_MM + CAL_FOOT_MM, CAL_START_MM + CAL_FOOT_MM]
    x += [x[-1] + pulse_mm, x[-1] + pulse_mm, x[-1] + pulse_mm + CAL_FOOT_MM]
    y = [base_mm, base_mm, top_mm, top_mm, base_mm, base_mm]
    _draw_polyline(image, spec.mm_to_px_x(np.asarray(x)), spec.mm_to_px_y(np.asarray(y)), spec, TRACE_WIDTH_MM)


def _draw_label(image: np.ndarray, spec: PaperSpec, name: str, base_mm: float) -> None:
    scale = spec.mm_to_px_y(LABEL_HEIGHT_MM) / _HERSHEY_HEIGHT_PX
    thickness = max(1, round(spec.mm_to_px_y(0.2)))
    origin = (int(spec.mm_to_px_x(1.0)), int(spec.mm_to_px_y(base_mm + 2.0 + LABEL_HEIGHT_MM)))
    cv2.putText(image, name, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, TRACE_COLOUR, thickness, cv2.LINE_AA)
