"""Signal quality and lead-off checks on fixed blocks of the raw stream.

Each lead is judged on consecutive blocks of ``block`` seconds aligned to absolute sample 0, so the
verdicts do not depend on how the stream is chunked. A block is bad when it holds a NaN (missing
samples or a dropped chunk), is flat (peak-to-peak below ``flat_mv``: a lead off or a disconnected
amplifier), touches the saturation limit (``saturation_mv``), or its amplitude jumped more than
``jump_ratio`` times above the median of the recent blocks (a gain change, a
re-attached electrode), or it is noisy: muscle noise and other broadband artefacts fill the
whole block with high-frequency activity, while a clean ECG has it only in the QRS. The noise
index of a block is the median of the absolute high-passed signal (above ``noise_highpass`` Hz)
over a reference: the median 99th percentile of the last ``noise_reference_blocks`` clean blocks
(the lead's own QRS slopes when it was last clean; about 0.03 on clean ECG), or, until that many
clean blocks were seen (or with ``noise_reference_blocks = 0``), the block's own 99th percentile
(0.26 for Gaussian noise, and no higher however strong the noise). The clean reference is a
signal-to-noise ratio in the spirit of the noise stress test's (Moody et al. 1984: the noise
against the clean QRS amplitude): a noise burst cannot raise its own denominator. The detection
lead's block is noisy when the median index of the last ``noise_blocks`` blocks exceeds
``noise_ratio`` (chosen on DS1 records only: ``experiments/stream_faults/README.md``). The stream
is bad while any lead is bad; the detection lead's state is kept separately because the asystole
alarm is suppressed while that lead cannot be trusted, and VT alarms while it is noisy, flat or
missing.

Two published signal-quality indices (:mod:`ecgbench.signal.sqi`) can also judge the detection
lead, each over the ``sqi_window`` seconds of raw signal ending at the block's end (causal; at a
cold start, or after a gap or a flat stretch, from ``sqi_min_window`` seconds of signal on): a
block is ``baseline`` when basSQI (1 - the share of 0-1 Hz power in 0-40 Hz; Clifford et al. 2012)
is below ``baseline_min`` — baseline wander, which the noise index (above 15 Hz) cannot see — and
``spectrum`` when pSQI (the share of 5-15 Hz power in 5-40 Hz; Li et al. 2008) is below
``spectrum_min`` — broadband noise in the QRS band.

References
----------
Moody GB, Muldrow WE, Mark RG. A noise stress test for arrhythmia detectors. Computers in
Cardiology 11:381-384 (1984).
Li Q, Mark RG, Clifford GD. Robust heart rate estimation from multiple asynchronous noisy sources
using signal quality indices and a Kalman filter. Physiol Meas 29(1):15-32 (2008).
Clifford GD, Behar J, Li Q, Rezek I. Signal quality indices and data fusion for determining
clinical acceptability of electrocardiograms. Physiol Meas 33(9):1419-1433 (2012).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.signal import sqi


@dataclass(frozen=True)
class QualityConfig:
    """Quality thresholds in physical units.

    Attributes
    ----------
    block : float
        Block length in seconds.
    flat_mv : float
        A block whose peak-to-peak amplitude (mV) is below this is flat.
    saturation_mv : float
        A block with any |sample| at or above this (mV) is saturated; MIT-BIH's ADC spans ±5.12 mV.
    jump_ratio : float
        A block whose peak-to-peak amplitude is more than this many times the median of the last
        ``history_blocks`` blocks is an amplitude jump. Drops are not flagged: a lead coming off
        shows as flat, and a real asystole must not be hidden as a quality fault.
    history_blocks : int
        Blocks in the amplitude reference.
    recover_blocks : int
        Consecutive good blocks needed before a fault is declared over.
    noise_ratio : float or None
        Noise index (unitless, module notes) above which the median of the last ``noise_blocks``
        blocks is noisy; None turns the noise check off.
    noise_highpass : float
        Cut-off (Hz) of the high-pass filter (2nd-order Butterworth) of the noise index.
    noise_blocks : int
        Blocks in the median of the noise index.
    noise_reference_blocks : int
        Clean blocks (good, and with an index over their own 99th percentile at most
        ``noise_ratio``) whose median 99th percentile
        of the high-passed signal is the noise index's reference; 0: each block's own 99th
        percentile (module notes).
    noise_floor_mv : float
        A block is noisy only when its median absolute high-passed amplitude (mV) also exceeds this:
        low-level activity on a lead that is on (an asystole) is not a quality fault. A design
        floor, not tuned: a clean MIT-BIH block has about 0.01 mV, 0 dB NSTDB muscle noise
        several times 0.03 mV.
    sqi_window : float
        Seconds of the detection lead's raw signal, ending at a block's end, over which basSQI
        and pSQI are computed (module notes).
    sqi_min_window : float
        Seconds of signal the indices need before they judge (at a cold start, and after a gap
        or a flat stretch, which restart the window); at most ``sqi_window``.
    baseline_min : float or None
        basSQI (unitless, 0-1) below which the block is ``baseline`` (wander); None: not judged.
        0.25 by the DS1 rule of ``experiments/stream_faults/README.md`` (third round: the largest
        grid value flagging at most 36 s per hour of clean DS1 blocks). It raises the quality
        alarm; it neither restarts RR intervals nor suppresses VT.
    spectrum_min : float or None
        pSQI (unitless, 0-1) below which the block is ``spectrum`` (broadband noise); None: not judged.
    """

    block: float = 1.0
    flat_mv: float = 0.02
    saturation_mv: float = 5.0
    jump_ratio: float = 5.0
    history_blocks: int = 8
    recover_blocks: int = 2
    noise_ratio: float | None = 0.12
    noise_highpass: float = 15.0
    noise_blocks: int = 3
    noise_reference_blocks: int = 0
    noise_floor_mv: float = 0.03
    sqi_window: float = 5.0
    sqi_min_window: float = 5.0
    baseline_min: float | None = 0.25
    spectrum_min: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.sqi_min_window <= self.sqi_window:
            raise ConfigError(f"quality config needs 0 < sqi_min_window <= sqi_window s (got {self.sqi_min_window}, {self.sqi_window})")
        for name in ("baseline_min", "spectrum_min"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ConfigError(f"quality config {name}={value} must be in [0, 1] (or None: not judged)")


@dataclass(frozen=True)
class QualityVerdict:
    """The verdict on one block: its time span (s), whether it is good, and the reasons per lead."""

    start: float
    end: float
    good: bool
    detection_lead_good: bool
    reasons: dict[int, tuple[str, ...]]


class QualityMonitor:
    """Judge fixed blocks of a multi-lead stream and report when faults start and end.

    Parameters
    ----------
    sampling_rate : float
        Hz.
    n_leads : int
        Number of leads.
    detection_lead : int
        Lead used for QRS detection (its state gates the asystole alarm).
    config : QualityConfig, optional
        Thresholds.
    """

    def __init__(self, sampling_rate: float, n_leads: int, detection_lead: int = 0, config: QualityConfig | None = None):
        self.config = config or QualityConfig()
        self.fs = float(sampling_rate)
        self.detection_lead = detection_lead
        self._block_len = max(1, int(round(self.config.block * self.fs)))
        self._partial = np.zeros((0, n_leads), np.float32)
        self._partial_high = np.zeros((0, n_leads))
        self._tail = np.zeros(0)  # the last block's worth of high-passed detection-lead samples
        self._n_blocks = 0
        self._ranges = [deque(maxlen=self.config.history_blocks) for _ in range(n_leads)]
        self._good_run = self.config.recover_blocks
        self._bad_since: float | None = None
        self._recent = deque(maxlen=int(np.ceil(120.0 / self.config.block)))  # (start, end, detection lead good, its reasons)
        self._noise_index = [deque(maxlen=max(1, self.config.noise_blocks)) for _ in range(n_leads)]
        self._noise_reference: deque[float] = deque(maxlen=max(1, self.config.noise_reference_blocks))
        self._sqi_len = int(round(self.config.sqi_window * self.fs))
        self._sqi_min_len = int(round(self.config.sqi_min_window * self.fs))
        self._sqi_buffer = np.zeros(0)  # the detection lead's last sqi_window s since the last gap or flat stretch
        self._highpass = None
        if self.config.noise_ratio is not None:
            from scipy import signal as sps

            sos = sps.butter(2, self.config.noise_highpass, "high", fs=self.fs, output="sos")
            self._highpass = (sps.sosfilt, sos, np.zeros((sos.shape[0], 2, n_leads)))

    @property
    def judged_until(self) -> float:
        """Signal time (s) up to which blocks have been judged."""
        return self._n_blocks * self._block_len / self.fs

    @property
    def in_fault(self) -> bool:
        """True while a quality fault is open."""
        return self._bad_since is not None

    def update(self, chunk: np.ndarray) -> list[QualityVerdict]:
        """Feed raw samples ``[n, leads]`` (mV, NaN allowed); return the verdicts of completed blocks."""
        chunk = np.asarray(chunk, dtype=np.float32)
        high = self._high_passed(chunk)
        if high is not None and high.shape[0]:
            self._tail = np.concatenate([self._tail, high[-self._block_len :, self.detection_lead]])[-self._block_len :]
        data = np.concatenate([self._partial, chunk]) if self._partial.size else chunk
        if high is not None:
            high = np.concatenate([self._partial_high, high]) if self._partial.size else high
        n_full = data.shape[0] // self._block_len
        verdicts = []
        for i in range(n_full):
            part = slice(i * self._block_len, (i + 1) * self._block_len)
            verdicts.append(self._judge(data[part], None if high is None else high[part]))
        self._partial = np.array(data[n_full * self._block_len :], dtype=np.float32)
        if high is not None:
            self._partial_high = high[n_full * self._block_len :]
        return verdicts

    def recent_noisy(self) -> bool:
        """Whether the last ``block`` seconds of the detection lead, judged or not yet, have a noise index above ``noise_ratio``.

        One window, no median: quicker than the block verdicts (which wait for a full block and
        take the median of ``noise_blocks``), for a decision that cannot wait (a VT alarm).
        """
        if self.config.noise_ratio is None or self._tail.size < self._block_len:
            return False
        return self.noise_index(self._tail, self.reference) > self.config.noise_ratio

    @property
    def reference(self) -> float | None:
        """The noise index's clean reference (mV; module notes), or None while it is not yet known."""
        n = self.config.noise_reference_blocks
        return float(np.median(self._noise_reference)) if n > 0 and len(self._noise_reference) >= n else None

    def _high_passed(self, chunk: np.ndarray) -> np.ndarray | None:
        """The chunk high-passed for the noise index (NaN read as 0; those blocks are bad anyway)."""
        if self._highpass is None or chunk.shape[0] == 0:
            return None if self._highpass is None else np.zeros((0, chunk.shape[1]))
        sosfilt, sos, zi = self._highpass
        y, zi = sosfilt(sos, np.nan_to_num(chunk.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0), axis=0, zi=zi)
        self._highpass = (sosfilt, sos, zi)
        return y

    def noise_index(self, high: np.ndarray, reference: float | None = None) -> float:
        """Noise index of one lead's high-passed block: median |x| over ``reference`` (mV), or over the block's 99th percentile without one.

        Unitless; 0 below ``noise_floor_mv``.
        """
        magnitude = np.abs(high)
        top = float(np.percentile(magnitude, 99)) if reference is None else reference
        level = float(np.median(magnitude))
        return level / top if top > 0 and level > self.config.noise_floor_mv else 0.0

    def _judge(self, block: np.ndarray, high: np.ndarray | None = None) -> QualityVerdict:
        cfg = self.config
        start = self._n_blocks * self._block_len / self.fs
        self._n_blocks += 1
        reasons: dict[int, tuple[str, ...]] = {}
        for lead in range(block.shape[1]):
            x = block[:, lead]
            found = []
            finite = x[np.isfinite(x)]
            if finite.size < x.size:
                found.append("nan")
            span = float(finite.max() - finite.min()) if finite.size else 0.0
            if finite.size and span < cfg.flat_mv:
                found.append("flat")
            if finite.size and float(np.abs(finite).max()) >= cfg.saturation_mv:
                found.append("saturation")
            history = self._ranges[lead]
            if finite.size and span >= cfg.flat_mv:
                if len(history) >= cfg.history_blocks // 2:
                    ref = float(np.median(history))
                    if ref > 0 and span > cfg.jump_ratio * ref:  # a drop is left to 'flat' (lead off) or asystole
                        found.append("amplitude_jump")
                history.append(span)  # the reference adapts, so a lasting gain change clears itself
            if lead != self.detection_lead or high is None:
                pass  # the noise index is judged on the detection lead, the one beats are found and timed on
            elif finite.size == x.size and "flat" not in found:
                recent = self._noise_index[lead]
                index = self.noise_index(high[:, lead], self.reference)
                recent.append(index)
                if len(recent) == recent.maxlen and float(np.median(recent)) > cfg.noise_ratio:
                    found.append("noise")
                elif not found and self.noise_index(high[:, lead]) <= cfg.noise_ratio:
                    # clean by its own percentile too: its QRS slopes join the reference (a lasting gain
                    # change, which leaves that index alone, is learned within noise_reference_blocks)
                    self._noise_reference.append(float(np.percentile(np.abs(high[:, lead]), 99)))
            else:
                self._noise_index[lead].clear()  # a gap or a flat stretch restarts the median
            if lead == self.detection_lead:
                found += self._judge_sqis(x, restart=bool(found and ("nan" in found or "flat" in found)))
            if found:
                reasons[lead] = tuple(found)
        return QualityVerdict(
            start=start,
            end=start + self._block_len / self.fs,
            good=not reasons,
            detection_lead_good=self.detection_lead not in reasons,
            reasons=reasons,
        )

    def _judge_sqis(self, x: np.ndarray, restart: bool) -> list[str]:
        """basSQI and pSQI of the detection lead over its last ``sqi_window`` s up to this block (module notes)."""
        cfg = self.config
        if cfg.baseline_min is None and cfg.spectrum_min is None:
            return []
        if restart:
            self._sqi_buffer = np.zeros(0)  # a gap or a flat stretch: the window starts again after it
            return []
        self._sqi_buffer = np.concatenate([self._sqi_buffer, x.astype(np.float64)])[-self._sqi_len :]
        if self._sqi_buffer.size < self._sqi_min_len:
            return []
        found = []
        if cfg.baseline_min is not None and sqi.bas_sqi(self._sqi_buffer, self.fs) < cfg.baseline_min:
            found.append("baseline")
        if cfg.spectrum_min is not None and sqi.psqi(self._sqi_buffer, self.fs) < cfg.spectrum_min:
            found.append("spectrum")
        return found

    def record(self, verdict: QualityVerdict) -> tuple[str, float] | None:
        """Update the fault state with one verdict; return ``("start"|"end", time s)`` on a change."""
        self._recent.append((verdict.start, verdict.end, verdict.detection_lead_good, verdict.reasons.get(self.detection_lead, ())))
        if not verdict.good:
            self._good_run = 0
            if self._bad_since is None:
                self._bad_since = verdict.start
                return ("start", verdict.start)
            return None
        self._good_run += 1
        if self._bad_since is not None and self._good_run >= self.config.recover_blocks:
            self._bad_since = None
            return ("end", verdict.end - self.config.recover_blocks * self._block_len / self.fs)
        return None

    def bad_fraction(self, t0: float, t1: float, reasons: tuple[str, ...] | None = None) -> float:
        """Fraction (0-1) of the judged time in ``[t0, t1)`` s where the detection lead was bad.

        With ``reasons``, only blocks bad for one of these reasons (``nan``, ``flat``,
        ``saturation``, ``amplitude_jump``, ``noise``, ``baseline``, ``spectrum``) count as bad.
        """
        bad = total = 0.0
        for start, end, good, why in reversed(self._recent):  # newest first; stop once before t0
            if end <= t0:
                break
            overlap = min(end, t1) - max(start, t0)
            if overlap > 0:
                total += overlap
                counts = not good if reasons is None else any(r in reasons for r in why)
                bad += overlap if counts else 0.0
        return bad / total if total > 0 else 0.0
