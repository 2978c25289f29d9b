"""Rhythm alarms from the stream of classified beats: atrial fibrillation, ventricular tachycardia, asystole.

All three run on beat times (seconds) and AAMI labels, one beat at a time in order, so their output
does not depend on chunking.

AF, ``af_method="median"``
    RR irregularity over a short sliding window, after the low-complexity 8-beat detector of
    Petrėnas et al. (2015): RR intervals next to a ventricular beat are dropped (ectopic-beat
    filtering), the irregularity is the median absolute successive RR difference over the last
    ``af_window`` pairs divided by the mean RR of those beats, and AF starts when it exceeds
    ``af_on`` for ``af_confirm`` beats and ends when it stays below ``af_off`` for ``af_confirm``
    beats. The onset (offset) reported is the middle beat of the first window of the confirmed
    streak, where the window's median says the change had happened, not the beat that completed
    the confirmation ``af_confirm`` beats later. This is a simplified variant (no bigeminy-suppression stage and no signal fusion);
    thresholds were chosen on DS1 records, never on DS2.
AF, ``af_method="petrenas"``
    The whole detector of Petrėnas et al. (2015) with the parameter values the paper reports
    (set by its authors on other databases, not on MIT-BIH; the values below were read from a
    public re-implementation, github.com/tabaraei/LTAF-detection, as the paper's text was not at
    hand, and not re-tuned here): a 3-point median filter of the RR series
    r(n) → rm(n) (ectopic beats); M(n), the share of the N(N−1)/2 pairs of the last N = 8 rm
    values differing by at least γ = 30 ms; the RR trend rt(n) and M̄(n) by exponential
    averaging (α = 0.02); the irregularity I(n) = M̄(n) / rt(n) (s⁻¹: fast, irregular rhythms
    score high); bigeminy suppression B(n) = (Σ rm / Σ r − 1)² over the last N intervals,
    averaged to B̄(n) — a bigeminal RR series is only reordered by the median filter, so its sum
    stays and B̄ stays small, while AF's is not; signal fusion O(n) = I(n) where B̄(n) ≥ δ = 2·10⁻⁴
    and O(n) = B̄(n) elsewhere; AF while O(n) > η = 0.725. The paper averages forward and
    backward (zero phase); a monitor cannot look ahead, so here the averages are causal (forward
    only), which delays the decision by tens of beats (time constant (1 − α)/α ≈ 49 beats). The
    median needs the next interval, so r(n) is judged one beat late. RR intervals outside
    [``rr_min``, ``rr_max``] (gaps, missed or double detections) are skipped and restart the
    median's neighbourhood; so, with ``af_skip_ventricular`` (the default), are the intervals next
    to a beat the classifier labels V — our addition, taken from the ``median`` detector.
    A second addition is the dwell: the state changes only after the decision O(n) > η has
    disagreed with it on ``af_dwell`` consecutive judged beats (32 by default; 1 is the paper's
    detector), and the change is dated at the first of them. O(n) of a causal average drifts
    slowly across η, so without a dwell the alarm flickers into short false episodes; with it an
    AF onset is alarmed ``af_dwell`` − 1 judged beats later (about 20–30 s at AF rates; an AF
    episode is clinically one lasting at least 30 s, Hindricks et al. 2021), a fair price for a
    rhythm that is not an immediate threat, unlike VT.
    This is the default (``af_method="petrenas"``, ``af_dwell=32``): on DS1 (never DS2;
    ``python -m experiments.streaming_alarms.af_detector_ds1``) the detector without a dwell matched the ``median``
    detector's AF episode sensitivity and beat it on episode +P and on duration Se and +P, with
    the cnn1d classifier and with the rule classifier alike; without ``af_skip_ventricular`` it
    raised many false alarms in records with frequent PVCs (106, 208, 215). Of the dwells tried
    there (1, 8, 16, 32 beats; no longer ones, to fit DS1's few AF records no further), 32 gave
    the best episode and duration +P with both classifiers at equal episode Se (cnn1d: episode
    +P 58.82 vs 51.72; rules: 95.56 vs 88.00) and the longest AF alarm delay rose from 16.7 s to
    34.0 s.
VT
    At least ``vt_min_beats`` consecutive ventricular beats (AAMI V or F) with a mean rate above
    ``vt_min_rate`` bpm, over the whole run or its last ``vt_min_beats`` beats: a run is three
    or more consecutive ventricular beats (AAMI EC57), VT such a run above 100 bpm (ACC/AHA/ESC
    2006). IEC 60601-2-27 tests the heart-rate meter and its alarm delays but leaves arrhythmia
    criteria to the manufacturer's disclosure: these are ours. A beat is ventricular for this rule
    when its label is one of ``vt_labels`` or, with ``vt_probability`` set, when the classifier's
    probability summed over ``vt_labels`` reaches it: the alarm may run at a more sensitive
    operating point than the beat labels (one run beat labelled N otherwise splits a VT run).
    The beat labels, the EC57 beat statistics and the AF detector's ectopic filter are unchanged.
    A run that meets the rule while the signal quality is bad (a quality fault on the detection lead
    from ``vt_quality_guard`` seconds before the run's first beat up to the beat that completes the
    rule: noise, a gap, a flat line; ``vt_quality_reasons``) raises no alarm: it is reported as ``suppressed`` (noise spikes
    labelled ventricular make false VT runs); the run may still alarm later, once quality is good.
    With ``vt_run_psqi`` the run itself is judged too when its alarm is due: the pSQI of the
    detection lead over the run (Li et al. 2008; :mod:`ecgbench.signal.sqi`) below the threshold
    suppresses it, with no wait for a block verdict. A raised alarm near a quality fault
    (``vt_unreliable_window`` s before its run or after its raising beat) is followed by an
    ``unreliable`` event: it stays raised, marked.
    The default is the labels alone: the operating point belongs to a classifier (its
    probabilities' calibration), so it is chosen per classifier on DS1 only
    (``python -m experiments.streaming_alarms.vt_detector_ds1``, rule fixed before the run: most
    alarmable DS1 onsets alarmed with at most twice the label rule's false VT alarms per hour), and
    given with ``--vt-probability``. It belongs to a trained model, not to a baseline name: the
    points chosen for the committed models are listed in ``experiments/README.md`` (S3).
Asystole
    No beat for ``asystole`` seconds; suppressed when the detection lead was bad (lead off, flat
    line) for most of the pause, which is reported as a quality alarm instead. The 4 s default is
    the published alarm definition of the PhysioNet/CinC Challenge 2015 ("no QRS for at least
    4 seconds", Clifford et al. 2015, the definitions of bedside monitors' asystole alarms), not a
    tuned value; IEC 60601-2-27 (like AAMI EC13) bounds only how late a monitor may raise its
    cardiac-standstill alarm (within 10 s), which a 4-s pause plus the detector's decision delay meets.
VF
    Not a beat rule: :class:`ecgbench.streaming.vf_alarm.VFAlarm` runs the VF detector on the
    signal itself (``vf_method``, every ``vf_step`` seconds) inside the pipeline.

References
----------
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015) (section 2; parameters of its results).
Hindricks G et al. 2020 ESC Guidelines for the diagnosis and management of atrial fibrillation.
Eur Heart J 42:373-498 (2021), section 3 (an AF episode lasting at least 30 s is diagnostic).
ANSI/AAMI EC57:2012, Testing and reporting performance results of cardiac rhythm and ST segment
measurement algorithms.
Zipes DP et al. ACC/AHA/ESC 2006 guidelines for management of patients with ventricular arrhythmias
and the prevention of sudden cardiac death. Circulation 114:e385-e484 (2006), section 3 (definitions).
IEC 60601-2-27:2011, Particular requirements for electrocardiographic monitoring equipment.
Clifford GD et al. The PhysioNet/Computing in Cardiology Challenge 2015: reducing false arrhythmia
alarms in the ICU. Computing in Cardiology 42:273-276 (2015), table 1 (alarm definitions).
Li Q, Mark RG, Clifford GD. Robust heart rate estimation from multiple asynchronous noisy sources
using signal quality indices and a Kalman filter. Physiol Meas 29(1):15-32 (2008) (pSQI).
Behar J, Oster J, Li Q, Clifford GD. ECG signal quality during arrhythmia and its application to
false alarm reduction. IEEE Trans Biomed Eng 60(6):1660-1666 (2013) (signal quality to suppress
false VT alarms).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.records.symbols import AAMI_CLASSES

#: AF detectors :class:`RhythmMonitor` can run (``AlarmConfig.af_method``).
AF_METHODS = ("median", "petrenas")


@dataclass(frozen=True)
class AlarmConfig:
    """Alarm thresholds in physical units.

    Attributes
    ----------
    af_method : str
        AF detector: ``"median"`` (:class:`AFDetector`) or ``"petrenas"``
        (:class:`PetrenasAFDetector`); see the module notes.
    af_window : int
        ``median``: successive RR differences in the AF irregularity window (beats);
        ``petrenas``: RR intervals in the sliding window (the paper's N).
    af_on, af_off : float
        ``median``: normalised irregularity (median |ΔRR| / mean RR, unitless) to enter and to leave AF.
    af_confirm : int
        ``median``: consecutive beats above ``af_on`` (or below ``af_off``) needed to start (or end) AF.
    af_gamma : float
        ``petrenas``: RR difference (s) counted as irregular (the paper's γ).
    af_alpha : float
        ``petrenas``: exponential-averaging factor per beat, in (0, 1) (the paper's α).
    af_delta : float
        ``petrenas``: bigeminy-suppression threshold on B̄ (unitless, the paper's δ).
    af_eta : float
        ``petrenas``: decision threshold on O (s⁻¹, the paper's η).
    af_dwell : int
        ``petrenas``: consecutive judged beats on which the decision (O > η) must disagree with the
        AF state before the state changes; the change is dated at the first of them (its alarm is
        raised ``af_dwell`` − 1 beats later). 1 is the paper's detector (no dwell).
    af_start_dwell : int or None
        ``petrenas``: the dwell at cold start — while the detector has judged fewer than
        ``af_dwell`` beats since the stream started and its state never changed, a decision held on
        this many consecutive judged beats (at most ``af_dwell``) already changes the state (a monitor attached to a
        patient in AF then says so within about 30 s). None: ``af_dwell`` from the start. 8 by
        the DS1 rule of ``experiments/cold_start/README.md`` (of none, 16 and 8, the best mean
        excerpt Se + Sp on DS1, rules classifier).
    af_skip_ventricular : bool
        ``petrenas``: also skip the RR intervals next to a beat the classifier labels V, as the
        ``median`` detector always does (not in the paper, which uses RR only).
    vt_min_beats : int
        Consecutive ventricular beats that make a run (EC57: a run is 3 or more).
    vt_min_rate : float
        Rate in beats per minute the run must exceed (VT: "3 or more consecutive complexes of
        ventricular origin at a rate above 100 bpm", ACC/AHA/ESC 2006).
    vt_labels : str
        AAMI labels counted as ventricular in a run (V and F, as the EC57 run scorer).
    vt_probability : float or None
        When set (0 < p <= 1), a beat also counts as ventricular for the VT rule when the
        classifier's probability summed over ``vt_labels`` is at least this (unitless); None: the
        beat's label alone decides.
    vt_quality_guard : float or None
        Seconds before a VT run's first beat from which a quality fault suppresses its alarm (see
        the module notes; chosen on DS1, ``experiments/stream_faults/README.md``); None: VT alarms
        are never suppressed.
    vt_quality_reasons : tuple of str
        Quality faults of the detection lead that suppress a VT alarm (``QualityMonitor`` reasons).
        Saturation and amplitude jumps are left out: a real VT's large complexes can clip or jump
        in amplitude (random bytes and broadband noise are caught as ``noise``).
    vt_quality_wait : bool
        Hold a VT alarm the rule raised until the quality monitor has judged the block after the
        one holding the run's completing beat (up to two blocks, 2 s at the default block), and
        suppress it if the quality was bad from ``vt_quality_guard`` s before the run's first beat
        up to that block's end: the noise verdict (a median over ``noise_blocks`` blocks) comes a
        block or two after a noise burst's onset, and the beats labelled in that time otherwise
        raise VT before it. The alarm's decision time is when it is released (the wait counts in
        the alarm delay). Chosen on DS1 (``experiments/stream_faults/README.md``).
    vt_recent_noise : bool
        Also suppress a VT alarm when the last second of the detection lead, not yet judged as a
        block, is noisy (:meth:`ecgbench.streaming.quality.QualityMonitor.recent_noisy`): the
        block verdicts lag the beats by up to a block and a median.
    vt_run_psqi : float or None
        Also suppress a VT alarm when the pSQI (:func:`ecgbench.signal.sqi.psqi`, the share of
        5-15 Hz power in 5-40 Hz; Li et al. 2008) of the detection lead's raw signal over the run
        (``vt_run_margin`` s before its first beat up to the end of the classifier window of the
        beat that completes the rule, at least ``vt_run_window`` s) is below this (unitless): judged on the run itself when the
        alarm is due, with no block or median lag. None: no such check. 0.5 by the DS1 rule of
        ``experiments/stream_faults/README.md`` (third round: the largest grid value at least 0.1
        below every clean DS1 true VT alarm's run pSQI; it kept 30 of 36 clean alarmable onsets).
    vt_run_margin, vt_run_window : float
        Seconds of the run window of ``vt_run_psqi`` before the run's first beat, and its shortest length.
    vt_unreliable_window : float or None
        A raised VT alarm is marked unreliable when a quality fault of ``vt_quality_reasons`` lies
        within this many seconds of its run (from this long before its first beat to this long
        after the beat that raised it): an ``unreliable`` event follows it, as soon as the fault's
        block is judged (the alarm stays raised). None: no marking. 5 s, the shortest fault
        the benchmark requires flagged (benchmarks/stream_faults.py); a design value, not tuned (it changes no alarm).
    asystole : float
        Seconds without a beat that raise the asystole alarm (4: the PhysioNet/CinC 2015 definition;
        module notes).
    asystole_quality_reasons : tuple of str
        Quality faults of the detection lead that suppress an asystole alarm: those that make the
        lead untrustworthy for beat detection (a gap, a lead off, saturation, an amplitude jump,
        noise). The spectral indices (``baseline``, ``spectrum``) are left out: a signal without
        QRS complexes fails them by construction, and an asystole must not be hidden as a quality
        fault.
    vf_method : str or None
        VF detector of the VF alarm (:mod:`ecgbench.signal.vf_detection`: ``"tcsc"`` or
        ``"leakage"``, each at its DS1-chosen threshold); None: no VF alarm.
    vf_step : float
        Seconds between the VF detector's 8-s analysis windows (1: a decision every second, as the
        quality blocks and the default chunk).
    vf_veto_irregularity : float or None
        Organized-rhythm veto of the VF alarm (:mod:`ecgbench.streaming.vf_alarm`): a VF window is
        vetoed when its detected beats have a median |ΔRR| / mean RR at most this (unitless) and
        a mean rate at most ``vf_veto_max_rate``; None: no veto. 0.2 and 120 bpm by the DS1 rule of
        ``experiments/vfdb_alarms/README.md`` (the fewest DS1 false VF alarms, 0.73 per hour against
        5.17 without the veto, that kept every DS1 VF episode alarmed and AHA VF Se >= 90 %).
    vf_veto_max_rate : float
        Highest mean rate (bpm) of an organized rhythm that vetoes a VF window.
    vf_quality_reasons : tuple of str
        Quality faults of the detection lead that suppress a VF alarm (``nan``, ``flat``: a lead
        off). Noise is left out: VF looks noisy to the noise index (see
        :mod:`ecgbench.streaming.vf_alarm`), so a noisy VF alarm is flagged, not suppressed.
    rr_min, rr_max : float
        RR intervals (s) outside this range are not used for AF (missed or double detections).
    """

    af_method: str = "petrenas"
    af_window: int = 8
    af_on: float = 0.15
    af_off: float = 0.105
    af_confirm: int = 8
    af_gamma: float = 0.03
    af_alpha: float = 0.02
    af_delta: float = 2e-4
    af_eta: float = 0.725
    af_dwell: int = 32
    af_start_dwell: int | None = 8
    af_skip_ventricular: bool = True
    vt_min_beats: int = 3
    vt_min_rate: float = 100.0
    vt_labels: str = "VF"
    vt_probability: float | None = None
    vt_quality_guard: float | None = 2.0
    vt_quality_reasons: tuple[str, ...] = ("nan", "flat", "noise")
    vt_quality_wait: bool = False
    vt_recent_noise: bool = False
    vt_run_psqi: float | None = 0.5
    vt_run_margin: float = 0.5
    vt_run_window: float = 2.0
    vt_unreliable_window: float | None = 5.0
    asystole: float = 4.0
    asystole_quality_reasons: tuple[str, ...] = ("nan", "flat", "saturation", "amplitude_jump", "noise")
    vf_method: str | None = "tcsc"
    vf_step: float = 1.0
    vf_veto_irregularity: float | None = 0.2
    vf_veto_max_rate: float = 120.0
    vf_quality_reasons: tuple[str, ...] = ("nan", "flat")
    rr_min: float = 0.2
    rr_max: float = 3.0

    def __post_init__(self) -> None:
        if self.af_method not in AF_METHODS:
            raise ConfigError(f"alarm config af_method={self.af_method!r} is not one of {', '.join(AF_METHODS)}")
        if self.af_dwell < 1:
            raise ConfigError(f"alarm config af_dwell={self.af_dwell} must be >= 1 beat (1: no dwell)")
        if self.af_start_dwell is not None and self.af_start_dwell < 1:
            raise ConfigError(f"alarm config af_start_dwell={self.af_start_dwell} must be >= 1 beat (or None: af_dwell from the start)")
        if not self.vt_labels or any(label not in AAMI_CLASSES for label in self.vt_labels):
            raise ConfigError(f"alarm config vt_labels={self.vt_labels!r} must be AAMI classes, some of {''.join(AAMI_CLASSES)}")
        if self.vt_quality_guard is not None and not self.vt_quality_guard >= 0:
            raise ConfigError(f"alarm config vt_quality_guard={self.vt_quality_guard} must be >= 0 s (or None: never suppress)")
        if self.vt_run_psqi is not None and not 0.0 <= self.vt_run_psqi <= 1.0:
            raise ConfigError(f"alarm config vt_run_psqi={self.vt_run_psqi} must be in [0, 1] (or None: no run check)")
        if self.vt_unreliable_window is not None and not self.vt_unreliable_window >= 0:
            raise ConfigError(f"alarm config vt_unreliable_window={self.vt_unreliable_window} must be >= 0 s (or None: no marking)")
        if self.vt_probability is not None and not 0.0 < self.vt_probability <= 1.0:
            raise ConfigError(f"alarm config vt_probability={self.vt_probability} must be in (0, 1] (or None: labels only)")
        if self.vf_method is not None:
            from ecgbench.signal.vf_detection import METHODS

            if self.vf_method not in METHODS:
                raise ConfigError(f"alarm config vf_method={self.vf_method!r} is not one of {', '.join(METHODS)} (or None: no VF alarm)")
        if not self.vf_step > 0 or not self.asystole > 0:
            raise ConfigError(f"alarm config needs vf_step > 0 s and asystole > 0 s (got {self.vf_step}, {self.asystole})")
        if self.af_window < 2 or not 0.0 < self.af_alpha < 1.0:
            raise ConfigError(f"alarm config needs af_window >= 2 beats and 0 < af_alpha < 1 (got {self.af_window}, {self.af_alpha})")

    def to_dict(self) -> dict:
        """The thresholds as a JSON-serialisable dict (for run records)."""
        return dataclasses.asdict(self)


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


class PetrenasAFDetector:
    """The AF detector of Petrėnas et al. (2015), causal (see the module notes, ``af_method="petrenas"``).

    Attributes
    ----------
    active : bool
        AF state.
    irregularity : float
        The last decision signal O(n) (s⁻¹ where the bigeminy gate is open; NaN before any).
    """

    def __init__(self, config: AlarmConfig) -> None:
        self.config = config
        self._raw: deque[tuple[float, float]] = deque(maxlen=3)  # (beat time s, RR s) for the 3-point median
        self._r: deque[float] = deque(maxlen=config.af_window)
        self._rm: deque[float] = deque(maxlen=config.af_window)
        self._pairs = np.triu_indices(config.af_window, k=1)
        self._trend = self._m_bar = self._b_bar = float("nan")
        self._judged = 0
        self._changed = False
        self._streak = 0
        self._change_time = float("nan")
        self.active = False
        self.irregularity = float("nan")

    @property
    def dwell(self) -> int:
        """Judged beats the decision must now disagree with the state (``af_start_dwell`` at cold start)."""
        cfg = self.config
        if cfg.af_start_dwell is not None and not self._changed and self._judged < cfg.af_dwell:
            return min(cfg.af_start_dwell, cfg.af_dwell)
        return cfg.af_dwell

    def _average(self, previous: float, value: float) -> float:
        """One step of the causal exponential average y(n) = (1 − α) y(n−1) + α x(n), started at x."""
        return value if not np.isfinite(previous) else (1.0 - self.config.af_alpha) * previous + self.config.af_alpha * value

    def update(self, time: float, rr: float, ventricular: bool = False, prev_ventricular: bool = False) -> AlarmChange | None:
        """Feed one beat (R time s, RR to the previous beat s, whether it and the previous beat are V).

        Returns a change of AF state or None. The labels are used only with
        ``AlarmConfig.af_skip_ventricular``.
        """
        cfg = self.config
        ectopic = cfg.af_skip_ventricular and (ventricular or prev_ventricular)
        if ectopic or not (np.isfinite(rr) and cfg.rr_min <= rr <= cfg.rr_max):
            self._raw.clear()  # no median across a gap, a missed/double detection or (optionally) a PVC
            return None
        self._raw.append((time, rr))
        if len(self._raw) < 3:
            return None
        judged_time, judged_rr = self._raw[1]  # its median needs the next interval: judged one beat late
        self._r.append(judged_rr)
        self._rm.append(float(np.median([r for _, r in self._raw])))
        if len(self._rm) < cfg.af_window:
            return None  # M and B need a full window (a partial one biases B, whose average then lingers)
        rm = np.fromiter(self._rm, float)
        m = float(np.count_nonzero(np.abs(rm[self._pairs[0]] - rm[self._pairs[1]]) >= cfg.af_gamma)) / self._pairs[0].size
        b = (float(rm.sum()) / float(sum(self._r)) - 1.0) ** 2
        self._trend = self._average(self._trend, judged_rr)
        self._m_bar = self._average(self._m_bar, m)
        self._b_bar = self._average(self._b_bar, b)
        self.irregularity = self._m_bar / self._trend if self._b_bar >= cfg.af_delta else self._b_bar
        self._judged += 1
        if (self.irregularity > cfg.af_eta) == self.active:
            self._streak = 0
            return None
        if self._streak == 0:
            self._change_time = judged_time
        self._streak += 1
        needed = self.dwell
        if self._streak < needed:
            return None
        self._streak = 0
        self._changed = True
        self.active = not self.active
        evidence = {"irregularity": round(float(self.irregularity), 4), "rr_trend_s": round(float(self._trend), 4),
                    "bigeminy": round(float(self._b_bar), 6), "dwell_beats": needed}  # fmt: skip
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
        self._suppressed = False
        self.active = False

    @staticmethod
    def mean_rate(first: float, last: float, beats: int) -> float:
        """Mean rate (bpm) of ``beats`` beats from ``first`` to ``last`` s (0 for a zero span)."""
        return 60.0 * (beats - 1) / (last - first) if last > first else 0.0

    def _rates(self, time: float) -> tuple[float, float]:
        """Mean rates (bpm) of the current run up to ``time`` s: the whole run, and its last beats."""
        return (self.mean_rate(self._run_start, time, self._run_length),
                self.mean_rate(self._recent[0], time, len(self._recent)))  # fmt: skip

    def run_start(self, time: float) -> float:
        """First beat (s) of the ventricular run a ventricular beat at ``time`` s would extend (``time`` itself if none is open)."""
        return self._run_start if self._run_length > 0 else time

    def rule_rate(self, time: float) -> float:
        """The rate (bpm) the rule compares with ``vt_min_rate`` for the run ending at the beat at ``time`` s.

        The larger of the whole run's and its last beats' mean rate, once the run holds
        ``vt_min_beats`` ventricular beats; 0 before that (or outside a run). Valid whether or not
        the alarm is already active.
        """
        if self._run_length < self.config.vt_min_beats:
            return 0.0
        return max(self._rates(time))

    def would_alarm(self, time: float) -> bool:
        """Whether a ventricular beat at ``time`` s would make the rule raise VT (before any quality check)."""
        if self.active or self._run_length + 1 < self.config.vt_min_beats:
            return False
        first = self._run_start if self._run_length > 0 else time
        recent = list(self._recent)[1:] if len(self._recent) == self._recent.maxlen else list(self._recent)
        recent = [t for t in recent if self._run_length > 0] + [time]
        whole = self.mean_rate(first, time, self._run_length + 1)
        return max(whole, self.mean_rate(recent[0], time, len(recent))) > self.config.vt_min_rate

    def update(self, time: float, ventricular: bool, quality_bad: bool = False) -> AlarmChange | None:
        """Feed one beat; return a change of VT state or None.

        ``quality_bad``: the signal quality was bad during the run (see the module notes); a run
        meeting the rule then gives a ``suppressed`` change instead of ``start``.
        """
        cfg = self.config
        change = None
        if ventricular:
            if self._run_length == 0:
                self._run_start = time
                self._recent.clear()
                self._suppressed = False
            self._run_length += 1
            self._recent.append(time)
            if not self.active and self.rule_rate(time) > cfg.vt_min_rate:
                whole, last = self._rates(time)
                evidence = {"rate_bpm": round(whole, 1), "last_beats_rate_bpm": round(last, 1), "run_length": self._run_length}
                if quality_bad:
                    if not self._suppressed:  # reported once per run
                        self._suppressed = True
                        change = AlarmChange("VT", "suppressed", self._run_start, {**evidence, "reason": "signal_quality"})
                    return self._remember(time, change)
                self.active = True
                change = AlarmChange("VT", "start", self._run_start, evidence)
        else:
            if self.active:
                rate = self.mean_rate(self._run_start, self._last_time, self._run_length)
                change = AlarmChange("VT", "end", time, {"run_length": self._run_length, "rate_bpm": round(rate, 1)})
                self.active = False
            self._run_length = 0
        return self._remember(time, change)

    def _remember(self, time: float, change: AlarmChange | None) -> AlarmChange | None:
        self._last_time = time
        return change

    def withdraw(self) -> None:
        """Take back a VT alarm the pipeline held and then suppressed: the run is no longer alarmed.

        The run counts as suppressed (reported once), and may still alarm on a later beat, once
        the quality is good.
        """
        self.active = False
        self._suppressed = True

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
        self.af = PetrenasAFDetector(self.config) if self.config.af_method == "petrenas" else AFDetector(self.config)
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

    def is_ventricular_for_vt(self, label: str, ventricular_probability: float = float("nan")) -> bool:
        """Whether a beat counts as ventricular for the VT rule (its label, or ``vt_probability``; see the module notes)."""
        cfg = self.config
        if label in cfg.vt_labels:
            return True
        return cfg.vt_probability is not None and bool(ventricular_probability >= cfg.vt_probability)

    def on_beat(self, time: float, label: str, pause_quality_bad: float = 0.0,
                ventricular_probability: float = float("nan"), vt_quality_bad: bool = False) -> list[AlarmChange]:  # fmt: skip
        """Feed one classified beat (R time s, AAMI label); return alarm changes in time order.

        ``pause_quality_bad`` is the fraction of the pause before this beat during which the
        detection lead was bad; it decides whether a long pause counts as asystole.
        ``ventricular_probability`` is the classifier's probability summed over
        ``AlarmConfig.vt_labels`` (used only with ``AlarmConfig.vt_probability``; NaN: unknown).
        ``vt_quality_bad``: the signal quality was bad during the current ventricular run (from
        ``AlarmConfig.vt_quality_guard`` s before its first beat), which suppresses a VT alarm.
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
        for change in (self.af.update(time, rr, ventricular, self._last_ventricular), self.vt.update(time, self.is_ventricular_for_vt(label, ventricular_probability), vt_quality_bad)):
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
