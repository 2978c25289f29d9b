"""Image → signal: the digitisation pipeline and its WFDB output.

1. find the grid ink and the skew, rotate the image back (:mod:`ecgbench.digitize.grid`);
2. measure pixels per mm from the grid periodicity (unless the caller gives the scale);
3. threshold the trace ink, group it into leads and read one value per column
   (:mod:`ecgbench.digitize.trace`);
4. convert pixels to seconds and mV with the paper speed and gain, the baseline of each lead
   being its most common height (the isoelectric line);
5. resample each lead to the requested sampling rate (cubic spline on the uniform column grid);
   short ink dropouts are bridged, longer gaps stay NaN (written as WFDB missing samples).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import wfdb
from scipy.interpolate import CubicSpline

from ecgbench.digitize.degrade import rotate_image
from ecgbench.digitize.grid import darkness, estimate_skew, grid_map, grid_scale, to_bgr, trace_threshold
from ecgbench.digitize.paper import DigitizeError, PaperSpec
from ecgbench.digitize.trace import Trace, find_traces, trace_mask
from ecgbench.errors import ConfigError, DataNotFoundError

MAX_BRIDGED_GAP_S = 0.1  # trace gaps up to this long are interpolated; longer ones stay NaN
MIN_SKEW_DEG = 0.05  # smaller skews are left alone (rotation would only blur)
WFDB_GAIN = 1000.0  # adu per mV in written records (1 µV resolution, format 16)


@dataclass(frozen=True)
class DigitizedECG:
    """A signal read back from an image.

    Attributes
    ----------
    signal : numpy.ndarray
        Samples × leads in mV (float32); NaN where the trace has a gap.
    fs : float
        Sampling frequency in Hz.
    lead_names : tuple of str
        One name per lead (top to bottom in the image).
    spec : PaperSpec
        Paper speed, gain and the measured pixels per mm.
    skew_deg : float
        Rotation found and undone, degrees counter-clockwise.
    """

    signal: np.ndarray
    fs: float
    lead_names: tuple[str, ...]
    spec: PaperSpec
    skew_deg: float


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as uint8 BGR.

    Raises
    ------
    DataNotFoundError
        The file does not exist.
    DigitizeError
        The file is not an image OpenCV can decode.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"image file {path} not found")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DigitizeError(f"{path} is not a readable image (PNG, JPEG, TIFF, BMP …); pass a scan or photo of an ECG")
    return image


def write_image(path: str | os.PathLike, image: np.ndarray, jpeg_quality: int = 95) -> Path:
    """Write an image; the format follows the extension (``.png``, ``.jpg`` …). Creates the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)] if path.suffix.lower() in (".jpg", ".jpeg") else []
    try:
        ok = cv2.imwrite(str(path), image, params)
    except cv2.error as exc:
        raise ConfigError(f"cannot write image {path}: {exc}; use a .png, .jpg or .tif file name") from exc
    if not ok:
        raise ConfigError(f"cannot write image {path}; use a .png, .jpg or .tif file name in a writable folder")
    return path


def digitize_image(
    image: np.ndarray,
    *,
    paper_speed: float = 25.0,
    gain: float = 10.0,
    fs: float = 360.0,
    px_per_mm: float | None = None,
    lead_names: Sequence[str] | None = None,
) -> DigitizedECG:
    """Digitise an ECG image.

    Parameters
    ----------
    image : numpy.ndarray
        uint8 image (BGR, BGRA or grey-scale).
    paper_speed : float
        Paper speed the ECG was printed at, mm/s.
    gain : float
        Printed gain, mm/mV.
    fs : float
        Sampling frequency of the output signal in Hz.
    px_per_mm : float, optional
        Image scale in pixels per mm; default: measured from the grid.
    lead_names : sequence of str, optional
        Names of the leads top to bottom; default ``lead1``, ``lead2`` …

    Returns
    -------
    DigitizedECG

    Raises
    ------
    DigitizeError
        No grid (and no ``px_per_mm``), no trace, or ``lead_names`` does not match the leads found.
    """
    if not fs > 0:
        raise ConfigError(f"fs must be a positive sampling rate in Hz, got {fs!r}")
    bgr = to_bgr(np.asarray(image))
    if bgr.dtype != np.uint8 or min(bgr.shape[:2]) < 16:
        raise DigitizeError(f"expected an 8-bit image at least 16×16 pixels, got {bgr.dtype} {bgr.shape}")
    trace_threshold(darkness(bgr))  # fail early, with the "no trace" message, on blank pages
    skew = estimate_skew(grid_map(bgr))
    if abs(skew) >= MIN_SKEW_DEG:
        bgr = rotate_image(bgr, -skew)
    if px_per_mm is None:
        scale = grid_scale(grid_map(bgr))
        spec = PaperSpec(paper_speed, gain, scale.px_per_mm_x, scale.px_per_mm_y)
    else:
        spec = PaperSpec(paper_speed, gain, px_per_mm, px_per_mm)
    dark = darkness(bgr)
    traces = find_traces(trace_mask(dark, trace_threshold(dark)), dark, spec.px_per_mm_x, spec.px_per_mm_y)
    names = tuple(lead_names) if lead_names is not None else tuple(f"lead{i + 1}" for i in range(len(traces)))
    if len(names) != len(traces):
        raise DigitizeError(
            f"found {len(traces)} lead trace(s) in the image but {len(names)} lead name(s) were given "
            f"({', '.join(names)}); give one name per row of trace, top to bottom"
        )
    signal = _to_signal(traces, spec, fs)
    return DigitizedECG(signal=signal, fs=float(fs), lead_names=names, spec=spec, skew_deg=skew)


def _to_signal(traces: list[Trace], spec: PaperSpec, fs: float) -> np.ndarray:
    """Convert column traces to a samples × leads array in mV on a common time axis."""
    # The pen's round cap starts the ink one pen radius before the first sample.
    start = min(t.first_column + t.pen_radius for t in traces)
    end = max(t.first_column + t.rows.size - 1 - t.pen_radius for t in traces)
    n_samples = max(2, int(np.floor((end - start) / spec.px_per_second * fs)) + 1)
    times = np.arange(n_samples) / fs
    out = np.full((n_samples, len(traces)), np.nan, dtype=np.float64)
    for k, trace in enumerate(traces):
        mv = (trace.baseline - trace.rows) / spec.px_per_mv
        column_times = (trace.first_column - start + np.arange(mv.size)) / spec.px_per_second
        out[:, k] = _resample(column_times, mv, times, int(MAX_BRIDGED_GAP_S * spec.px_per_second))
    return out.astype(np.float32)


def _resample(column_times: np.ndarray, values: np.ndarray, times: np.ndarray, max_gap_columns: int) -> np.ndarray:
    finite = np.isfinite(values)
    if finite.sum() < 4:
        return np.full(times.size, np.nan)
    filled = np.interp(column_times, column_times[finite], values[finite])
    result = CubicSpline(column_times, filled)(times)
    # NaN outside the trace and inside gaps longer than max_gap_columns.
    long_gap = _long_gaps(~finite, max_gap_columns)
    nearest = np.clip(np.round(np.interp(times, column_times, np.arange(column_times.size))).astype(int), 0, values.size - 1)
    outside = (times < column_times[finite][0]) | (times > column_times[finite][-1])
    result[long_gap[nearest] | outside] = np.nan
    return result


def _long_gaps(missing: np.ndarray, max_gap: int) -> np.ndarray:
    out = np.zeros_like(missing)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], missing.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2]):
        if b - a > max_gap:
            out[a:b] = True
    return out


def write_record(ecg: DigitizedECG, record: str | os.PathLike) -> Path:
    """Write a digitised ECG as a WFDB record (format 16, 1 µV resolution, units mV; NaN → missing).

    Parameters
    ----------
    record : path-like
        Output record path without extension, e.g. ``out/ecg1`` writes ``out/ecg1.hea`` and ``.dat``.

    Returns
    -------
    pathlib.Path
        The header path.
    """
    record = Path(record)
    if record.suffix in (".hea", ".dat"):
        record = record.with_suffix("")
    record.parent.mkdir(parents=True, exist_ok=True)
    n_leads = ecg.signal.shape[1]
    limit = 32767 / WFDB_GAIN
    signal = np.clip(ecg.signal.astype(np.float64), -limit, limit)
    wfdb.wrsamp(
        record.name,
        fs=ecg.fs,
        units=["mV"] * n_leads,
        sig_name=list(ecg.lead_names),
        p_signal=signal,
        fmt=["16"] * n_leads,
        adc_gain=[WFDB_GAIN] * n_leads,
        baseline=[0] * n_leads,
        write_dir=str(record.parent),
        comments=[f"digitised by ecgbench: {ecg.spec.px_per_mm_x:.3f} px/mm, skew {ecg.skew_deg:.2f} deg"],
    )
    return record.with_name(record.name + ".hea")
