"""The ventricular-fibrillation alarm: the VF detector run on the detection lead of the stream.

VF has no QRS complexes, so neither the beat classifier nor the VT rule can see it. The alarm runs
:class:`ecgbench.signal.vf_detection.StreamingVFDetector` (TCSC, Arafat et al. 2011, threshold
chosen on MIT-BIH DS1: ``experiments/vf_detector/README.md``) on the raw detection lead: an 8-s
analysis window (the detector's, so its DS1 threshold keeps its meaning) judged every
``AlarmConfig.vf_step`` seconds. The alarm starts on the first window judged VF and ends on the
first window judged not VF; its onset is dated at that first VF window's start (the evidence), its
end at the last VF window's end. A PhysioNet/CinC 2015 VF alarm is "a fibrillatory, flutter or
oscillatory waveform for at least 4 s" (Clifford et al. 2015): a whole 8-s window meets it.

**Signal quality.** A window whose detection lead was bad for one of
``AlarmConfig.vf_quality_reasons`` (by default ``nan`` and ``flat``: missing samples, a lead off)
raises no alarm: it is reported once per VF streak as ``suppressed``. Broadband noise is *not*
among them: VF's irregular oscillation is what the quality monitor's noise index responds to (on
DS1 record 207, 25 of the 139 blocks of ventricular flutter were judged noisy), so a noisy window
still alarms and the alarm's evidence says ``"noisy": true`` (flagged, not suppressed).

References
----------
Arafat MA, Chowdhury AW, Hasan MK. A simple time domain algorithm for the detection of
ventricular fibrillation in electrocardiogram. Signal, Image and Video Processing 5:1-10 (2011).
Clifford GD et al. The PhysioNet/Computing in Cardiology Challenge 2015: reducing false arrhythmia
alarms in the ICU. Computing in Cardiology 42:273-276 (2015) (alarm definitions, table 1).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ecgbench.streaming.alarms import AlarmChange, AlarmConfig


class QualityView(Protocol):
    """What the VF alarm reads of :class:`ecgbench.streaming.quality.QualityMonitor`."""

    def bad_fraction(self, t0: float, t1: float, reasons: tuple[str, ...] | None = None) -> float: ...


class VFAlarm:
    """VF alarm on one lead of a stream (see the module notes).

    Parameters
    ----------
    fs : float
        Sampling rate (Hz) of the samples fed to :meth:`update`.
    config : AlarmConfig
        ``vf_method``, ``vf_step`` and ``vf_quality_reasons``.
    """

    def __init__(self, fs: float, config: AlarmConfig) -> None:
        from ecgbench.signal.vf_detection import WINDOW_S, StreamingVFDetector

        self.config = config
        self.fs = float(fs)
        self.window_s = WINDOW_S
        self.detector = StreamingVFDetector(self.fs, config.vf_method, window_s=WINDOW_S, step_s=config.vf_step)
        self.active = False
        self._suppressed = False
        self._last_vf_end = float("nan")

    def update(self, lead: np.ndarray, quality: QualityView) -> list[AlarmChange]:
        """Feed the next samples of the lead (mV, missing samples already held); return alarm changes."""
        changes: list[AlarmChange] = []
        for end, tcsc, leakage, vf in self.detector.update(lead):
            t_end = end / self.fs
            t_start = t_end - self.window_s
            evidence = {"tcsc_pct": round(float(tcsc), 2), "leakage": None if not np.isfinite(leakage) else round(float(leakage), 4),
                        "window_s": self.window_s}  # fmt: skip
            if not vf:
                if self.active:
                    changes.append(AlarmChange("VF", "end", self._last_vf_end, evidence))
                self.active = self._suppressed = False
                continue
            self._last_vf_end = t_end
            if self.active:
                continue
            if quality.bad_fraction(t_start, t_end, self.config.vf_quality_reasons) > 0:
                if not self._suppressed:
                    self._suppressed = True
                    changes.append(AlarmChange("VF", "suppressed", t_start, {**evidence, "reason": "signal_quality"}))
                continue
            self.active = True
            noisy = quality.bad_fraction(t_start, t_end, ("noise",)) > 0
            changes.append(AlarmChange("VF", "start", t_start, {**evidence, "noisy": bool(noisy)}))
        return changes

    def close(self, time: float) -> AlarmChange | None:
        """End an open VF alarm at ``time`` s (end of stream)."""
        if not self.active:
            return None
        self.active = False
        return AlarmChange("VF", "end", time)
