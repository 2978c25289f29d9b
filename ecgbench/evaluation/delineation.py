"""Score a delineation against reference wave annotations (LUDB convention).

Matching rule (documented for every figure we publish):

* Waves are matched per type (P, QRS, T) by their peaks: a detected wave matches the nearest
  unmatched reference wave of the same type whose peak is within ``tolerance_s`` (default
  150 ms), nearest pairs first, one-to-one.
* LUDB cardiologists annotated only part of each record (the first and last beats are often left
  out). Only detected waves whose peak lies inside the annotated span (first to last annotation
  of the lead file, inclusive) are scored; detections outside it are neither TP nor FP. Every
  reference wave is inside the span by definition.
* Se = TP / (TP + FN), +P = TP / (TP + FP), counts pooled over records.
* For each matched pair and each boundary present in both, the error is detected − reference
  in ms; mean and SD are pooled over all matched pairs (as in Martínez et al. 2004).

The CSE tolerances (2σ_CSE) are the accepted standard deviations of expert disagreement
(CSE Working Party, 1985): P on 10.2, P off 12.7, QRS on 6.5, QRS off 11.6, T off 30.6 ms.

References
----------
The CSE Working Party. Recommendations for measurement standards in quantitative
electrocardiography. Eur Heart J 6:815-825 (1985).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ecgbench.records.ludb import Waves
from ecgbench.signal.delineation import Delineation

DEFAULT_TOLERANCE_S = 0.150
#: Accepted SD of the error (ms) per boundary: σ_CSE of the CSE recommendations.
CSE_TOLERANCE_MS = {"p_on": 10.2, "p_off": 12.7, "qrs_on": 6.5, "qrs_off": 11.6, "t_off": 30.6}
#: (delineation onset, peak, offset field names) of each wave type.
WAVE_FIELDS = {"p": ("p_on", "p_peak", "p_off"), "qrs": ("qrs_on", "r_peak", "qrs_off"), "t": ("t_on", "t_peak", "t_off")}
FIDUCIAL_ORDER = ("p_on", "p_peak", "p_off", "qrs_on", "r_peak", "qrs_off", "t_on", "t_peak", "t_off")


@dataclass
class DelineationScore:
    """Detection counts per wave type and boundary errors (ms) per fiducial; add scores to pool them."""

    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WAVE_FIELDS, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WAVE_FIELDS, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WAVE_FIELDS, 0))
    errors_ms: dict[str, np.ndarray] = field(default_factory=lambda: {f: np.zeros(0) for f in FIDUCIAL_ORDER})

    def __add__(self, other: DelineationScore) -> DelineationScore:
        return DelineationScore(
            tp={k: self.tp[k] + other.tp[k] for k in WAVE_FIELDS},
            fp={k: self.fp[k] + other.fp[k] for k in WAVE_FIELDS},
            fn={k: self.fn[k] + other.fn[k] for k in WAVE_FIELDS},
            errors_ms={f: np.concatenate([self.errors_ms[f], other.errors_ms[f]]) for f in FIDUCIAL_ORDER},
        )

    def sensitivity(self, wave: str) -> float:
        """TP / (TP + FN) for ``"p"``, ``"qrs"`` or ``"t"`` (NaN without reference waves)."""
        n = self.tp[wave] + self.fn[wave]
        return self.tp[wave] / n if n else float("nan")

    def positive_predictivity(self, wave: str) -> float:
        """TP / (TP + FP) (NaN without detections)."""
        n = self.tp[wave] + self.fp[wave]
        return self.tp[wave] / n if n else float("nan")

    def summary(self) -> dict[str, dict]:
        """Plain-dict figures: per wave Se/+P/counts, per fiducial n/mean/SD (ms) and the CSE check."""
        waves = {
            w: {"tp": self.tp[w], "fp": self.fp[w], "fn": self.fn[w], "se": self.sensitivity(w),
                "ppv": self.positive_predictivity(w)}
            for w in WAVE_FIELDS
        }  # fmt: skip
        fiducials = {}
        for f in FIDUCIAL_ORDER:
            e = self.errors_ms[f]
            row = {"n": int(e.size), "mean_ms": float(e.mean()) if e.size else float("nan"),
                   "sd_ms": float(e.std(ddof=1)) if e.size > 1 else float("nan")}  # fmt: skip
            if f in CSE_TOLERANCE_MS:
                row["tolerance_2sigma_ms"] = 2 * CSE_TOLERANCE_MS[f]
                row["meets_2sigma"] = bool(row["sd_ms"] <= 2 * CSE_TOLERANCE_MS[f])
            fiducials[f] = row
        return {"waves": waves, "fiducials": fiducials}


def match_peaks(detected: np.ndarray, reference: np.ndarray, tolerance: float) -> list[tuple[int, int]]:
    """One-to-one matches ``(i_detected, i_reference)`` with ``|d - r| <= tolerance``, nearest pairs first."""
    detected, reference = np.asarray(detected), np.asarray(reference)
    if detected.size == 0 or reference.size == 0:
        return []
    dist = np.abs(detected[:, None].astype(np.float64) - reference[None, :])
    cand = np.argwhere(dist <= tolerance)
    order = np.argsort(dist[cand[:, 0], cand[:, 1]], kind="stable")
    used_d, used_r, pairs = set(), set(), []
    for i, j in cand[order]:
        if i not in used_d and j not in used_r:
            used_d.add(int(i))
            used_r.add(int(j))
            pairs.append((int(i), int(j)))
    return sorted(pairs)


def score_delineation(
    delineation: Delineation,
    reference: dict[str, Waves],
    span: tuple[int, int],
    tolerance_s: float = DEFAULT_TOLERANCE_S,
) -> DelineationScore:
    """Score one record's delineation against its reference waves (rules in the module docstring).

    Parameters
    ----------
    delineation : Delineation
        Detected fiducials (samples).
    reference : dict of str to Waves
        ``"p"``, ``"qrs"``, ``"t"`` reference waves, e.g. from
        :func:`ecgbench.records.ludb.read_ludb_waves`.
    span : (int, int)
        First and last annotated sample; detections with a peak outside are ignored.
    tolerance_s : float
        Largest peak distance (s) for a detected wave to match a reference wave.
    """
    fs = delineation.sampling_rate
    score = DelineationScore()
    errors: dict[str, list[np.ndarray]] = {f: [] for f in FIDUCIAL_ORDER}
    for wave, (on_f, peak_f, off_f) in WAVE_FIELDS.items():
        det = {name: getattr(delineation, name) for name in (on_f, peak_f, off_f)}
        keep = (det[peak_f] >= 0) & (det[peak_f] >= span[0]) & (det[peak_f] <= span[1])
        det = {name: arr[keep] for name, arr in det.items()}
        ref = reference[wave]
        pairs = match_peaks(det[peak_f], ref.peak, tolerance_s * fs)
        score.tp[wave] = len(pairs)
        score.fp[wave] = int(det[peak_f].size - len(pairs))
        score.fn[wave] = int(ref.peak.size - len(pairs))
        if not pairs:
            continue
        i, j = np.array(pairs).T
        for name, ref_arr in ((on_f, ref.onset), (peak_f, ref.peak), (off_f, ref.offset)):
            d, r = det[name][i], ref_arr[j]
            both = (d >= 0) & (r >= 0)
            errors[name].append((d[both] - r[both]) * 1000.0 / fs)
    score.errors_ms = {f: np.concatenate(v) if v else np.zeros(0) for f, v in errors.items()}
    return score
