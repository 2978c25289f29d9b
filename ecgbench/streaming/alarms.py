"""Rhythm alarms from the stream of classified beats: atrial fibrillation, ventricular tachycardia, asystole.

All three run on beat times (seconds) and AAMI labels, one beat at a time in order, so their output
does not depend on chunking.

AF
    RR irregularity over a short sliding window, after the low-complexity 8-beat detector of
    Petrėnas et al. (2015): RR intervals next to a ventricular beat are dropped (ectopic-beat
    filtering), the irregularity is the median absolute successive RR difference over the last
    ``af_window`` pairs divided by the mean RR of those beats, and AF starts when it exceeds
    ``af_on`` for ``af_confirm`` beats and ends when it stays below ``af_off`` for ``af_confirm``
    beats. The onset (offset) reported is the middle beat of the first window of the confirmed
    streak, where the window's median says the change had happened, not the beat that completed
    the confirmation ``af_confirm`` beats later. This is a simplified variant (no bigeminy-suppression stage and no signal fusion);
    thresholds were chosen on DS1 records, never on DS2.
VT
    At least ``vt_min_beats`` consecutive ventricular beats (AAMI V or F) with a mean rate above
    ``vt_min_rate`` bpm, over the whole run or its last ``vt_min_beats`` beats: a run is three
    or more consecutive ventricular beats (AAMI EC57), VT such a run above 100 bpm (ACC/AHA/ESC
    2006). IEC 60601-2-27 tests the heart-rate meter and its alarm delays but leaves arrhythmia
    criteria to the manufacturer's disclosure: these are ours.
Asystole
    No beat for ``asystole`` seconds; suppressed when the detection lead was bad (lead off, flat
    line) for most of the pause, which is reported as a quality alarm instead.

References
----------
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015).
ANSI/AAMI EC57:2012, Testing and reporting performance results of cardiac rhythm and ST segment
measurement algorithms.
Zipes DP et al. ACC/AHA/ESC 2006 guidelines for management of patients with ventricular arrhythmias
and the prevention of sudden cardiac death. Circulation 114:e385-e484 (2006), section 3 (definitions).
IEC 60601-2-27:2011, Particular requirements for electrocardiographic monitoring equipment.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class AlarmConfig:
    """Alarm thresholds in physical units.

    Attributes
    ----------
    af_window : int
        Successive RR differences in the AF irregularity window (beats).
    af_on, af_off : float
        Normalised irregularity (median |ΔRR| / mean RR, unitless) to enter and to leave AF.
    af_confirm : int
        Consecutive beats above ``af_on`` (or below ``af_off``) needed to start (or end) AF.
    vt_min_beats : int
        Consecutive ventricular beats that make a run (EC57: a run is 3 or more).
    vt_min_rate : float
        Rate in beats per minute the run must exceed (VT: "3 or more consecutive complexes of
        ventricular origin at a rate above 100 bpm", ACC/AHA/ESC 2006).
    vt_labels : str
        AAMI labels counted as ventricular in a run (V and F, as the EC57 run scorer).
    asystole : float
        Seconds without a beat that raise the asystole alarm.
    rr_min, rr_max : float
        RR intervals (s) outside this range are not used for AF (missed or double detections).
    """

    af_window: int = 8
    af_on: float = 0.15
    af_off: float = 0.105
    af_confirm: int = 8
    vt_min_beats: int = 3
    vt_min_rate: float = 100.0
    vt_labels: str = "VF"
    asystole: float = 4.0
    rr_min: float = 0.2
    rr_max: float = 3.0


@dataclass
class AlarmChange:
    """An alarm starting or ending: kind (``AF``, ``VT``, ``asystole``), state, time (s) and evidence."""

    kind: str
    state: str
    time: float
    evidence: dict = field(default_factory=dict)


class AFDetector:
    """Sliding-window RR-irregularity AF detector (see module notes)."""

    def __init__(self, config: AlarmConfig) -> None:
        self.config = config
        self._rr: deque[float] = deque(maxlen=config.af_window + 1)
        self._diffs: deque[float] = deque(maxlen=config.af_window)
        self._times: deque[float] = deque(maxlen=config.af_window + 2)
        self._streak = 0
        self._change_time = float("nan")
        self.active = False
        self.irregularity = float("nan")

    def update(self, time: float, rr: float, ventricular: bool, prev_ventricular: bool) -> AlarmChange | None:
        """Feed one beat (R time s, RR to previous beat s, labels); return a change of AF state or None."""
        cfg = self.config
        usable = np.isfinite(rr) and cfg.rr_min <= rr <= cfg.rr_max and not ventricular and not prev_ventricular
        if not usable:
            self._rr.clear()  # break the chain: never difference across an ectopic or a missed beat
            self._times.clear()
            return None
        if self._rr:
            self._diffs.append(abs(rr - self._rr[-1]))
        self._rr.append(rr)
        self._times.append(time)
        if len(self._diffs) < cfg.af_window:
            return None
        self.irregularity = float(np.median(self._diffs) / np.mean(self._rr))
        above = self.irregularity > (cfg.af_off if self.active else cfg.af_on)
        if above == self.active:
            self._streak = 0
            return None
        if self._streak == 0:
            # The first window that crossed: its median says at least half of its successive
            # differences crossed, so the change happened by its middle beat at the latest.
            self._change_time = self._times[len(self._times) // 2]
        self._streak += 1
        if self._streak < cfg.af_confirm:
            return None
        self._streak = 0
        self.active = not self.active
        evidence = {"irregularity": round(self.irregularity, 4), "mean_rr_s": round(float(np.mean(self._rr)), 4),
                    "confirm_beats": cfg.af_confirm}  # fmt: skip
        # The onset/offset the evidence points to is where the confirmed streak began (not the
        # beat that completed the confirmation, af_confirm beats later).
        return AlarmChange("AF", "start" if self.active else "end", float(self._change_time), evidence)


class VTDetector:
    """Ventricular-tachycardia detector: ``vt_min_beats`` consecutive ventricular beats faster than ``vt_min_rate`` bpm.

    Ventricular beats are those labelled with one of ``AlarmConfig.vt_labels`` (AAMI V and F: the
    ventricular runs of the EC57 scorer, ``ecgbench.evaluation.rhythm``, count fusion beats too).
    Any ``vt_min_beats`` consecutive ventricular beats inside a longer run are themselves a run,
    so the rate is checked both over the whole run so far and over its last ``vt_min_beats``
    beats: a run that starts with a long coupling and then speeds up alarms as soon as its last
    beats are fast enough.
    """

    def __init__(self, config: AlarmConfig) -> None:
        self.config = config
        self._run_start = float("nan")
        self._recent: deque[float] = deque(maxlen=max(2, config.vt_min_beats))
        self._run_length = 0
        self._last_time = float("nan")
        self.active = False

    @staticmethod
    def mean_rate(first: float, last: float, beats: int) -> float:
        """Mean rate (bpm) of ``beats`` beats from ``first`` to ``last`` s (0 for a zero span)."""
        return 60.0 * (beats - 1) / (last - first) if last > first else 0.0

    def _rates(self, time: float) -> tuple[float, float]:
        """Mean rates (bpm) of the current run up to ``time`` s: the whole run, and its last beats."""
        return (self.mean_rate(self._run_start, time, self._run_length),
                self.mean_rate(self._recent[0], time, len(self._recent)))  # fmt: skip

    def rule_rate(self, time: float) -> float:
        """The rate (bpm) the rule compares with ``vt_min_rate`` for the run ending at the beat at ``time`` s.

        The larger of the whole run's and its last beats' mean rate, once the run holds
        ``vt_min_beats`` ventricular beats; 0 before that (or outside a run). Valid whether or not
        the alarm is already active.
        """
        if self._run_length < self.config.vt_min_beats:
            return 0.0
        return max(self._rates(time))

    def update(self, time: float, ventricular: bool) -> AlarmChange | None:
        """Feed one beat; return a change of VT state or None."""
        cfg = self.config
        change = None
        if ventricular:
            if self._run_length == 0:
                self._run_start = time
                self._recent.clear()
            self._run_length += 1
            self._recent.append(time)
            if not self.active and self.rule_rate(time) > cfg.vt_min_rate:
                self.active = True
                whole, last = self._rates(time)
                evidence = {"rate_bpm": round(whole, 1), "last_beats_rate_bpm": round(last, 1), "run_length": self._run_length}
                change = AlarmChange("VT", "start", self._run_start, evidence)
        else:
            if self.active:
                rate = self.mean_rate(self._run_start, self._last_time, self._run_length)
                change = AlarmChange("VT", "end", time, {"run_length": self._run_length, "rate_bpm": round(rate, 1)})
                self.active = False
            self._run_length = 0
        self._last_time = time
        return change

    def close(self, time: float) -> AlarmChange | None:
        """End an open VT alarm at ``time`` s (stream end or asystole)."""
        if not self.active:
            return None
        self.active = False
        return AlarmChange("VT", "end", time, {"run_length": self._run_length})


class RhythmMonitor:
    """Runs the AF, VT and asystole logic over classified beats.

    Parameters
    ----------
    config : AlarmConfig, optional
        Thresholds.
    """

    def __init__(self, config: AlarmConfig | None = None) -> None:
        self.config = config or AlarmConfig()
        self.af = AFDetector(self.config)
        self.vt = VTDetector(self.config)
        self.asystole_active = False
        self.last_beat_time = float("nan")
        self._last_ventricular = False
        self._recent_rr: deque[float] = deque(maxlen=8)

    @property
    def heart_rate(self) -> float:
        """Heart rate in bpm from the last 8 RR intervals (NaN before two beats)."""
        return 60.0 / float(np.mean(self._recent_rr)) if self._recent_rr else float("nan")

    @property
    def rhythm(self) -> str:
        """Current rhythm label: ``ASYS``, ``VT``, ``AFIB`` or ``N`` (sinus or other)."""
        if self.asystole_active:
            return "ASYS"
        if self.vt.active:
            return "VT"
        return "AFIB" if self.af.active else "N"

    def on_beat(self, time: float, label: str, pause_quality_bad: float = 0.0) -> list[AlarmChange]:
        """Feed one classified beat (R time s, AAMI label); return alarm changes in time order.

        ``pause_quality_bad`` is the fraction of the pause before this beat during which the
        detection lead was bad; it decides whether a long pause counts as asystole.
        """
        changes: list[AlarmChange] = []
        rr = time - self.last_beat_time if np.isfinite(self.last_beat_time) else float("nan")
        if np.isfinite(rr) and rr >= self.config.asystole:
            if not self.asystole_active and pause_quality_bad < 0.5:
                changes.append(self._asystole_start())
            if self.asystole_active:
                changes.append(AlarmChange("asystole", "end", time, {"pause_s": round(rr, 3)}))
                self.asystole_active = False
        ventricular = label == "V"  # ectopic-beat filtering of the AF detector: premature ventricular beats
        if np.isfinite(rr) and self.config.rr_min <= rr <= self.config.rr_max:
            self._recent_rr.append(rr)
        for change in (self.af.update(time, rr, ventricular, self._last_ventricular), self.vt.update(time, label in self.config.vt_labels)):
            if change is not None:
                changes.append(change)
        self._last_ventricular = ventricular
        self.last_beat_time = time
        return changes

    def _asystole_start(self) -> AlarmChange:
        self.asystole_active = True
        closing = self.vt.close(self.last_beat_time)
        evidence = {"last_beat_s": round(self.last_beat_time, 3), "threshold_s": self.config.asystole}
        if closing is not None:
            evidence["vt_closed"] = True
        return AlarmChange("asystole", "start", self.last_beat_time + self.config.asystole, evidence)

    def check_pause(self, final_until: float, quality_bad: float) -> list[AlarmChange]:
        """Raise asystole if no beat up to ``final_until`` s (beats before it are final).

        ``quality_bad`` is the fraction of the pause with a bad detection lead.
        """
        if self.asystole_active or not np.isfinite(self.last_beat_time):
            return []
        if final_until - self.last_beat_time >= self.config.asystole and quality_bad < 0.5:
            return [self._asystole_start()]
        return []

    def close(self, time: float) -> list[AlarmChange]:
        """End every open alarm at ``time`` s (end of stream)."""
        changes = []
        if self.asystole_active:
            self.asystole_active = False
            changes.append(AlarmChange("asystole", "end", time))
        vt = self.vt.close(time)
        if vt is not None:
            changes.append(vt)
        if self.af.active:
            self.af.active = False
            changes.append(AlarmChange("AF", "end", time))
        return changes
