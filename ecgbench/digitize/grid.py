"""Find the ECG paper grid in an image: separate grid ink from trace ink, measure the skew, and
measure the scale (pixels per mm) from the grid's periodicity.

Grid ink is told from trace ink by colour: printed grids are red/pink (red channel well above
green and blue) while traces are dark in every channel. On a grey-scale image the grid is the
light-grey ink that is darker than the paper but lighter than the trace.

The scale comes from the autocorrelation of the grid's column (row) projection: its first strong
peak is the 1 mm minor spacing, refined by the peak at the largest multiple of it that fits, which
gives sub-pixel precision. Skew is the rotation that makes those projections sharpest.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks

from ecgbench.digitize.paper import DigitizeError

MIN_PX_PER_MM = 2.5  # ~64 dpi: below this the 1 mm grid cannot be resolved
COLOUR_REDNESS = 20.0  # grey levels of (red - max(green, blue)) that mark an image as having a coloured grid
TRACE_DARKNESS_MIN = 60.0  # grey levels below white a trace's core must reach
MIN_GRID_PERIODS = 8  # grid lines that must be visible along an axis
PEAK_MIN_CORRELATION = 0.15  # normalised autocorrelation the grid period must reach
PEAK_MIN_PROMINENCE = 0.02
MAX_SKEW_DEG = 6.0
GRID_INK_LEVEL = 20.0  # grid-map value (grey levels) of grid ink; pink-tinted paper stays below
MIN_GRID_INK_FRACTION = 0.03  # a 1 mm grid inks >= ~5 % of the page; a trace's halo alone far less
MAX_ASPECT_RATIO = 1.5  # x/y scale ratio beyond which one axis is taken to have missed the 1 mm lines
_COARSE_STEP_DEG = 0.25
_FINE_STEP_DEG = 0.025
_SKEW_MAX_SIDE_PX = 1600  # skew is searched on a copy at most this wide


@dataclass(frozen=True)
class GridScale:
    """Grid scale found in an image: pixels per mm along x and y."""

    px_per_mm_x: float
    px_per_mm_y: float


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Return ``image`` as a uint8 BGR array (grey-scale and BGRA accepted)."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise DigitizeError(f"expected a grey-scale or colour image, got an array of shape {image.shape}")


def darkness(image: np.ndarray) -> np.ndarray:
    """Grey levels below white of the brightest channel (float32): red grid ink is light here, black trace dark."""
    return 255.0 - image.max(axis=2).astype(np.float32)


def is_colour_grid(image: np.ndarray) -> bool:
    """True when the image has coloured (red/pink) grid ink."""
    return float(np.percentile(_redness(image), 99.0)) >= COLOUR_REDNESS


def trace_threshold(dark: np.ndarray) -> float:
    """Darkness above which a pixel is trace ink: half the darkness of the trace core.

    Raises
    ------
    DigitizeError
        Nothing in the image is dark enough to be a trace.
    """
    core = float(np.percentile(dark, 99.95))
    if core < TRACE_DARKNESS_MIN:
        raise DigitizeError(
            "no ECG trace found: nothing in the image is darker than the grid "
            f"(darkest ink {core:.0f} grey levels below white, a trace needs >= {TRACE_DARKNESS_MIN:.0f}); "
            "check that the image shows a printed trace and is not blank or over-exposed"
        )
    return 0.5 * core


def grid_map(image: np.ndarray) -> np.ndarray:
    """Return a float32 map that is high on grid ink and low on paper and trace."""
    if is_colour_grid(image):
        return _redness(image)
    dark = darkness(image)
    light_ink = dark.copy()
    light_ink[dark >= trace_threshold(dark)] = 0.0
    return light_ink


def _redness(image: np.ndarray) -> np.ndarray:
    bgr = image.astype(np.float32)
    return np.clip(bgr[:, :, 2] - np.maximum(bgr[:, :, 0], bgr[:, :, 1]), 0.0, None)


def estimate_skew(grid: np.ndarray, max_deg: float = MAX_SKEW_DEG) -> float:
    """Return the counter-clockwise rotation (degrees) of the grid in ``grid`` (a :func:`grid_map`).

    The angle maximises the variance of the row and column projections of the map rotated back:
    grid lines project onto sharp peaks only when they are axis-aligned. Coarse search in 0.25°
    steps, then 0.025° steps around the best.
    """
    scale = min(1.0, _SKEW_MAX_SIDE_PX / max(grid.shape))
    small = cv2.resize(grid, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grid
    coarse = np.arange(-max_deg, max_deg + 1e-9, _COARSE_STEP_DEG)
    best = coarse[int(np.argmax([_sharpness(small, a) for a in coarse]))]
    fine = best + np.arange(-_COARSE_STEP_DEG, _COARSE_STEP_DEG + 1e-9, _FINE_STEP_DEG)
    scores = [_sharpness(small, a) for a in fine]
    return float(fine[int(np.argmax(scores))])


def _sharpness(grid: np.ndarray, angle_deg: float) -> float:
    height, width = grid.shape
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -angle_deg, 1.0)
    rotated = cv2.warpAffine(grid, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0.0)
    # Only the central region: the rotated-in corners would add their own edges.
    h0, w0 = height // 6, width // 6
    core = rotated[h0 : height - h0, w0 : width - w0]
    return float(np.var(core.sum(axis=0)) / core.shape[0] ** 2 + np.var(core.sum(axis=1)) / core.shape[1] ** 2)


def grid_period(projection: np.ndarray) -> float | None:
    """Return the minor grid spacing (pixels) of a grid projection, or None when it is not periodic.

    Parameters
    ----------
    projection : numpy.ndarray
        Sum of :func:`grid_map` along one image axis.
    """
    n = projection.size
    max_lag = n // MIN_GRID_PERIODS
    min_lag = int(np.floor(MIN_PX_PER_MM))
    if max_lag <= min_lag + 2:
        return None
    # Remove only slow trends (page edges, white corners of a rotated scan, trace density). The
    # window spans many 5 mm periods: a window near one period leaves negative lobes beside every
    # bold line that cancel the 1 mm lines next to it, and a blurred page then reads as 5 mm paper.
    trend_size = max(3, 2 * int(5 * MIN_PX_PER_MM) + 1, 2 * (max_lag // 2) + 1)
    trend = uniform_filter1d(projection.astype(np.float64), size=trend_size, mode="nearest")
    x = projection - trend
    x = x - x.mean()
    spectrum = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(np.abs(spectrum) ** 2)[:n]
    if acf[0] <= 0:
        return None
    acf = acf / acf[0]
    peaks, _ = find_peaks(acf[: max_lag + 1], prominence=PEAK_MIN_PROMINENCE)
    peaks = peaks[peaks >= min_lag]
    if peaks.size == 0 or acf[peaks].max() < PEAK_MIN_CORRELATION:
        return None
    # The strongest peak is a multiple of the 1 mm spacing (often the 5 mm major spacing, or a lag
    # where anti-aliasing phases line up). The spacing is the smallest peak lag whose every multiple
    # up to the strongest lag is also a peak.
    strongest = _peak_near(acf, int(peaks[np.argmax(acf[peaks])]), window=1)
    period = strongest
    for lag in peaks[peaks < strongest]:
        count = int(round(strongest / lag))
        candidate = strongest / count
        if abs(lag - candidate) <= _tolerance(candidate) and all(
            _has_peak(acf, peaks, k * candidate, _tolerance(candidate)) for k in range(1, count)
        ):
            period = candidate
            break
    return _fit_line_spacing(x, period)


def _fit_line_spacing(projection: np.ndarray, period: float) -> float:
    """Refine a grid spacing by a least-squares fit of every grid line's sub-pixel position.

    Using all lines (not one autocorrelation peak) averages out JPEG block artefacts and blur.
    """
    peaks, _ = find_peaks(projection, distance=max(1, int(0.6 * period)))
    if peaks.size < MIN_GRID_PERIODS:
        return period
    inner = peaks[(peaks > 0) & (peaks < projection.size - 1)]
    a, b, c = projection[inner - 1], projection[inner], projection[inner + 1]
    denom = a - 2 * b + c
    positions = inner + np.where(denom < 0, 0.5 * (a - c) / np.where(denom < 0, denom, -1.0), 0.0)
    # Fit on lines near the middle first, then widen the span: each line's index is read from the
    # current fit, so a spurious peak becomes an outlier instead of shifting every later index.
    origin = positions[np.argmin(np.abs(positions - np.median(positions)))]
    slope, intercept = period, origin
    span = 10.0
    while True:
        index = np.round((positions - intercept) / slope)
        keep = (np.abs(index) <= span) & (np.abs(positions - (intercept + slope * index)) < 0.25 * slope)
        if keep.sum() < MIN_GRID_PERIODS:
            return period
        slope, intercept = np.polyfit(index[keep], positions[keep], 1)
        if span * slope > projection.size:
            break
        span *= 2
    return float(slope)


def _tolerance(period: float) -> float:
    return max(1.0, 0.15 * period)


def _has_peak(acf: np.ndarray, peaks: np.ndarray, lag: float, tolerance: float) -> bool:
    """True when a positive autocorrelation peak (lines on lines, not lines on gaps) lies near ``lag``."""
    near = peaks[np.abs(peaks - lag) <= tolerance]
    return bool(near.size) and float(acf[near].max()) > 0.0


def _peak_near(acf: np.ndarray, lag: int, window: int) -> float:
    lo, hi = max(1, lag - window), min(acf.size - 2, lag + window)
    k = lo + int(np.argmax(acf[lo : hi + 1]))
    a, b, c = acf[k - 1], acf[k], acf[k + 1]
    denom = a - 2 * b + c
    return float(k + (0.5 * (a - c) / denom if denom < 0 else 0.0))


def grid_scale(grid: np.ndarray) -> GridScale:
    """Measure pixels per mm along x and y from a deskewed :func:`grid_map`.

    Raises
    ------
    DigitizeError
        No periodic grid is visible along either axis.
    """
    has_ink = float(np.mean(grid >= GRID_INK_LEVEL)) >= MIN_GRID_INK_FRACTION
    period_x = grid_period(grid.sum(axis=0)) if has_ink else None
    period_y = grid_period(grid.sum(axis=1)) if has_ink else None
    if period_x is None and period_y is None:
        raise DigitizeError(
            "no ECG grid found: the image shows no periodic 1 mm grid lines, so its scale is unknown; "
            "use an image of ECG paper with its grid visible, or give the scale (px_per_mm / --px-per-mm)"
        )
    x, y = period_x or period_y, period_y or period_x
    if max(x, y) / min(x, y) > MAX_ASPECT_RATIO:
        # One axis resolved only the 5 mm lines (blurred minor lines); paper is square, so trust
        # the axis that resolved the 1 mm lines.
        x = y = min(x, y)
    return GridScale(px_per_mm_x=x, px_per_mm_y=y)
