"""Recompute beat-track metrics from a prediction file, without trusting the run record.

The checker and ``compare`` rebuild every figure from the saved arrays (``record``, ``sample``,
``label``, ``probabilities``) by the rules the runner scores with
(:mod:`ecgbench.evaluation.labelled`): one comparison per record with the reference positions as
test positions and the arg-max class as test label, paced records excluded, then the
record-resampled bootstrap with the settings stored in the run record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ecgbench.errors import CorruptDataError
from ecgbench.evaluation.labelled import GROSS_PREFIX, compare_labelled_beats, figures_with_intervals, number
from ecgbench.records import AAMI_CLASSES

__all__ = ["GROSS_PREFIX", "beat_comparisons", "number", "recompute_beat_metrics"]


def beat_comparisons(predictions: Mapping[str, np.ndarray], fs: float) -> list:
    """One :class:`~ecgbench.evaluation.RecordComparison` per record of a prediction file.

    Parameters
    ----------
    predictions : mapping
        ``record`` (str), ``sample`` (samples), ``label`` (0..4), ``probabilities`` ``[n, 5]``.
    fs : float
        Sampling rate (Hz) of ``sample``.

    Raises
    ------
    CorruptDataError
        Arrays of different lengths, a label outside 0..4 or probabilities that are not ``[n, 5]``.
    """
    record = np.asarray(predictions["record"]).astype(str)
    sample = np.asarray(predictions["sample"], dtype=np.int64)
    label = np.asarray(predictions["label"], dtype=np.int64)
    probabilities = np.asarray(predictions["probabilities"])
    n = label.size
    if not (record.size == sample.size == n and probabilities.shape == (n, len(AAMI_CLASSES))):
        raise CorruptDataError(
            f"prediction arrays disagree: {record.size} records, {sample.size} samples, {n} labels, "
            f"probabilities {probabilities.shape}; expected [n, {len(AAMI_CLASSES)}]"
        )
    if n and (label.min() < 0 or label.max() >= len(AAMI_CLASSES)):
        raise CorruptDataError(f"prediction file labels must be 0..{len(AAMI_CLASSES) - 1}; found {label.min()}..{label.max()}")
    return compare_labelled_beats(record, sample, label, probabilities.argmax(axis=1), fs)


def recompute_beat_metrics(
    run_record: Mapping[str, Any],
    predictions: Mapping[str, np.ndarray],
    fs: float,
) -> dict[str, dict[str, float | None]]:
    """Recompute every metric a beat-track run record lists, with its recorded bootstrap settings.

    Returns
    -------
    dict
        ``{metric: {"value", "ci_low", "ci_high"}}`` for each key of ``run_record["metrics"]``;
        intervals are recomputed only where the record has one (``gross.*`` figures).

    Raises
    ------
    CorruptDataError
        A metric key the scorer does not produce, or a malformed prediction file.
    """
    from ecgbench.evaluation import score_records

    recorded = run_record["metrics"]
    with_ci = [key for key, entry in recorded.items() if key.startswith(GROSS_PREFIX) and entry.get("ci_low") is not None]
    boot = run_record.get("bootstrap") or {}
    try:
        return figures_with_intervals(
            score_records(beat_comparisons(predictions, fs)), list(recorded), with_ci=with_ci,
            n_resamples=int(boot.get("n_resamples") or 0), confidence=float(boot.get("confidence") or 0.95),
            seed=int(boot.get("seed") or 0), by_subject=boot.get("unit") == "subject",
        )  # fmt: skip
    except KeyError as exc:
        raise CorruptDataError(f"metrics {exc.args[0]} are not EC57 figures; the scorer cannot recompute them") from None
