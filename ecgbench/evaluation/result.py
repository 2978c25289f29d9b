"""Pooled (gross) and per-record (average) EC57 results over many records.

``score_records(comparisons)`` returns an :class:`EC57Result`. Gross figures come from the
confusion matrices summed over records (EC57 "gross statistics"); average figures are the mean of
the per-record figures over the records where the figure is defined (denominator > 0; EC57
"average statistics"). The two are never mixed: they live under separate keys.

``EC57Result.to_dict()`` keys (stable; all figures are percentages 0-100, ``null`` when
undefined; durations in seconds)::

    schema                      "ecgbench.ec57/1"
    settings                    {window_s, learning_period_s, class_map, af_exclude_flutter, units: "percent"}
    records                     records in the statistics, in order
    excluded_records            {record: reason}  (EC57 leaves out the paced records)
    gross.qrs                   {se, ppv, f1, tp, fn, fp}
    gross.classes.<N|S|V|F|Q>   {se, ppv, spec, fpr, f1, accuracy, tp, fn, fp, tn}
    gross.veb, gross.sveb       {se, ppv, fpr, spec, f1, tp, fn, fp, tn}   (bxb rules)
    gross.accuracy              correct labels / all scored beats (missed + extra count as wrong)
    gross.matched_accuracy      correct labels / matched beats
    gross.runs.<couplet|short_run|long_run>   {se, ppv, tp_se, fn, tp_ppv, fp}
    gross.af                    {episode_se, episode_ppv, duration_se, duration_ppv, tp_se, fn,
                                 tp_ppv, fp, ref_duration_s, test_duration_s, overlap_s} or null
                                 (null when no test file has rhythm annotations); reference AFL
                                 is excluded from +P only if settings.af_exclude_flutter (EC38)
    gross.vf                    VF episodes (epicmp -V), same keys as gross.af; present only when
                                 some reference or test file marks VF
    average                     same figure keys as gross (no counts) + n_records
    confusion                   {rows: [N S V F Q O X], columns: [n s v f q o x], matrix}
    per_record.<record>         gross-shaped figures of one record + confusion matrix

See :mod:`ecgbench.evaluation.statistics` for the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.evaluation.ec57 import RecordComparison
from ecgbench.evaluation.rhythm import EpisodeCounts, RunCounts
from ecgbench.evaluation.statistics import COLUMNS, ROWS, all_figures
from ecgbench.records.lists import PACED_RECORDS

SCHEMA = "ecgbench.ec57/1"
_COUNT_KEYS = frozenset({"tp", "fn", "fp", "tn", "tp_se", "tp_ppv"})


def _builtin(tree):
    """Convert NumPy scalars to Python numbers, recursively (NaN kept)."""
    if isinstance(tree, dict):
        return {k: _builtin(v) for k, v in tree.items()}
    if isinstance(tree, np.ndarray) and tree.ndim == 0 or isinstance(tree, np.generic):
        value = tree.item()
        return value
    return tree


def _jsonable(tree):
    """Like :func:`_builtin`, with NaN → None (JSON ``null``)."""
    tree = _builtin(tree)
    if isinstance(tree, dict):
        return {k: _jsonable(v) for k, v in tree.items()}
    if isinstance(tree, float) and math.isnan(tree):
        return None
    return tree


def _rhythm_figures(runs: RunCounts, af: EpisodeCounts | None, with_af: bool, vf: EpisodeCounts | None = None) -> dict:
    figures = {"runs": runs.figures(), "af": (af.figures() if af is not None else None) if with_af else None}
    if vf is not None:
        figures["vf"] = vf.figures()
    return figures


def _has_vf(counts: EpisodeCounts) -> bool:
    return counts.tp_se + counts.fn + counts.tp_ppv + counts.fp > 0


def record_figures(cmp: RecordComparison, with_af: bool = True, with_vf: bool | None = None) -> dict:
    """Gross-shaped figures of one record (beat, run, AF and, where VF is marked, VF episode figures)."""
    with_vf = _has_vf(cmp.vf) if with_vf is None else with_vf
    return {**_builtin(all_figures(cmp.confusion)), **_rhythm_figures(cmp.runs, cmp.af, with_af, cmp.vf if with_vf else None)}


def record_dict(cmp: RecordComparison) -> dict:
    """JSON-able dict of one record comparison."""
    return _jsonable(
        {
            "record": cmp.record,
            "fs": cmp.fs,
            "paced": cmp.paced,
            **record_figures(cmp),
            "confusion": {"rows": list(ROWS), "columns": list(COLUMNS), "matrix": cmp.confusion.tolist()},
        }
    )


def _average(trees: list[dict]) -> dict:
    """Mean of every non-count leaf over the trees where it is defined (not NaN/None)."""
    first = next((t for t in trees if t is not None), None)
    if first is None:
        return None
    out = {}
    for key, value in first.items():
        if key in _COUNT_KEYS or key.endswith("_duration_s") or key == "overlap_s":
            continue
        children = [t[key] if t is not None else None for t in trees]
        if isinstance(value, dict) or value is None:
            dicts = [c for c in children if isinstance(c, dict)]
            out[key] = _average(dicts) if dicts else None
        else:
            values = [float(c) for c in children if c is not None and not math.isnan(float(c))]
            out[key] = float(np.mean(values)) if values else float("nan")
    return out


@dataclass(frozen=True)
class EC57Result:
    """EC57 statistics over several records.

    Attributes
    ----------
    comparisons : tuple of RecordComparison
        The records in the statistics.
    excluded : dict
        Records left out, with the reason (``"paced (EC57)"``).
    gross, average : dict
        Pooled and per-record-mean figures (layout in the module docstring).
    per_record : dict
        Figures of each record, by record name.
    confusion : numpy.ndarray
        Pooled 7 x 7 confusion matrix.
    """

    comparisons: tuple[RecordComparison, ...]
    excluded: dict[str, str] = field(default_factory=dict)
    gross: dict = field(default_factory=dict)
    average: dict = field(default_factory=dict)
    per_record: dict = field(default_factory=dict)
    confusion: np.ndarray = field(default_factory=lambda: np.zeros((7, 7), np.int64))

    @property
    def records(self) -> list[str]:
        """Names of the records in the statistics."""
        return [c.record for c in self.comparisons]

    @property
    def settings(self) -> dict:
        """Window, learning period, class map and AF flutter exclusion shared by all records."""
        first = self.comparisons[0]
        return {
            "window_s": first.window,
            "learning_period_s": first.learning_period,
            "class_map": first.class_map,
            "af_exclude_flutter": first.af_exclude_flutter,
            "units": "percent",
        }

    def summary(self, per_record: bool = False):
        """Rich renderable: gross and average tables (and the per-record table if asked)."""
        from ecgbench.evaluation.tables import result_tables

        return result_tables(self, per_record=per_record)

    def to_dict(self) -> dict:
        """JSON-able dict with the stable keys documented in this module."""
        return _jsonable(
            {
                "schema": SCHEMA,
                "settings": self.settings,
                "records": self.records,
                "excluded_records": dict(self.excluded),
                "gross": self.gross,
                "average": self.average,
                "confusion": {"rows": list(ROWS), "columns": list(COLUMNS), "matrix": self.confusion.tolist()},
                "per_record": {
                    c.record: {
                        **self.per_record[c.record],
                        "confusion": c.confusion.tolist(),
                    }
                    for c in self.comparisons
                },
            }
        )


def score_records(
    comparisons: Sequence[RecordComparison],
    exclude_paced: bool = True,
    paced_records: Sequence[str] = PACED_RECORDS,
) -> EC57Result:
    """Pool record comparisons into gross and average EC57 statistics.

    Parameters
    ----------
    comparisons : sequence of RecordComparison
        One per record (from :func:`ecgbench.evaluation.compare_record`).
    exclude_paced : bool
        Leave the paced records out, as EC57 requires (they are listed in ``excluded``).
    paced_records : sequence of str
        Which records are paced (MIT-BIH: 102, 104, 107, 217).

    Raises
    ------
    ConfigError
        No records, a record given twice, or records compared with different settings.
    """
    comparisons = list(comparisons)
    if not comparisons:
        raise ConfigError("no record comparisons to score; check the record list")
    names = [c.record for c in comparisons]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"record(s) {', '.join(duplicates)} given more than once; score each record once")
    settings = {(c.window, c.learning_period, c.class_map, c.af_exclude_flutter) for c in comparisons}
    if len(settings) > 1:
        raise ConfigError(
            "records were compared with different window / learning period / class map / AF flutter exclusion settings "
            f"{sorted(settings)}; compare them all with the same settings"
        )
    excluded = {c.record: "paced (EC57)" for c in comparisons if exclude_paced and c.record in paced_records}
    kept = [c for c in comparisons if c.record not in excluded]
    if not kept:
        raise ConfigError(f"every record ({', '.join(names)}) is paced and EC57 excludes them; pass exclude_paced=False")
    with_af = any(c.test_has_rhythm for c in kept) and all(c.af is not None for c in kept)
    confusion = np.sum([c.confusion for c in kept], axis=0)
    runs = sum((c.runs for c in kept), RunCounts())
    af = sum((c.af for c in kept), EpisodeCounts()) if with_af else None
    vf = sum((c.vf for c in kept), EpisodeCounts())
    with_vf = _has_vf(vf)
    gross = {**_builtin(all_figures(confusion)), **_rhythm_figures(runs, af, with_af, vf if with_vf else None)}
    per_record = {c.record: record_figures(c, with_af, with_vf) for c in kept}
    average = _average([per_record[c.record] for c in kept])
    average["n_records"] = len(kept)
    return EC57Result(
        comparisons=tuple(kept),
        excluded=excluded,
        gross=gross,
        average=average,
        per_record=per_record,
        confusion=confusion,
    )
