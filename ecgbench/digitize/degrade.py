"""Scan/photo artefacts for rendered ECG images: rotation, blur, JPEG compression, sensor noise.

Used to test the digitiser on images that look less perfect than a fresh render. Rotation enlarges
the canvas so no part of the page is cut off (the corners are filled with white, as a scanner bed).
"""

from __future__ import annotations

import cv2
import numpy as np

from ecgbench.errors import ConfigError

_BORDER = (255, 255, 255)


def degrade(
    image: np.ndarray,
    *,
    rotate_deg: float = 0.0,
    blur_sigma: float = 0.0,
    jpeg_quality: int | None = None,
    noise_std: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Return a copy of ``image`` rotated, blurred, noised and JPEG-compressed (in that order).

    Parameters
    ----------
    image : numpy.ndarray
        Height × width × 3 uint8 BGR image.
    rotate_deg : float
        Counter-clockwise rotation in degrees.
    blur_sigma : float
        Standard deviation of a Gaussian blur in pixels (0: none).
    jpeg_quality : int, optional
        JPEG quality 1–100 for a compress/decompress round trip (None: none).
    noise_std : float
        Standard deviation of additive Gaussian noise in grey levels (0: none).
    seed : int
        Seed of the noise generator.
    """
    out = np.ascontiguousarray(image)
    if rotate_deg:
        out = rotate_image(out, rotate_deg)
    if blur_sigma < 0:
        raise ConfigError(f"blur sigma must be >= 0 pixels, got {blur_sigma}")
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), sigmaX=blur_sigma)
    if noise_std > 0:
        rng = np.random.default_rng(seed)
        out = np.clip(out + rng.normal(0.0, noise_std, out.shape), 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        if not 1 <= jpeg_quality <= 100:
            raise ConfigError(f"JPEG quality must be 1-100, got {jpeg_quality}")
        ok, buffer = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        if not ok:
            raise RuntimeError("OpenCV failed to JPEG-encode the image")
        out = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    return out


def rotate_image(image: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate counter-clockwise by ``angle_deg`` about the centre, enlarging the canvas to keep every pixel."""
    height, width = image.shape[:2]
    centre = (width / 2.0, height / 2.0)
    matrix = cv2.getRotationMatrix2D(centre, angle_deg, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w = int(np.ceil(width * cos + height * sin))
    new_h = int(np.ceil(width * sin + height * cos))
    matrix[0, 2] += new_w / 2.0 - centre[0]
    matrix[1, 2] += new_h / 2.0 - centre[1]
    border = _BORDER if image.ndim == 3 else 255
    return cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=border)
