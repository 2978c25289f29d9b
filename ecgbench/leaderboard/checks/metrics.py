"""Check: every recorded metric equals the one recomputed from the saved predictions."""

from __future__ import annotations

import math

from ecgbench.errors import EcgbenchError
from ecgbench.leaderboard.beatscore import recompute_beat_metrics
from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.leaderboard.record import PREDICTION_ARRAYS
from ecgbench.leaderboard.tracks import track_for

#: Largest difference accepted between a recorded and a recomputed figure (percent points).
#: JSON keeps float64 exactly, so a faithful record differs by 0; the slack only absorbs summation
#: order differences between NumPy builds.
METRIC_TOLERANCE = 1e-9


def _differs(recorded, recomputed) -> bool:
    if recorded is None or recomputed is None:
        return (recorded is None) != (recomputed is None)
    return not math.isclose(float(recorded), float(recomputed), rel_tol=0.0, abs_tol=METRIC_TOLERANCE)


class MetricsCheck(Check):
    """Recompute values and bootstrap intervals from ``record/sample/label/probabilities``."""

    name = "metrics"

    def run(self, context: CheckContext) -> CheckResult:
        record = context.record
        track = track_for(record["task"])
        if not track.beat_predictions:
            return self.skipped(track.recompute_note or f"no recomputation defined for task {record['task']!r} yet")
        try:
            arrays = context.predictions()
        except (OSError, ValueError) as exc:
            return self.failed(f"cannot read prediction file {context.predictions_path}: {exc}")
        missing = [name for name in PREDICTION_ARRAYS if name not in arrays]
        if missing:
            return self.failed(f"prediction file {context.predictions_path.name} lacks array(s) {', '.join(missing)}")
        try:
            recomputed = recompute_beat_metrics(record, arrays, track.sampling_rate)
        except EcgbenchError as exc:
            return self.failed(f"cannot recompute the metrics: {exc}")
        wrong = []
        for key, entry in record["metrics"].items():
            for field in ("value", "ci_low", "ci_high"):
                if _differs(entry.get(field), recomputed[key][field]):
                    wrong.append(f"metrics[{key!r}].{field} is {entry.get(field)!r}, recomputed {recomputed[key][field]!r}")
        if wrong:
            shown = "; ".join(wrong[:4]) + (f"; and {len(wrong) - 4} more" if len(wrong) > 4 else "")
            return self.failed(f"recorded metrics differ from the predictions: {shown}")
        n_ci = sum(entry["ci_low"] is not None for entry in recomputed.values())
        return self.passed(f"{len(recomputed)} metrics and {n_ci} intervals recomputed from the predictions")
