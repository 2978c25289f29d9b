"""ECG paper geometry: paper speed, gain and resolution, converted between mm, pixels, s and mV in one place.

Standard ECG paper has a 1 mm minor grid and a 5 mm major grid; traces are printed at 25 mm/s and
10 mm/mV. An image adds a resolution (pixels per mm, ``dpi / 25.4``). Every other module converts
physical units to pixels through :class:`PaperSpec`, so the conversion lives here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecgbench.errors import ConfigError

MM_PER_INCH = 25.4
MINOR_GRID_MM = 1.0
MAJOR_GRID_MM = 5.0
STANDARD_PAPER_SPEED = 25.0  # mm/s
STANDARD_GAIN = 10.0  # mm/mV


class DigitizeError(ConfigError):
    """An image cannot be digitised (not an image, no grid, no trace); the message says why and what to try."""


@dataclass(frozen=True)
class PaperSpec:
    """How a trace is laid out on paper and in the image.

    Parameters
    ----------
    paper_speed : float
        Horizontal scale in mm/s (25 standard, 50 for fast recordings).
    gain : float
        Vertical scale in mm/mV (10 standard; 5 or 20 on some printouts).
    px_per_mm_x, px_per_mm_y : float
        Image resolution along x and y in pixels per mm (equal on a flat scan; ``dpi / 25.4``).
    """

    paper_speed: float = STANDARD_PAPER_SPEED
    gain: float = STANDARD_GAIN
    px_per_mm_x: float = 300 / MM_PER_INCH
    px_per_mm_y: float = 300 / MM_PER_INCH

    def __post_init__(self) -> None:
        for name in ("paper_speed", "gain", "px_per_mm_x", "px_per_mm_y"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be a positive number, got {value!r}")

    @classmethod
    def from_dpi(cls, dpi: float, paper_speed: float = STANDARD_PAPER_SPEED, gain: float = STANDARD_GAIN) -> "PaperSpec":
        """Build a spec for an image printed/scanned at ``dpi`` dots per inch."""
        if not dpi > 0:
            raise ConfigError(f"dpi must be a positive number, got {dpi!r}")
        return cls(paper_speed, gain, dpi / MM_PER_INCH, dpi / MM_PER_INCH)

    @property
    def px_per_second(self) -> float:
        """Horizontal pixels per second of signal."""
        return self.paper_speed * self.px_per_mm_x

    @property
    def px_per_mv(self) -> float:
        """Vertical pixels per mV."""
        return self.gain * self.px_per_mm_y

    def mm_to_px_x(self, mm: float) -> float:
        """Convert a horizontal length in mm to pixels."""
        return mm * self.px_per_mm_x

    def mm_to_px_y(self, mm: float) -> float:
        """Convert a vertical length in mm to pixels."""
        return mm * self.px_per_mm_y
