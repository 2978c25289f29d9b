"""The streaming pipeline: quality checks → causal filter → online QRS detector → beat windows →
batched classifier → rhythm alarms, one chunk at a time with bounded memory. Beside the beats, the
VF detector runs on the raw detection lead (:mod:`ecgbench.streaming.vf_alarm`: VF has no QRS).

Every decision is made on signal already seen (causal), beats are processed in order, and quality
is judged on blocks aligned to absolute samples, so the beats and labels do not depend on the chunk
size (pinned by a test). Missing samples (NaN) are held at the last finite value before filtering
(the detector holds them itself and, after a gap of a second or more, learns its thresholds again
from the signal that follows, :mod:`ecgbench.signal.qrs_online`), and flagged by the quality
monitor; a dropped chunk (a gap in sample numbering) is
replayed as NaN of the same length, so sample positions stay absolute.

The RR context restarts after an unusable stretch: a beat whose interval to the previous beat
spans missing samples or a block the quality monitor judged bad on the detection lead (flat,
saturated, noisy, an amplitude jump; baseline wander alone leaves the beats' times usable) gets
no pre-RR interval (NaN), and the local RR mean starts
afresh from it, so a gap's long interval never makes the following normal beats look premature.
VT alarms are suppressed while the quality is bad (:class:`~ecgbench.streaming.alarms.VTDetector`);
with ``AlarmConfig.vt_quality_wait`` a VT alarm is held until the quality of the block after its
completing beat is known, and suppressed then if it was bad.
Both use the quality verdicts available when the beat is decided. Missing samples are tracked per
sample, so a gap is always seen; flat, saturated and noisy stretches are judged per 1-s block, so
with chunks of whole blocks (1 s, the default) the restarts and suppressions equal a whole-record
run (pinned by a test), while with shorter chunks a beat decided before its block is judged may
keep its RR context near such a fault.

A classifier that needs the post-RR interval (the trained beat models) can only label a beat
finally once the next beat is detected. Such a beat first gets a provisional label as soon as its
window is complete (``ProvisionalBeatEvent``, post-RR imputed by the local mean RR), in the same
batched classifier call as the chunk's final beats; alarms and annotations use final labels only.
The latency tracker reports both: the final-label ("algorithmic") latency and the first-label
latency.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.records.symbols import AAMI_CLASSES
from ecgbench.streaming.alarms import AlarmChange, AlarmConfig, RhythmMonitor
from ecgbench.streaming.af_gate import pool_supraventricular
from ecgbench.streaming.buffers import SampleRing
from ecgbench.streaming.classifier import RR_KEYS, BeatClassifier, check_classifier
from ecgbench.streaming.events import AlarmEvent, BeatEvent, Event, ProvisionalBeatEvent
from ecgbench.streaming.latency import LatencyTracker, Stopwatch
from ecgbench.streaming.quality import QualityConfig, QualityMonitor, QualityVerdict
from ecgbench.streaming.vf_alarm import VFAlarm


#: Seconds around an unusable stretch within which a beat gives no RR interval (about a QRS width
#: and the detector's refractory period: a beat there is the step at the fault's edge).
UNUSABLE_MARGIN_S = 0.2
#: Quality reasons of the detection lead that leave its RR intervals usable: baseline wander moves
#: the baseline, not the beats (``QualityConfig.baseline_min``).
RR_KEEPING_REASONS = frozenset({"baseline"})


class ChunkFilter(Protocol):
    """A causal filter with state: ``process(chunk [n] or [n, leads]) -> same shape``."""

    def process(self, chunk: np.ndarray) -> np.ndarray: ...


class OnlineDetector(Protocol):
    """An online QRS detector on one lead.

    ``process(chunk [n])`` returns absolute sample positions of beats it has committed (final);
    ``flush()`` commits what is left at the end; ``decision_delay`` (s) bounds how long after an R
    peak the beat is committed. Optionally, ``last_commits`` holds the sample at which each beat of
    the last call's result was committed (``OnlineQRSDetector`` has it); without it a beat counts
    as committed at its R peak.
    """

    decision_delay: float

    def process(self, chunk: np.ndarray) -> np.ndarray: ...

    def flush(self) -> np.ndarray: ...


@dataclass(frozen=True)
class PipelineConfig:
    """Pipeline settings in physical units.

    Attributes
    ----------
    detection_lead : int
        Lead fed to the QRS detector.
    lowcut, highcut : float
        Pass band (Hz) of the streaming filter that feeds the classifier windows and the monitor.
    post_rr_timeout : float
        Seconds to wait for the next beat when the classifier needs the post-RR interval. The
        post-RR interval is known only when the detector committed to the next beat within this
        time after the R peak (the detector's commit sample, in signal time); otherwise the beat is
        classified with ``post = NaN``. Stated in signal time, the rule gives the same inputs
        whatever the chunk length (a whole record in one chunk included).
    rr_local_beats : int
        RR intervals in the local mean (``rr["local"]``), as in the beat-track RR features.
    history : float
        Seconds of signal kept in the ring buffers beyond the largest chunk (≥ the monitor trace).
    provisional_labels : bool
        When the classifier needs the post-RR interval, label each beat provisionally as soon as
        its window is complete (post-RR imputed by the local mean RR) and emit a
        ``ProvisionalBeatEvent``; the final ``BeatEvent`` follows once the next beat is known.
        Only for classifiers the provisional call does not change: stateless ones, or ones that
        take ``provisional`` (:class:`~ecgbench.streaming.classifier.BeatClassifier`).
    alarms, quality : AlarmConfig, QualityConfig
        Rhythm-alarm and signal-quality thresholds.
    """

    detection_lead: int = 0
    lowcut: float = 0.5
    highcut: float = 40.0
    post_rr_timeout: float = 2.0
    rr_local_beats: int = 10
    history: float = 12.0
    provisional_labels: bool = True
    alarms: AlarmConfig = field(default_factory=AlarmConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)


class MultiLeadFilter:
    """Run the second-order sections of an ``ecgbench.signal.StreamingFilter`` on all leads at once.

    ``StreamingFilter`` is 1-D; one ``sosfilt`` call over ``[n, leads]`` (axis 0) costs about half
    of one call per lead, which matters at 1000× real time. The state is initialised like
    ``StreamingFilter`` (steady state at the first sample), so each lead's output equals that
    filter's on finite input (pinned by a test); non-finite samples never reach it (the pipeline
    holds the last finite value first).
    """

    def __init__(self, sos: np.ndarray, n_leads: int) -> None:
        from scipy import signal as sps

        self.sos = np.asarray(sos, dtype=np.float64)
        self._sosfilt = sps.sosfilt
        self._zi_unit = sps.sosfilt_zi(self.sos)[:, :, None]  # [sections, 2, 1]
        self._zi: np.ndarray | None = None
        self.n_leads = n_leads

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Filter ``[n, leads]`` with state carried over; returns ``[n, leads]`` float64."""
        x = np.asarray(chunk, dtype=np.float64)
        if x.shape[0] == 0:
            return x.copy()
        if self._zi is None:
            self._zi = self._zi_unit * x[0][None, None, :]
        y, self._zi = self._sosfilt(self.sos, x, axis=0, zi=self._zi)
        return y


def default_components(sampling_rate: float, n_leads: int, config: PipelineConfig) -> tuple[ChunkFilter, OnlineDetector]:
    """Return a multi-lead filter with ``ecgbench.signal.StreamingFilter``'s design, and ``OnlineQRSDetector``."""
    from ecgbench.signal.filters import StreamingFilter
    from ecgbench.signal.qrs_online import OnlineQRSDetector

    design = StreamingFilter(sampling_rate, lowcut=config.lowcut, highcut=config.highcut)
    return MultiLeadFilter(design.sos, n_leads), OnlineQRSDetector(sampling_rate)


def hold_last(chunk: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Replace non-finite samples of ``chunk`` [n, leads] by the last finite value (``last`` before it).

    ``last`` (one value per lead) is updated in place.
    """
    bad = ~np.isfinite(chunk)
    if not bad.any():
        last[:] = chunk[-1] if chunk.shape[0] else last
        return chunk
    out = chunk.copy()
    n = chunk.shape[0]
    for lead in np.flatnonzero(bad.any(axis=0)):
        index = np.where(bad[:, lead], -1, np.arange(n))
        index = np.maximum.accumulate(index)
        column = out[:, lead]
        out[:, lead] = np.where(index >= 0, column[np.maximum(index, 0)], last[lead])
    last[:] = out[-1]
    return out


class StreamingPipeline:
    """Turn chunks of a multi-lead ECG stream into beat and alarm events.

    Parameters
    ----------
    sampling_rate : float
        Hz of the incoming chunks (must equal ``classifier.sampling_rate``).
    n_leads : int
        Leads per sample; the classifier gets all of them.
    classifier : BeatClassifier
        Labels the beats (batched per chunk).
    detector : OnlineDetector, optional
        Default: ``ecgbench.signal.OnlineQRSDetector(sampling_rate)``.
    filter : ChunkFilter, optional
        Causal filter for all leads [n, leads]; default ``ecgbench.signal.StreamingFilter``.
    config : PipelineConfig, optional
        Settings.
    """

    def __init__(self, sampling_rate: float, n_leads: int, classifier: BeatClassifier, *,
                 detector: OnlineDetector | None = None, filter: ChunkFilter | None = None,
                 config: PipelineConfig | None = None) -> None:  # fmt: skip
        self.config = config or PipelineConfig()
        self.fs = float(sampling_rate)
        self.classifier = check_classifier(classifier)
        if abs(float(classifier.sampling_rate) - self.fs) > 1e-6:
            raise ConfigError(
                f"stream at {self.fs} Hz but the classifier expects {classifier.sampling_rate} Hz; "
                "resample the source to the classifier's rate"
            )
        if not 0 <= self.config.detection_lead < n_leads:
            raise ConfigError(f"detection_lead {self.config.detection_lead} is not among the {n_leads} leads")
        if detector is None or filter is None:
            default_filter, default_detector = default_components(self.fs, n_leads, self.config)
            filter = filter if filter is not None else default_filter
            detector = detector if detector is not None else default_detector
        self.filter, self.detector = filter, detector
        self.n_leads = int(n_leads)
        self._before = int(round(classifier.window_before * self.fs))
        self._after = int(round(classifier.window_after * self.fs))
        self._post_timeout = int(round(self.config.post_rr_timeout * self.fs))
        history = int(round(self.config.history * self.fs)) + self._before + self._after + self._post_timeout
        history += int(round(float(getattr(detector, "decision_delay", 1.0)) * self.fs))
        self.raw = SampleRing(history, n_leads)
        self.filtered = SampleRing(history, n_leads)
        self.quality = QualityMonitor(self.fs, n_leads, self.config.detection_lead, self.config.quality)
        self.rhythm = RhythmMonitor(self.config.alarms)
        self.vf = VFAlarm(self.fs, self.config.alarms) if self.config.alarms.vf_method is not None else None
        self._vt_columns = [AAMI_CLASSES.index(c) for c in self.config.alarms.vt_labels]
        self._af_gate = bool(getattr(self.classifier, "af_gate", False))  # BeatClassifier's optional attribute
        self.latency = LatencyTracker()
        self._last_value = np.zeros(n_leads, np.float32)
        self._pending: deque[int] = deque()
        self._last_r = -1  # last beat handed to the classifier (absolute sample)
        self._last_detected = -1
        self._commit: dict[int, int] = {}  # pending R peak -> sample at which the detector committed to it
        self._recent_peaks: deque[tuple[int, int]] = deque()  # (R peak, commit) the VF alarm's next windows may need
        self._rr: deque[float] = deque(maxlen=self.config.rr_local_beats)
        self._rr_sum, self._rr_count = 0.0, 0
        self._provisional: tuple[int, str] | None = None  # (sample, label) awaiting its final label
        self._unusable: deque[tuple[int, int]] = deque(maxlen=256)  # [start, stop) samples with NaN or a bad block
        self._vt_held: list[tuple[AlarmChange, float]] = []  # VT changes held for AlarmConfig.vt_quality_wait, with the start's deadline (s)
        self._vt_watch: tuple[float, float] | None = None  # (onset, raising beat) s of the last VT alarm not yet marked (AlarmConfig.vt_unreliable_window)
        self.recent_beats: deque[BeatEvent] = deque(maxlen=32)
        self.active_alarms: dict[str, AlarmEvent] = {}

    @property
    def samples_seen(self) -> int:
        """Samples processed so far (absolute index of the next sample)."""
        return self.raw.end

    @property
    def time(self) -> float:
        """Signal time processed so far (s)."""
        return self.raw.end / self.fs

    def process(self, chunk: np.ndarray, start: int | None = None) -> list[Event]:
        """Process one chunk ``[n, leads]`` (mV) starting at absolute sample ``start``; return events.

        A ``start`` beyond the samples seen is a gap (dropped chunk): it is filled with NaN. Samples
        before the samples seen (a repeated chunk) are dropped.
        """
        with Stopwatch() as watch:
            chunk = np.asarray(chunk, dtype=np.float32)
            if chunk.ndim == 1:
                chunk = chunk[:, None]
            if chunk.shape[1] != self.n_leads:
                raise ConfigError(f"chunk has {chunk.shape[1]} leads, the stream was opened with {self.n_leads}")
            events: list[Event] = []
            n_before = self.raw.end
            if start is not None and start > self.raw.end:
                events += self._process(np.full((start - self.raw.end, self.n_leads), np.nan, np.float32))
            elif start is not None and start < self.raw.end:
                chunk = chunk[self.raw.end - start :]
            events += self._process(chunk)
        self.latency.add_chunk(watch.elapsed, (self.raw.end - n_before) / self.fs)
        return events

    def _process(self, chunk: np.ndarray) -> list[Event]:
        if chunk.shape[0] == 0:
            return []
        events: list[Event] = []
        missing = np.flatnonzero(~np.isfinite(chunk).all(axis=1))
        if missing.size:
            self._mark_unusable(self.raw.end + int(missing[0]), self.raw.end + int(missing[-1]) + 1)
        for verdict in self.quality.update(chunk):
            if set(verdict.reasons.get(self.config.detection_lead, ())) - RR_KEEPING_REASONS:
                self._mark_unusable(int(round(verdict.start * self.fs)), int(round(verdict.end * self.fs)))
            change = self.quality.record(verdict)
            if change is not None:
                evidence = {"reasons": {str(k): list(v) for k, v in verdict.reasons.items()}} if change[0] == "start" else {}
                events.append(self._alarm(AlarmChange("signal_quality", change[0], change[1], evidence)))
            events += self._watch_vt(verdict)
        clean = hold_last(chunk, self._last_value)
        self.raw.append(clean)
        self.filtered.append(np.asarray(self.filter.process(clean), dtype=np.float32).reshape(clean.shape))
        lead = clean[:, self.config.detection_lead]
        # the detector gets the missing samples as NaN: it blanks them and re-learns its levels after a long gap
        self._add_beats(self.detector.process(chunk[:, self.config.detection_lead]))
        if self.vf is not None:
            events += [self._alarm(c) for c in self.vf.update(lead, self.quality, self._recent_peaks)]
            while self._recent_peaks and self._recent_peaks[0][0] < self.vf.first_needed_sample:
                self._recent_peaks.popleft()
        events += self._decide(final=False)
        return events

    def _mark_unusable(self, start: int, stop: int) -> None:
        """Note samples ``[start, stop)`` as unusable for RR intervals (merged with the last span when they touch)."""
        if self._unusable and start <= self._unusable[-1][1]:
            self._unusable[-1] = (self._unusable[-1][0], max(stop, self._unusable[-1][1]))
        else:
            self._unusable.append((start, stop))

    def _spans_unusable(self, a: int, b: int) -> bool:
        """Whether beats at samples ``a`` and ``b`` have an unusable span between them, or either lies at one.

        "At" is within :data:`UNUSABLE_MARGIN_S` of it: the detector often marks a beat on the
        step where a flat or saturated stretch ends, and an interval from it is no RR interval.
        """
        margin = int(round(UNUSABLE_MARGIN_S * self.fs))
        for start, stop in reversed(self._unusable):
            if stop + margin <= a:
                return False
            if start - margin <= b:
                return True
        return False

    def _add_beats(self, beats: np.ndarray) -> None:
        beats = np.asarray(beats, dtype=np.int64).ravel()
        commits = getattr(self.detector, "last_commits", None)  # see OnlineDetector
        if commits is None or len(commits) != beats.size:
            commits = beats
        for r, commit in zip(beats.tolist(), np.asarray(commits).tolist(), strict=True):
            if r > self._last_detected:  # ignore duplicates and out-of-order commits
                self._pending.append(int(r))
                self._commit[int(r)] = max(int(commit), int(r))
                if self.vf is not None:
                    self._recent_peaks.append((int(r), max(int(commit), int(r))))
                self._last_detected = int(r)

    def _ready(self, index: int, final: bool) -> bool:
        r = self._pending[index]
        if final:
            return True
        if r + self._after > self.raw.end:
            return False
        if self.classifier.needs_post_rr and index + 1 >= len(self._pending):
            return r + self._post_timeout <= self.raw.end
        return True

    def _decide(self, final: bool) -> list[Event]:
        n_ready = 0
        while n_ready < len(self._pending) and self._ready(n_ready, final):
            n_ready += 1
        peaks = [self._pending.popleft() for _ in range(n_ready)]
        provisional = None if final else self._provisional_candidate()
        events: list[Event] = []
        if peaks or provisional is not None:
            events += self._classify(peaks, provisional)
        events += self._release_vt(final)
        if not self._pending and not final:
            final_until = self.time - float(getattr(self.detector, "decision_delay", 0.0))
            last = self.rhythm.last_beat_time
            bad = self.quality.bad_fraction(last, final_until, self.config.alarms.asystole_quality_reasons) if np.isfinite(last) else 0.0
            events += [self._alarm(c) for c in self.rhythm.check_pause(final_until, bad)]
        return events

    def _provisional_candidate(self) -> int | None:
        """The beat waiting only for the next beat, if it has no provisional label yet."""
        if not (self.config.provisional_labels and self.classifier.needs_post_rr and self._pending):
            return None
        r = self._pending[0]  # after the ready beats were taken, only the last beat can wait for the next one
        if len(self._pending) != 1 or r + self._after > self.raw.end:
            return None
        if self._provisional is not None and self._provisional[0] == r:
            return None
        return r

    def _windows(self, peaks: list[int]) -> np.ndarray:
        ring = self.filtered if self.classifier.filtered else self.raw
        out = np.empty((len(peaks), self._before + self._after, self.n_leads), np.float32)
        for i, r in enumerate(peaks):
            lo, hi = r - self._before, r + self._after
            a, b = max(lo, ring.start), min(hi, ring.end)
            segment = ring.get(a, b) if b > a else np.zeros((1, self.n_leads), np.float32)
            out[i] = np.pad(segment, ((a - lo, hi - b), (0, 0)), mode="edge") if (a > lo or b < hi) else segment
        return out

    def _rr_features(self, peaks: list[int]) -> dict[str, np.ndarray]:
        n = len(peaks)
        rr = {key: np.full(n, np.nan) for key in RR_KEYS}
        following = list(self._pending)
        for i, r in enumerate(peaks):
            if self._last_r >= 0 and self._spans_unusable(self._last_r, r):
                self._rr.clear()  # restart the RR context after a gap or an unusable stretch
            elif self._last_r >= 0:
                pre = (r - self._last_r) / self.fs
                rr["pre"][i] = pre
                self._rr.append(pre)
                self._rr_sum += pre
                self._rr_count += 1
            nxt = peaks[i + 1] if i + 1 < n else (following[0] if following else None)
            if nxt is not None and self._commit.get(nxt, nxt) <= r + self._post_timeout:
                rr["post"][i] = (nxt - r) / self.fs
            self._commit.pop(r, None)
            if self._rr:
                rr["local"][i] = float(np.mean(self._rr))
                rr["average"][i] = self._rr_sum / self._rr_count
            self._last_r = r
        return rr

    def _provisional_rr(self, r: int) -> dict[str, float]:
        """RR features of the next beat ``r`` without touching the running state (post-RR unknown)."""
        if self._last_r < 0:
            return {"pre": np.nan, "post": np.nan, "local": np.nan, "average": np.nan}
        pre = (r - self._last_r) / self.fs
        recent = list(self._rr)[1:] if len(self._rr) == self._rr.maxlen else list(self._rr)
        return {"pre": pre, "post": np.nan, "local": float(np.mean(recent + [pre])),
                "average": (self._rr_sum + pre) / (self._rr_count + 1)}  # fmt: skip

    def _shown(self, p: np.ndarray, label: int) -> tuple[np.ndarray, int]:
        """The probabilities and label shown for a beat: AF-gated (p(S) moved to p(N)) while the monitor is in AF."""
        if self._af_gate and self.rhythm.af.active:
            p = pool_supraventricular(p)
            return p, int(p.argmax())
        return p, label

    def _classify(self, peaks: list[int], provisional: int | None = None) -> list[Event]:
        """Classify the final ``peaks`` and, in the same batched call, a ``provisional`` beat."""
        batch = peaks + ([provisional] if provisional is not None else [])
        windows = self._windows(batch)
        rr = self._rr_features(peaks)
        if provisional is not None:
            extra = self._provisional_rr(provisional)
            rr = {key: np.append(values, extra[key]) for key, values in rr.items()}
        told = {"provisional": 1} if provisional is not None and getattr(self.classifier, "takes_provisional", False) else {}
        probs = np.asarray(self.classifier.classify(windows, rr, **told), dtype=np.float64)
        labels = probs.argmax(axis=1)
        ventricular = probs[:, self._vt_columns].sum(axis=1)  # for AlarmConfig.vt_probability
        decided = self.time
        events: list[Event] = []
        first_labels: list[float] = []  # one histogram update per chunk, not per beat
        for r, label, p, p_ventricular in zip(peaks, labels, probs, ventricular):
            # The rhythm monitor gets the classifier's own label; the AF gate (ecgbench.streaming.af_gate)
            # changes only the label shown, from the monitor's state before this beat, so it never feeds back.
            monitor_label = AAMI_CLASSES[int(label)]
            p, label = self._shown(p, int(label))
            beat = BeatEvent(r, r / self.fs, AAMI_CLASSES[int(label)], float(p[label]), decided)
            if self._provisional is not None and self._provisional[0] == r:
                self.latency.add_agreement(self._provisional[1] == beat.label)
                self._provisional = None
            else:
                first_labels.append(beat.latency)
            pause_start = self.rhythm.last_beat_time
            bad = self.quality.bad_fraction(pause_start, beat.time, self.config.alarms.asystole_quality_reasons) if np.isfinite(pause_start) else 0.0
            changes = self.rhythm.on_beat(beat.time, monitor_label, bad, float(p_ventricular), self._vt_quality_bad(beat.time, monitor_label, p_ventricular))
            events.append(beat)
            events += [self._alarm(c) for c in self._mark_vt(self._hold_vt(changes, beat.time), beat.time)]
            self.recent_beats.append(beat)
        if peaks:
            self.latency.add_beats([decided - r / self.fs for r in peaks])
        if provisional is not None:
            p_last, k = self._shown(probs[-1], int(labels[-1]))
            event = ProvisionalBeatEvent(provisional, provisional / self.fs, AAMI_CLASSES[k], float(p_last[k]), decided)
            self._provisional = (provisional, event.label)
            first_labels.append(event.latency)
            events.append(event)
        if first_labels:
            self.latency.add_first_label(first_labels)
        return events

    def _hold_vt(self, changes: list[AlarmChange], beat_time: float) -> list[AlarmChange]:
        """Hold a VT start (and what follows it) for ``AlarmConfig.vt_quality_wait``; return the changes to emit now."""
        if not self.config.alarms.vt_quality_wait:
            return changes
        out = []
        block = self.config.quality.block
        for change in changes:
            if change.kind == "VT" and change.state == "start":
                self._vt_held.append((change, (np.floor(beat_time / block) + 2.0) * block))
            elif change.kind == "VT" and self._vt_held:
                self._vt_held.append((change, float("nan")))
            else:
                out.append(change)
        return out

    def _release_vt(self, final: bool) -> list[Event]:
        """Emit or suppress held VT alarms whose deadline the quality monitor has judged (all of them at the end)."""
        events: list[Event] = []
        judged = self.quality.judged_until
        cfg = self.config.alarms
        while self._vt_held:
            start, deadline = self._vt_held[0]
            if not final and judged < deadline:
                break
            self._vt_held.pop(0)
            following = []
            while self._vt_held and not (self._vt_held[0][0].kind == "VT" and self._vt_held[0][0].state == "start"):
                following.append(self._vt_held.pop(0)[0])
            guard = cfg.vt_quality_guard if cfg.vt_quality_guard is not None else 0.0
            if cfg.vt_quality_guard is not None and self.quality.bad_fraction(start.time - guard, deadline, cfg.vt_quality_reasons) > 0:
                if not following:
                    self.rhythm.vt.withdraw()
                events.append(self._alarm(AlarmChange("VT", "suppressed", start.time, {**start.evidence, "reason": "signal_quality", "held": True})))
                continue
            events += [self._alarm(c) for c in self._mark_vt([start, *following], start.time)]
        return events

    def _mark_vt(self, changes: list[AlarmChange], beat_time: float) -> list[AlarmChange]:
        """Follow a raised VT alarm by an ``unreliable`` change when a quality fault lies within ``vt_unreliable_window`` s of its run.

        The span looked at is fixed in signal time (``window`` s before the run's first beat to
        ``window`` s after the beat that raised it), so the marks do not depend on chunking: a
        fault already judged marks the alarm at once, a later one when its block is judged
        (:meth:`_watch_vt`).
        """
        window = self.config.alarms.vt_unreliable_window
        out = []
        for change in changes:
            out.append(change)
            if window is None or change.kind != "VT" or change.state != "start":
                continue
            self._vt_watch = (change.time, beat_time)
            why = self._faults_near_vt(change.time - window, beat_time + window)
            if why:
                out.append(self._unreliable(why))
        return out

    def _faults_near_vt(self, t0: float, t1: float) -> list[str]:
        """The ``vt_quality_reasons`` of the detection lead's judged blocks overlapping ``[t0, t1)`` s."""
        reasons = self.config.alarms.vt_quality_reasons
        return sorted({r for r in reasons if self.quality.bad_fraction(t0, t1, (r,)) > 0})

    def _unreliable(self, why: list[str]) -> AlarmChange:
        onset, _ = self._vt_watch
        self._vt_watch = None
        return AlarmChange("VT", "unreliable", onset, {"reason": "signal_quality", "reasons": why})

    def _watch_vt(self, verdict: QualityVerdict) -> list[Event]:
        """An ``unreliable`` event for the last raised VT alarm when a newly judged block near its run is bad (:meth:`_mark_vt`)."""
        if self._vt_watch is None:
            return []
        window = self.config.alarms.vt_unreliable_window
        onset, beat_time = self._vt_watch
        if verdict.start >= beat_time + window:
            self._vt_watch = None
            return []
        why = [r for r in verdict.reasons.get(self.config.detection_lead, ()) if r in self.config.alarms.vt_quality_reasons]
        if not why or verdict.end <= onset - window:
            return []
        return [self._alarm(self._unreliable(why))]

    def _vt_quality_bad(self, time: float, label: str, p_ventricular: float) -> bool:
        """Whether the quality was bad from ``vt_quality_guard`` s before the VT run this beat would extend, up to it."""
        guard = self.config.alarms.vt_quality_guard
        if guard is None or not self.rhythm.is_ventricular_for_vt(label, float(p_ventricular)):
            return False
        start = self.rhythm.vt.run_start(time) - guard
        if self.config.alarms.vt_recent_noise and self.quality.recent_noisy():
            return True
        if self.quality.bad_fraction(start, time + 1e-9, self.config.alarms.vt_quality_reasons) > 0:
            return True
        return self._run_noisy(time)

    def _run_noisy(self, time: float) -> bool:
        """``AlarmConfig.vt_run_psqi``: whether the run a ventricular beat at ``time`` s would alarm has a pSQI below the threshold."""
        cfg = self.config.alarms
        if cfg.vt_run_psqi is None or not self.rhythm.vt.would_alarm(time):
            return False
        from ecgbench.signal.sqi import psqi

        end = min(int(round(time * self.fs)) + self._after, self.raw.end)  # the beat's window end: the same for any chunking
        start = min(int(round((self.rhythm.vt.run_start(time) - cfg.vt_run_margin) * self.fs)), end - int(round(cfg.vt_run_window * self.fs)))
        start = max(start, self.raw.start)
        if end - start < 2:
            return False
        return bool(psqi(self.raw.get(start, end)[:, self.config.detection_lead], self.fs) < cfg.vt_run_psqi)

    def _alarm(self, change: AlarmChange) -> AlarmEvent:
        event = AlarmEvent(change.kind, change.state, change.time, self.time, change.evidence)
        if change.state == "start":
            self.active_alarms[change.kind] = event
        elif change.state == "end":
            self.active_alarms.pop(change.kind, None)
        return event

    def flush(self) -> list[Event]:
        """End of stream: commit the detector's last beats, classify them, and close open alarms."""
        self._add_beats(self.detector.flush())
        events = self._decide(final=True)
        closing = self.rhythm.close(self.time)
        events += [self._alarm(c) for c in self._hold_vt(closing, self.time)]
        events += self._release_vt(final=True)
        vf_end = self.vf.close(self.time) if self.vf is not None else None
        if vf_end is not None:
            events.append(self._alarm(vf_end))
        if self.quality.in_fault:
            events.append(self._alarm(AlarmChange("signal_quality", "end", self.time)))
        return events

    def recent_trace(self, seconds: float, lead: int = 0) -> np.ndarray:
        """The last ``seconds`` of the filtered ``lead`` (mV), for display."""
        n = min(int(round(seconds * self.fs)), self.filtered.end - self.filtered.start)
        return self.filtered.get(self.filtered.end - n, self.filtered.end)[:, lead]
