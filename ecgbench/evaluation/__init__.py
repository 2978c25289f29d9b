"""EC57 scoring: beat matching, class statistics, runs, AF episodes, window metrics, bootstrap CIs.

Every leaderboard number comes from here. All figures are percentages (0-100); NaN (JSON
``null``) when undefined.

>>> from ecgbench.evaluation import compare_record, score_records
>>> cmp = compare_record("100", ref_sample, ref_symbol, test_sample, test_symbol, fs=360.0)  # doctest: +SKIP
>>> score_records([cmp]).to_dict()["gross"]["qrs"]["se"]  # doctest: +SKIP

Modules: :mod:`~ecgbench.evaluation.matching` (bxb matching), :mod:`~ecgbench.evaluation.ec57`
(one record), :mod:`~ecgbench.evaluation.statistics` (formulas),
:mod:`~ecgbench.evaluation.result` (gross/average, JSON keys), :mod:`~ecgbench.evaluation.rhythm`
(AF episodes, ventricular runs), :mod:`~ecgbench.evaluation.classification` (window metrics),
:mod:`~ecgbench.evaluation.bootstrap` (record-level bootstrap), :mod:`~ecgbench.evaluation.scoring`
(WFDB folders).
"""

from ecgbench.evaluation.ec57 import (
    BXB_LEARNING_PERIOD,
    CLASS_MAPS,
    DEFAULT_WINDOW,
    RecordComparison,
    ScoredBeats,
    compare_annotations,
    compare_record,
)
from ecgbench.evaluation.matching import BeatMatch, match_beats
from ecgbench.evaluation.result import EC57Result, score_records
from ecgbench.evaluation.statistics import CLASSES, COLUMNS, ROWS

__all__ = [
    "BXB_LEARNING_PERIOD", "BeatMatch", "CLASSES", "CLASS_MAPS", "COLUMNS", "DEFAULT_WINDOW", "EC57Result",
    "ROWS", "RecordComparison", "ScoredBeats", "compare_annotations", "compare_record", "match_beats",
    "score_records",
]  # fmt: skip
