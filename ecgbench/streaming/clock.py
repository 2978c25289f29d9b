"""Pacing a replay: real time (``speed=1``), accelerated (``speed=N``) or as fast as possible (``0``/inf)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ecgbench.errors import ConfigError


class Pacer:
    """Hold each chunk back until its last sample would have been recorded, scaled by ``speed``.

    Parameters
    ----------
    speed : float
        Signal seconds per wall second; ``0`` or ``inf`` means no waiting.
    clock, sleep : callable, optional
        Time source and sleep function (injectable for tests).
    """

    def __init__(self, speed: float = 1.0, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        if speed < 0 or math.isnan(speed):
            raise ConfigError(f"--speed must be >= 0 (0 or inf = as fast as possible), got {speed}")
        self.speed = speed
        self._clock = clock
        self._sleep = sleep
        self._t0: float | None = None

    @property
    def unpaced(self) -> bool:
        """True when no waiting happens."""
        return self.speed == 0 or math.isinf(self.speed)

    def wait_until(self, signal_time: float) -> None:
        """Sleep until ``signal_time`` seconds of ECG are due (measured from the first call)."""
        if self.unpaced:
            return
        if self._t0 is None:
            self._t0 = self._clock()
        delay = self._t0 + signal_time / self.speed - self._clock()
        if delay > 0:
            self._sleep(delay)

