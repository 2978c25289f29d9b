"""Score a stream's VT, VF and asystole alarms against rhythm annotations (the ``alarms-vfdb`` task).

Everything is in seconds of signal time, so it applies at any sampling rate. The reference is a
record's rhythm intervals (``+`` annotations, :func:`ecgbench.records.rhythm_intervals`) grouped
as :data:`EPISODE_KINDS` says; consecutive intervals of one kind (``(VF`` then ``(VFIB``) form one
episode. The test is the stream's alarm events (:class:`ecgbench.streaming.events.AlarmEvent`).

Episode sensitivity and delay
    An episode is detected by an alarm of one of the given kinds raised (its ``decision_time``)
    from the onset up to ``grace`` s after the episode's end, or already active at the onset
    (delay 0); the delay is the decision time minus the onset (s).
False alarms
    An alarm (its onset ``time`` to its end, as :meth:`AnnotationCollector.alarm_intervals` pairs
    them, widened by ``tolerance`` s each side) is true when it overlaps a reference episode its
    kind answers to (:data:`TRUE_FOR`: a VT or VF alarm during any VT or VF episode — both are
    shockable ventricular rhythms —, an asystole alarm during asystole); otherwise false. An alarm
    raised (``decision_time``) inside a ``NOISE`` interval is counted apart; the false-alarm rate
    is the false alarms raised outside NOISE per hour of signal outside NOISE.
AHA windows
    Fixed windows (8 s every 8 s, the VF detector's study: ``experiments/vf_detector/README.md``),
    labelled by the rhythm covering at least half of each (:func:`ecgbench.records.rhythm_windows`)
    and grouped by :func:`ecgbench.records.vfdb.aha_group`. A window is called shockable when a VT
    or VF alarm is active at its end (by decision time: what the monitor shows then). VF Se and VT
    Se are the shares of VF / VT windows called shockable; non-shockable Sp the share of
    non-shockable and NOISE windows not called shockable (Kerber et al. 1997 goals: VF Se > 90,
    VT Se > 75, Sp > 95). Intervals resample subjects (records) with
    :func:`ecgbench.evaluation.bootstrap.resample_weights` and pool the drawn records' counts.

References
----------
Kerber RE et al. Automatic external defibrillators for public access defibrillation:
recommendations for specifying and reporting arrhythmia analysis algorithm performance.
Circulation 95(6):1677-1682 (1997).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ecgbench.records.rhythm import RhythmInterval
from ecgbench.records.vfdb import VF_RHYTHMS, aha_group
from ecgbench.records.windows import rhythm_windows
from ecgbench.streaming.events import AlarmEvent

#: Alarm kind → the annotated rhythm names that make its reference episodes.
EPISODE_KINDS: dict[str, frozenset[str]] = {"VT": frozenset({"VT"}), "VF": VF_RHYTHMS, "asystole": frozenset({"ASYS"})}
#: Alarm kind → the episode kinds during which such an alarm is a true alarm.
TRUE_FOR: dict[str, tuple[str, ...]] = {"VT": ("VT", "VF"), "VF": ("VT", "VF"), "asystole": ("asystole",)}
#: Rhythm name of unreadable signal.
NOISE = "NOISE"
#: AHA window length and step (s).
AHA_WINDOW_S = 8.0
AHA_STEP_S = 8.0
#: Seconds after an episode's end within which a raised alarm still detects it.
DEFAULT_GRACE_S = 10.0
#: Seconds an alarm's span is widened on each side before it is judged (the EC57 match window).
DEFAULT_TOLERANCE_S = 0.15


def episodes(intervals: Sequence[RhythmInterval], fs: float, rhythms: Iterable[str]) -> np.ndarray:
    """``(k, 2)`` onset/end (s) of the stretches annotated with one of ``rhythms``, adjacent ones merged."""
    names = frozenset(rhythms)
    out: list[list[float]] = []
    for interval in intervals:
        if interval.label not in names:
            continue
        start, end = interval.start / fs, interval.end / fs
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return np.asarray(out, dtype=float).reshape(-1, 2)


def alarm_spans(alarms: Sequence[AlarmEvent], kind: str, until: float) -> list[tuple[float, float, float]]:
    """``(onset, end, decision_time)`` (s) of each ``kind`` alarm; one still open lasts until ``until`` s.

    Paired as :meth:`ecgbench.streaming.events.AnnotationCollector.alarm_intervals` pairs them (a
    start while one is open is ignored; suppressed alarms are not alarms).
    """
    spans: list[tuple[float, float, float]] = []
    opened: tuple[float, float] | None = None
    for event in alarms:
        if event.kind != kind:
            continue
        if event.state == "start" and opened is None:
            opened = (event.time, event.decision_time)
        elif event.state == "end" and opened is not None:
            spans.append((opened[0], max(event.time, opened[0]), opened[1]))
            opened = None
    if opened is not None:
        spans.append((opened[0], max(until, opened[0]), opened[1]))
    return spans


def first_alarm_delay(alarms: Sequence[AlarmEvent], kinds: Iterable[str], onset: float, until: float) -> float | None:
    """Delay (s) from ``onset`` to the first alarm of ``kinds`` raised by ``until`` s; 0 if one is active at the onset; None if none."""
    kinds = frozenset(kinds)
    active: dict[str, bool] = {}
    for event in alarms:
        if event.kind not in kinds or event.state not in ("start", "end"):
            continue
        if event.decision_time <= onset:
            active[event.kind] = event.state == "start"
            continue
        if any(active.values()):
            return 0.0
        if event.state == "start" and event.decision_time <= until:
            return round(event.decision_time - onset, 3)
        if event.decision_time > until:
            break
    return 0.0 if any(active.values()) else None


def episode_delays(reference: np.ndarray, alarms: Sequence[AlarmEvent], kinds: Iterable[str], grace: float = DEFAULT_GRACE_S) -> list[dict]:
    """One row per reference episode: ``onset``, ``duration`` (s) and ``delay`` (s or None: missed)."""
    kinds = tuple(kinds)
    return [{"onset": round(float(a), 3), "duration": round(float(b - a), 3), "delay": first_alarm_delay(alarms, kinds, float(a), float(b) + grace)}
            for a, b in reference]  # fmt: skip


def _inside(t: float, intervals: np.ndarray) -> bool:
    return bool(np.any((intervals[:, 0] <= t) & (t < intervals[:, 1])))


def judge_alarms(alarms: Sequence[AlarmEvent], truth: dict[str, np.ndarray], noise: np.ndarray, until: float,
                 tolerance: float = DEFAULT_TOLERANCE_S) -> list[dict]:  # fmt: skip
    """Judge every raised VT, VF and asystole alarm: ``{"kind", "onset", "end", "decision", "true", "in_noise"}``.

    ``truth`` maps each episode kind to its ``(k, 2)`` reference episodes (s); ``noise`` holds the
    NOISE intervals (s); ``until`` is the record's end (s).
    """
    rows = []
    for kind, answers_to in TRUE_FOR.items():
        reference = np.concatenate([truth[k] for k in answers_to]) if answers_to else np.zeros((0, 2))
        for onset, end, decision in alarm_spans(alarms, kind, until):
            lo, hi = onset - tolerance, end + tolerance
            hit = bool(np.any((reference[:, 0] <= hi) & (reference[:, 1] >= lo)))
            rows.append({"kind": kind, "onset": round(onset, 3), "end": round(end, 3), "decision": round(decision, 3),
                         "true": hit, "in_noise": _inside(decision, noise)})  # fmt: skip
    return sorted(rows, key=lambda r: r["decision"])


def shockable_at(alarms: Sequence[AlarmEvent], times: np.ndarray, kinds: Iterable[str] = ("VT", "VF")) -> np.ndarray:
    """Whether an alarm of ``kinds`` is active (by decision time) at each of ``times`` (s, sorted)."""
    kinds = frozenset(kinds)
    changes = sorted((e.decision_time, e.kind, e.state == "start") for e in alarms if e.kind in kinds and e.state in ("start", "end"))
    out = np.zeros(len(times), dtype=bool)
    state = dict.fromkeys(kinds, False)
    k = 0
    for i, t in enumerate(np.asarray(times, dtype=float)):
        while k < len(changes) and changes[k][0] <= t:
            state[changes[k][1]] = changes[k][2]
            k += 1
        out[i] = any(state.values())
    return out


#: AHA figure → (groups in its denominator, whether a shockable call is correct).
AHA_FIGURES: dict[str, tuple[tuple[str, ...], bool]] = {
    "vf_se": (("VF",), True),
    "vt_se": (("VT",), True),
    "nonshock_sp": (("NONSHOCK", "NOISE"), False),
}


def aha_window_counts(intervals: Sequence[RhythmInterval], n_samples: int, fs: float, alarms: Sequence[AlarmEvent]) -> dict[str, tuple[int, int]]:
    """Per AHA figure, ``(correct, windows)`` of one record (module notes)."""
    windows = rhythm_windows(list(intervals), n_samples, fs, AHA_WINDOW_S, AHA_STEP_S)
    groups = np.array([aha_group(r) for r in windows.rhythm.tolist()], dtype="<U8")
    called = shockable_at(alarms, (windows.start + windows.length) / fs)
    out = {}
    for name, (members, positive) in AHA_FIGURES.items():
        mask = np.isin(groups, members)
        right = called[mask] if positive else ~called[mask]
        out[name] = (int(np.count_nonzero(right)), int(mask.sum()))
    return out


def pooled_percent_ci(correct: np.ndarray, total: np.ndarray, n_resamples: int, seed: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """Pooled percentage ``100·Σcorrect/Σtotal`` and its percentile interval over subject resamples.

    ``correct`` and ``total`` hold one count per subject; replicates whose drawn subjects have no
    windows are left out. Returns ``(value, low, high)`` (NaN when undefined).
    """
    from ecgbench.evaluation.bootstrap import resample_weights

    correct, total = np.asarray(correct, float), np.asarray(total, float)
    value = 100.0 * correct.sum() / total.sum() if total.sum() > 0 else float("nan")
    if n_resamples <= 0 or total.size == 0:
        return value, float("nan"), float("nan")
    weights = resample_weights(total.size, n_resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        replicates = 100.0 * (weights @ correct) / (weights @ total)
    defined = replicates[np.isfinite(replicates)]
    if not defined.size:
        return value, float("nan"), float("nan")
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(defined, [alpha, 1.0 - alpha])
    return value, float(low), float(high)


@dataclass
class RecordAlarmScore:
    """One record's alarm scoring (times in s)."""

    record: str
    hours: float
    noise_hours: float
    delays: dict[str, list[dict]]
    alarms: list[dict]
    aha: dict[str, tuple[int, int]]


def score_record(record: str, intervals: Sequence[RhythmInterval], n_samples: int, fs: float, alarms: Sequence[AlarmEvent],
                 grace: float = DEFAULT_GRACE_S, tolerance: float = DEFAULT_TOLERANCE_S) -> RecordAlarmScore:  # fmt: skip
    """Score one record's alarm events against its rhythm intervals (samples at ``fs`` Hz).

    ``delays`` has one list per alarm kind of :data:`EPISODE_KINDS` (the episodes of that kind and
    the delay of an alarm of that kind), plus ``"VT:shockable"`` and ``"VF:shockable"``: the VT and
    VF episodes detected by either a VT or a VF alarm.
    """
    until = n_samples / fs
    truth = {kind: episodes(intervals, fs, rhythms) for kind, rhythms in EPISODE_KINDS.items()}
    noise = episodes(intervals, fs, (NOISE,))
    delays = {kind: episode_delays(truth[kind], alarms, (kind,), grace) for kind in EPISODE_KINDS}
    for kind in ("VT", "VF"):
        delays[f"{kind}:shockable"] = episode_delays(truth[kind], alarms, ("VT", "VF"), grace)
    noise_s = float(np.sum(noise[:, 1] - noise[:, 0])) if noise.size else 0.0
    return RecordAlarmScore(record, until / 3600.0, noise_s / 3600.0, delays, judge_alarms(alarms, truth, noise, until, tolerance),
                            aha_window_counts(intervals, n_samples, fs, alarms))  # fmt: skip


def _delay_figures(rows: list[dict]) -> dict[str, float]:
    found = np.array([r["delay"] for r in rows if r["delay"] is not None], dtype=float)
    return {
        "episodes": float(len(rows)),
        "detected": float(found.size),
        "se": 100.0 * found.size / len(rows) if rows else float("nan"),
        "median_delay_s": float(np.median(found)) if found.size else float("nan"),
        "p95_delay_s": float(np.percentile(found, 95)) if found.size else float("nan"),
    }


#: Alarm kinds of the false-alarm figures: key prefix → kinds counted.
FALSE_ALARM_GROUPS: dict[str, tuple[str, ...]] = {"vtvf": ("VT", "VF"), "vt": ("VT",), "vf": ("VF",), "asystole": ("asystole",)}


def summarise(scores: Sequence[RecordAlarmScore], n_resamples: int = 2000, seed: int = 0) -> dict[str, dict[str, float | None]]:
    """Pool records into the task's metrics: ``{key: {"value", "ci_low", "ci_high"}}`` (intervals only for the AHA figures)."""
    metrics: dict[str, dict[str, float | None]] = {}

    def put(key: str, value: float, low: float | None = None, high: float | None = None) -> None:
        metrics[key] = {"value": float(value), "ci_low": low, "ci_high": high}

    names = {"VT": "vt", "VF": "vf", "asystole": "asystole", "VT:shockable": "vt_shockable", "VF:shockable": "vf_shockable"}
    for kind, prefix in names.items():
        for figure, value in _delay_figures([row for s in scores for row in s.delays[kind]]).items():
            put(f"{prefix}.{figure}", value)
    for figure, value in _delay_figures([row for s in scores for kind in ("VT", "VF") for row in s.delays[kind]]).items():
        if figure.endswith("delay_s"):
            put(f"vtvf.{figure}", value)
    hours = sum(s.hours for s in scores)
    noise_hours = sum(s.noise_hours for s in scores)
    put("hours", hours)
    put("noise_hours", noise_hours)
    rows = [row for s in scores for row in s.alarms]
    for prefix, kinds in FALSE_ALARM_GROUPS.items():
        mine = [r for r in rows if r["kind"] in kinds]
        false_out = sum(not r["true"] and not r["in_noise"] for r in mine)
        clean_hours = hours - noise_hours
        put(f"{prefix}.false_alarms", false_out)
        put(f"{prefix}.false_per_hour", false_out / clean_hours if clean_hours > 0 else float("nan"))
        put(f"{prefix}.alarms_in_noise", sum(r["in_noise"] for r in mine))
        put(f"{prefix}.raised", len(mine))
    for name in AHA_FIGURES:
        correct = np.array([s.aha[name][0] for s in scores])
        total = np.array([s.aha[name][1] for s in scores])
        value, low, high = pooled_percent_ci(correct, total, n_resamples, seed)
        put(f"aha.{name}", value, low if np.isfinite(low) else None, high if np.isfinite(high) else None)
        put(f"aha.{name}_windows", float(total.sum()))
    return metrics
