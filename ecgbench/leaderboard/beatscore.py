"""Recompute beat-track metrics from a prediction file, independently of the runner.

The checker and ``compare`` rebuild every figure from the saved arrays (``record``, ``sample``,
``label``, ``probabilities``) with the EC57 scorer: one comparison per record with the reference
positions as test positions and the arg-max class as test label, paced records excluded, then
the record-resampled bootstrap with the settings stored in the run record.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ecgbench.errors import CorruptDataError
from ecgbench.records import AAMI_CLASSES

GROSS_PREFIX = "gross."


def flatten(tree: Mapping, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts into dotted keys (``{"a": {"b": 1}}`` → ``{"a.b": 1}``)."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def number(value: Any) -> float | None:
    """Return ``value`` as a float, ``None`` for None or NaN."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


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
    from ecgbench.evaluation import compare_record

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
    letters = np.asarray(AAMI_CLASSES)
    predicted = probabilities.argmax(axis=1)
    comparisons = []
    for name in dict.fromkeys(record.tolist()):  # first-appearance order, as the runner scores them
        rows = np.flatnonzero(record == name)
        rows = rows[np.argsort(sample[rows], kind="stable")]
        comparisons.append(
            compare_record(name, sample[rows], letters[label[rows]], sample[rows], letters[predicted[rows]], fs=fs)
        )
    return comparisons


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
    from ecgbench.evaluation.bootstrap import bootstrap_ci

    result = score_records(beat_comparisons(predictions, fs))
    flat = flatten(result.to_dict())
    recorded = run_record["metrics"]
    unknown = sorted(key for key in recorded if key not in flat)
    if unknown:
        raise CorruptDataError(f"metrics {', '.join(unknown)} are not EC57 figures; the scorer cannot recompute them")
    with_ci = [key for key, entry in recorded.items() if key.startswith(GROSS_PREFIX) and entry.get("ci_low") is not None]
    intervals: dict[str, dict[str, float]] = {}
    boot = run_record.get("bootstrap") or {}
    if with_ci and boot.get("n_resamples"):
        intervals = bootstrap_ci(
            result.comparisons,
            metrics=[key.removeprefix(GROSS_PREFIX) for key in with_ci],
            n_resamples=int(boot["n_resamples"]),
            confidence=float(boot["confidence"]),
            seed=int(boot["seed"]),
            by_subject=boot.get("unit") == "subject",
        )
    out: dict[str, dict[str, float | None]] = {}
    for key in recorded:
        interval = intervals.get(key.removeprefix(GROSS_PREFIX)) if key in with_ci else None
        out[key] = {
            "value": number(flat[key]),
            "ci_low": number(interval["low"]) if interval else None,
            "ci_high": number(interval["high"]) if interval else None,
        }
    return out
