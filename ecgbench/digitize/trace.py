"""Extract ECG traces from a deskewed image: trace ink mask, one trace per lead row, one value per column.

The trace is the dark ink left after the grid is ignored (see :mod:`ecgbench.digitize.grid`).
Connected pieces of ink narrower than a trace (lead labels, calibration pulses, specks) are
dropped; the rest are grouped into leads by their vertical position, so leads stacked vertically
are read separately and a lead broken by gaps stays one lead.

Within a lead each image column holds one or more vertical runs of ink. The run that continues
the previous column is kept. A run taller than the pen is a steep stroke: at a local maximum
(both neighbours lower) its top edge is the value, at a local minimum its bottom edge, and
otherwise its middle — so QRS peaks are not flattened to the stroke's centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from ecgbench.digitize.paper import DigitizeError

MIN_TRACE_WIDTH_MM = 20.0  # narrower ink (labels, 7 mm calibration pulses, specks) is not a trace
LEAD_SEPARATION_MM = 6.0  # traces whose median heights differ by more are different leads
CLOSE_WIDTH_MM = 1.0  # ink breaks shorter than this are bridged when grouping pieces
BASELINE_BIN_MM = 0.1
STEEP_RUN_FACTOR = 1.5  # a run taller than this many pen widths is a steep stroke


@dataclass(frozen=True)
class Trace:
    """One lead's trace in image coordinates.

    Attributes
    ----------
    first_column : int
        Image column of ``rows[0]``.
    pen_radius : float
        Half the pen width minus half a pixel: the ink starts this many pixels before the curve.
    rows : numpy.ndarray
        Trace height per column in pixels from the top (float64; NaN where the trace has a gap).
    baseline : float
        Row of the isoelectric level (the most common trace height), in pixels.
    """

    first_column: int
    rows: np.ndarray
    baseline: float
    pen_radius: float


def trace_mask(dark: np.ndarray, threshold: float) -> np.ndarray:
    """Return the boolean mask of trace ink: pixels darker than ``threshold`` grey levels below white."""
    return dark > threshold


def find_traces(mask: np.ndarray, dark: np.ndarray, px_per_mm_x: float, px_per_mm_y: float) -> list[Trace]:
    """Find every lead's trace in a trace-ink mask, top to bottom.

    Parameters
    ----------
    mask : numpy.ndarray
        Boolean trace-ink mask of the deskewed image.
    dark : numpy.ndarray
        Darkness map (grey levels below white) used to weight sub-pixel centres.
    px_per_mm_x, px_per_mm_y : float
        Image scale from the grid.

    Raises
    ------
    DigitizeError
        No ink piece is wide enough to be a trace.
    """
    leads = _group_pieces(mask, px_per_mm_x, px_per_mm_y)
    if not leads:
        raise DigitizeError(
            f"no ECG trace found: no line of dark ink at least {MIN_TRACE_WIDTH_MM:.0f} mm long; "
            "check that the image shows the trace (not only a grid or text)"
        )
    return [_column_trace(lead_mask, dark, px_per_mm_y) for lead_mask in leads]


def _group_pieces(mask: np.ndarray, px_per_mm_x: float, px_per_mm_y: float) -> list[np.ndarray]:
    """Return one boolean mask per lead, ordered top to bottom."""
    kernel = cv2.getStructuringElement(
        cv2.MORPH_RECT, (max(1, round(CLOSE_WIDTH_MM * px_per_mm_x)), max(1, round(0.5 * px_per_mm_y)))
    )
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    wide = [k for k in range(1, count) if stats[k, cv2.CC_STAT_WIDTH] >= MIN_TRACE_WIDTH_MM * px_per_mm_x]
    if not wide:
        return []
    pieces = sorted((float(np.median(np.nonzero(labels == k)[0])), k) for k in wide)
    groups: list[list[int]] = [[pieces[0][1]]]
    last_height = pieces[0][0]
    for height, k in pieces[1:]:
        if height - last_height > LEAD_SEPARATION_MM * px_per_mm_y:
            groups.append([])
        groups[-1].append(k)
        last_height = height
    return [mask & np.isin(labels, group) for group in groups]


def _column_trace(lead_mask: np.ndarray, dark: np.ndarray, px_per_mm_y: float) -> Trace:
    columns = np.flatnonzero(lead_mask.any(axis=0))
    first, last = int(columns[0]), int(columns[-1])
    n = last - first + 1
    top = np.full(n, np.nan)
    bottom = np.full(n, np.nan)
    centre = np.full(n, np.nan)
    previous = None
    for i in range(n):
        ys = np.flatnonzero(lead_mask[:, first + i])
        if ys.size == 0:
            continue
        runs = np.split(ys, np.flatnonzero(np.diff(ys) > 1) + 1)
        if previous is None:
            run = max(runs, key=len)
        else:
            run = min(runs, key=lambda r: max(r[0] - previous, previous - r[-1], 0))
        weights = dark[run, first + i]
        top[i], bottom[i] = run[0], run[-1]
        centre[i] = float(np.dot(run, weights) / weights.sum()) if weights.sum() > 0 else 0.5 * (run[0] + run[-1])
        previous = centre[i]
    pen = _pen_width(lead_mask)
    rows = _stroke_values(top, bottom, centre, pen)
    radius = 0.5 * (pen - 1.0)
    return Trace(first_column=first, rows=rows, baseline=_mode(rows, BASELINE_BIN_MM * px_per_mm_y), pen_radius=radius)


def _stroke_values(top: np.ndarray, bottom: np.ndarray, centre: np.ndarray, pen: float) -> np.ndarray:
    """Recover the pen's centre line from each column's ink run.

    A round pen of radius ``r`` turns the curve ``y`` into ink whose top edge is the running
    minimum of ``y`` minus ``r`` and whose bottom edge the running maximum plus ``r`` (over
    ``±r`` columns). Inverting these gives bounds ``lower ≤ y ≤ upper`` that are tight on flat
    parts and on monotone strokes, however steep. Where the two strokes of a narrow spike merge
    into one blob the bounds part: the spike's outer edge stays exact, so a region that spikes
    up takes its upper-edge bound and one that spikes down its lower-edge bound.
    """
    height = bottom - top + 1
    radius = 0.5 * (pen - 1.0)
    window = 2 * int(round(radius)) + 1
    lower = maximum_filter1d(np.where(np.isnan(top), -np.inf, top), window) + radius
    upper = minimum_filter1d(np.where(np.isnan(bottom), np.inf, bottom), window) - radius
    with np.errstate(invalid="ignore"):  # gap columns: inf - inf
        rows = np.where(height > STEEP_RUN_FACTOR * pen, 0.5 * (lower + upper), centre)
    merged = np.isfinite(centre) & (upper - lower > pen)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], merged.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2]):
        outside = [rows[i] for i in (a - 1, b) if 0 <= i < rows.size and np.isfinite(rows[i])]
        level = float(np.mean(outside)) if outside else float(np.nanmedian(centre[a:b]))
        spikes_up = level - lower[a:b] >= upper[a:b] - level
        rows[a:b] = np.where(spikes_up, lower[a:b], upper[a:b])
    rows[np.isnan(centre)] = np.nan
    return rows


def _pen_width(lead_mask: np.ndarray) -> float:
    """Pen width in pixels, from the distance transform of the ink.

    The largest distance to paper in each column lies on the stroke's centre line and is half the
    pen width whatever the stroke's slope; the median over columns ignores the few columns where
    strokes merge. A width-``w`` line has centre distance ``(w + 1) / 2`` (L2, pixel centres).
    """
    distance = cv2.distanceTransform(lead_mask.astype(np.uint8), cv2.DIST_L2, 5)
    ridge = distance.max(axis=0)
    return max(1.0, 2.0 * float(np.median(ridge[ridge > 0])) - 1.0)


def _mode(values: np.ndarray, bin_width: float) -> float:
    finite = values[np.isfinite(values)]
    bins = np.arange(finite.min(), finite.max() + 2 * bin_width, max(bin_width, 1e-3))
    counts, edges = np.histogram(finite, bins=bins)
    smooth = np.convolve(counts, np.ones(5) / 5.0, mode="same")
    k = int(np.argmax(smooth))
    return float(0.5 * (edges[k] + edges[k + 1]))
