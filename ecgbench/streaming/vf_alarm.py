"""The ventricular-fibrillation alarm: the VF detector run on the detection lead of the stream.

VF has no QRS complexes, so neither the beat classifier nor the VT rule can see it. The alarm runs
:class:`ecgbench.signal.vf_detection.StreamingVFDetector` (TCSC, Arafat et al. 2011, threshold
chosen on MIT-BIH DS1: ``experiments/vf_detector/README.md``) on the raw detection lead: an 8-s
analysis window (the detector's, so its DS1 threshold keeps its meaning) judged every
``AlarmConfig.vf_step`` seconds. The alarm starts on the first window judged VF and ends on the
first window judged not VF; its onset is dated at that first VF window's start (the evidence), its
end at the last VF window's end. A PhysioNet/CinC 2015 VF alarm is "a fibrillatory, flutter or
oscillatory waveform for at least 4 s" (Clifford et al. 2015): a whole 8-s window meets it.

**Organized-rhythm veto** (optional, ``AlarmConfig.vf_veto_irregularity``; chosen on MIT-BIH DS1
only, ``experiments/vfdb_alarms/README.md``). VF has no organized QRS complexes. A window judged VF
is vetoed when the online QRS detector found an organized rhythm in it: at least
:data:`VETO_MIN_BEATS` beats whose R peaks lie in the window (committed by its end), with an RR
irregularity (median absolute successive RR difference over the mean RR, unitless, as the ``median``
AF detector's) at most ``vf_veto_irregularity`` and a mean rate at most ``vf_veto_max_rate`` bpm.

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

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ecgbench.streaming.alarms import AlarmChange, AlarmConfig


#: Fewest beats in a window that can make an organized rhythm (four RR intervals, three successive differences).
VETO_MIN_BEATS = 5


def organized_rhythm(r_times: np.ndarray, max_irregularity: float, max_rate: float) -> bool:
    """Whether beats at ``r_times`` (s, increasing) form an organized rhythm (module notes).

    At least :data:`VETO_MIN_BEATS` beats, median |ΔRR| / mean RR at most ``max_irregularity``
    (unitless) and a mean rate at most ``max_rate`` (bpm).
    """
    r_times = np.asarray(r_times, dtype=float)
    if r_times.size < VETO_MIN_BEATS:
        return False
    rr = np.diff(r_times)
    mean_rr = float(rr.mean())
    if mean_rr <= 0:
        return False
    irregularity = float(np.median(np.abs(np.diff(rr)))) / mean_rr
    return irregularity <= max_irregularity and 60.0 / mean_rr <= max_rate


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

    def update(self, lead: np.ndarray, quality: QualityView, peaks: Sequence[tuple[int, int]] = ()) -> list[AlarmChange]:
        """Feed the next samples of the lead (mV, missing samples already held); return alarm changes.

        ``peaks`` holds the QRS detector's recent beats as ``(R peak, commit)`` samples (at least
        those of the last window; used by the organized-rhythm veto only).
        """
        changes: list[AlarmChange] = []
        for end, tcsc, leakage, vf in self.detector.update(lead):
            t_end = end / self.fs
            t_start = t_end - self.window_s
            evidence = {"tcsc_pct": round(float(tcsc), 2), "leakage": None if not np.isfinite(leakage) else round(float(leakage), 4),
                        "window_s": self.window_s}  # fmt: skip
            if vf and self.config.vf_veto_irregularity is not None and self._organized(peaks, end):
                vf = False
                evidence["vetoed"] = "organized_rhythm"
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

    @property
    def first_needed_sample(self) -> int:
        """The first sample of the next analysis window: beats before it are no longer needed."""
        return self.detector.next_window_start

    def _organized(self, peaks: Sequence[tuple[int, int]], end: int) -> bool:
        """Whether the beats of the window ending at sample ``end`` (R inside it, committed by ``end``) are organized."""
        first = end - self.detector.length
        times = np.array([r for r, commit in peaks if first <= r < end and commit <= end], dtype=float) / self.fs
        return organized_rhythm(times, self.config.vf_veto_irregularity, self.config.vf_veto_max_rate)

    def close(self, time: float) -> AlarmChange | None:
        """End an open VF alarm at ``time`` s (end of stream)."""
        if not self.active:
            return None
        self.active = False
        return AlarmChange("VF", "end", time)
