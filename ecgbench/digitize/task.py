"""The digitisation task: render DS2 segments, digitise them back, score SNR and QRS detection.

For each of ``n_segments`` seeded 10-s segments of the DS2 records, the segment is rendered as a
300-dpi printout (:func:`~ecgbench.digitize.render.render_ecg`), optionally degraded
(±3° rotation, Gaussian blur, JPEG), digitised (:func:`~ecgbench.digitize.digitizer.digitize_image`)
and scored per lead with the Challenge-2024 SNR (:mod:`ecgbench.digitize.snr`). When the QRS
detector and EC57 scorer are installed (:func:`ecgbench.signal.detect_qrs`,
:func:`ecgbench.evaluation.ec57.compare_record`), QRS complexes are detected on the digitised first
lead and matched against the reference beats (150 ms window), pooled over segments.

Only DS2 is used and nothing is tuned on it: it measures the digitiser, it does not fit it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ecgbench.digitize.degrade import degrade
from ecgbench.digitize.digitizer import digitize_image
from ecgbench.digitize.render import render_ecg
from ecgbench.digitize.snr import aligned_snr
from ecgbench.errors import unknown_choice
from ecgbench.records import DS2, is_beat, read_annotations, read_record

TASK_NAME = "digitize"
RESULT_VERSION = 1
CONDITIONS = ("clean", "degraded")
DEGRADED = {"rotate_deg": 3.0, "blur_sigma": 1.0, "jpeg_quality": 60}  # rotation sign alternates per segment
#: Degradations by condition name; "harsh" (stronger blur, JPEG 40) is opt-in (benchmark --conditions).
DEGRADATIONS = {"degraded": DEGRADED, "harsh": {"rotate_deg": 3.0, "blur_sigma": 1.5, "jpeg_quality": 40}}
ALL_CONDITIONS = ("clean", *DEGRADATIONS)
RECORD_SECONDS = 1805.0  # MIT-BIH records last 30:05; segments are drawn from the first 30 min


@dataclass(frozen=True)
class SegmentScore:
    """Scores of one digitised segment under one condition."""

    record: str
    start_s: float
    condition: str
    snr_db: dict[str, float]
    lag_samples: int
    px_per_mm: float
    skew_deg: float
    qrs: dict[str, int] | None = None
    error: str | None = None


@dataclass
class DigitizeTaskResult:
    """All segment scores plus per-condition summaries (median/mean SNR over leads, pooled QRS Se/+P)."""

    config: dict
    segments: list[SegmentScore] = field(default_factory=list)

    def summary(self) -> dict[str, dict]:
        """Per condition: n_leads, median/mean/min SNR (dB), failures, pooled QRS tp/fp/fn/Se/+P."""
        out = {}
        for condition in self.config["conditions"]:
            rows = [s for s in self.segments if s.condition == condition]
            snrs = np.array([v for s in rows for v in s.snr_db.values()], dtype=float)
            finite = snrs[np.isfinite(snrs)]
            entry = {
                "n_segments": len(rows),
                "n_leads": int(snrs.size),
                "failures": sum(s.error is not None for s in rows),
                "median_snr_db": float(np.median(finite)) if finite.size else float("nan"),
                "mean_snr_db": float(np.mean(finite)) if finite.size else float("nan"),
                "min_snr_db": float(np.min(finite)) if finite.size else float("nan"),
            }
            qrs = [s.qrs for s in rows if s.qrs is not None]
            if qrs:
                tp, fp, fn = (sum(q[k] for q in qrs) for k in ("tp", "fp", "fn"))
                entry["qrs"] = _se_ppv(tp, fp, fn)
                if all("original_tp" in q for q in qrs):
                    otp, ofp, ofn = (sum(q[f"original_{k}"] for q in qrs) for k in ("tp", "fp", "fn"))
                    entry["qrs_on_original"] = _se_ppv(otp, ofp, ofn)
            out[condition] = entry
        return out

    def to_dict(self) -> dict:
        """The results JSON: task, version, config, summary, segments."""
        return {
            "task": TASK_NAME,
            "version": RESULT_VERSION,
            "config": self.config,
            "summary": self.summary(),
            "segments": [asdict(s) for s in self.segments],
        }


def _se_ppv(tp: int, fp: int, fn: int) -> dict:
    return {
        "tp": tp, "fp": fp, "fn": fn,
        "sensitivity": tp / (tp + fn) if tp + fn else float("nan"),
        "positive_predictivity": tp / (tp + fp) if tp + fp else float("nan"),
    }  # fmt: skip


def choose_segments(records: Sequence[str], n_segments: int, duration: float, seed: int) -> list[tuple[str, float]]:
    """Return ``n_segments`` (record, start in s) pairs: records cycled in a seeded order, uniform start times."""
    rng = np.random.default_rng(seed)
    order = [records[i] for i in rng.permutation(len(records))]
    starts = rng.uniform(0.0, RECORD_SECONDS - duration - 5.0, size=n_segments)
    return [(order[i % len(order)], round(float(starts[i]), 3)) for i in range(n_segments)]


def run_digitize_task(
    data_dir: str | os.PathLike,
    *,
    records: Sequence[str] = DS2,
    n_segments: int = 20,
    duration: float = 10.0,
    conditions: Sequence[str] = CONDITIONS,
    dpi: float = 300.0,
    seed: int = 0,
    on_segment: Callable[[int, int, SegmentScore], None] | None = None,
) -> DigitizeTaskResult:
    """Render, degrade, digitise and score DS2 segments.

    Parameters
    ----------
    data_dir : path-like
        Folder holding the MIT-BIH records (``mitdb``).
    records : sequence of str
        Records to draw segments from (default DS2).
    n_segments : int
        Number of segments.
    duration : float
        Segment length in seconds.
    conditions : sequence of {"clean", "degraded"}
        Image conditions to score.
    dpi : float
        Rendering resolution in dots per inch.
    seed : int
        Seed of segment choice and degradation.
    on_segment : callable, optional
        Called as ``on_segment(done, total, score)`` after each segment/condition (progress bars).
    """
    for condition in conditions:
        if condition not in ALL_CONDITIONS:
            raise unknown_choice("condition", condition, ALL_CONDITIONS)
    segments = choose_segments(records, n_segments, duration, seed)
    config = {
        "records": list(records), "n_segments": n_segments, "duration_s": duration, "conditions": list(conditions),
        "dpi": dpi, "seed": seed, **{name: DEGRADATIONS[name] for name in conditions if name in DEGRADATIONS}, "snr": "CinC 2024 (shift <= 0.5 s, offset <= 1 mV)",
    }  # fmt: skip
    result = DigitizeTaskResult(config=config)
    total = len(segments) * len(conditions)
    for i, (record, start_s) in enumerate(segments):
        rec = read_record(record, data_dir, sampfrom=int(start_s * 360.0), sampto=int(start_s * 360.0) + int(duration * 360.0))
        rendered = render_ecg(rec.signal, rec.fs, rec.lead_names, dpi=dpi)
        for condition in conditions:
            if condition == "clean":
                image = rendered.image
            else:
                sign = 1.0 if i % 2 == 0 else -1.0
                settings = DEGRADATIONS[condition]
                image = degrade(rendered.image, **{**settings, "rotate_deg": sign * settings["rotate_deg"]}, seed=seed + i)
            score = _score(rec, image, record, start_s, condition, data_dir)
            result.segments.append(score)
            if on_segment is not None:
                on_segment(len(result.segments), total, score)
    return result


def _score(rec, image: np.ndarray, record: str, start_s: float, condition: str, data_dir) -> SegmentScore:
    from ecgbench.digitize.paper import DigitizeError

    try:
        digitized = digitize_image(image, fs=rec.fs, lead_names=rec.lead_names)
    except DigitizeError as exc:  # a failed page scores like an all-NaN (zero) signal, as in the Challenge
        snr = {name: aligned_snr(rec.signal[:, k], np.zeros(rec.n_samples), rec.fs)[0] for k, name in enumerate(rec.lead_names)}
        return SegmentScore(record, start_s, condition, snr, 0, float("nan"), float("nan"), None, str(exc))
    snr, lags = {}, []
    for k, name in enumerate(rec.lead_names):
        value, alignment = aligned_snr(rec.signal[:, k], digitized.signal[:, k], rec.fs)
        snr[name] = value
        lags.append(alignment.lag)
    qrs = _qrs_counts(rec, digitized.signal[:, 0], lags[0], record, start_s, data_dir)
    original = _qrs_counts(rec, rec.signal[:, 0], 0, record, start_s, data_dir)
    if qrs is not None and original is not None:  # same detector on the original signal, for reference
        qrs.update({f"original_{k}": v for k, v in original.items()})
    return SegmentScore(
        record, start_s, condition, snr, lags[0], digitized.spec.px_per_mm_x, digitized.skew_deg, qrs
    )


def _qrs_counts(rec, lead: np.ndarray, lag: int, record: str, start_s: float, data_dir) -> dict[str, int]:
    """Detect QRS on the digitised lead and match them with the reference beats (tp, fp, fn)."""
    from ecgbench.evaluation.ec57 import compare_record
    from ecgbench.signal import detect_qrs

    start = int(start_s * rec.fs)
    ann = read_annotations(record, data_dir)
    inside = (ann.sample >= start) & (ann.sample < start + rec.n_samples) & is_beat(ann.symbol)
    ref = ann.sample[inside] - start
    detected = detect_qrs(np.asarray(lead, dtype=np.float64), rec.fs) - lag
    detected = np.sort(detected[(detected >= 0) & (detected < rec.n_samples)])
    comparison = compare_record(
        record, ref, ["N"] * ref.size, detected, ["N"] * detected.size, rec.fs, n_samples=rec.n_samples
    )
    return {"tp": int(comparison.tp), "fp": int(comparison.fp), "fn": int(comparison.fn)}
