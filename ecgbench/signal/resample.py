"""The rational up/down factors of a sampling-rate change, shared by every resampler in ecgbench."""

from __future__ import annotations

from fractions import Fraction

from ecgbench.errors import ConfigError

#: Largest denominator of the rational approximation (exact for every common ECG rate pair).
MAX_DENOMINATOR = 1000


def resampling_ratio(source_fs: float, target_fs: float) -> tuple[int, int]:
    """Integers ``(up, down)`` with ``source_fs · up / down ≈ target_fs`` (Hz), for :func:`scipy.signal.resample_poly`.

    The ratio is the closest fraction with a denominator up to :data:`MAX_DENOMINATOR`, so it is
    exact for rates such as 500 → 360 Hz (18/25) or 360 → 250 Hz (25/36).

    Raises
    ------
    ConfigError
        A rate that is not a positive number of Hz.
    """
    if not (source_fs > 0 and target_fs > 0):
        raise ConfigError(f"resampling needs positive sampling rates in Hz (got {source_fs} → {target_fs})")
    ratio = Fraction(float(target_fs) / float(source_fs)).limit_denominator(MAX_DENOMINATOR)
    return ratio.numerator, ratio.denominator
