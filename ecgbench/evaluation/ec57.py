"""Beat-by-beat comparison of one record, as PhysioNet's ``bxb`` does (ANSI/AAMI EC57).

:func:`compare_record` takes reference and test annotations (WFDB symbols; the AAMI letters
``N S V F Q`` are valid WFDB symbols and map to themselves) and returns a
:class:`RecordComparison` holding the bxb confusion matrix (see
:mod:`ecgbench.evaluation.statistics`), the list of scored beat pairs, ventricular-run counts and
AF-episode counts. :func:`compare_annotations` does the same for two
:class:`ecgbench.records.Annotations`.

Rules (from bxb.c, WFDB 10.7; EC57:2012 section 3)
----------------------------------------------------
* Beats: annotations whose symbol is a beat symbol (:data:`ecgbench.records.BEAT_SYMBOLS`).
  Every other standard WFDB symbol (``+ ~ | " [ ] ! x`` ...) is a non-beat annotation and is
  never scored. A symbol that is not a WFDB annotation symbol at all raises
  :class:`~ecgbench.errors.CorruptDataError` (a typo or a private label would otherwise silently
  become a missed beat).
* Classes: ``class_map="aami"`` (default) is the EC57/de Chazal table in
  :mod:`ecgbench.records.symbols` (``e`` and ``j`` escape beats are N). ``class_map="bxb"`` is
  bxb's ``-S`` mapping, which puts the escape beats ``e``, ``j`` (and ``n``) in S. Paced ``/`` and
  ``f`` beats are Q in both.
* Matching: one to one within ``window`` (default 0.150 s, inclusive), see
  :mod:`ecgbench.evaluation.matching`.
* Learning period (``bxb -f``): beats before ``learning_period`` seconds are not scored. A pair is
  scored when its reference beat is at or after it; an unmatched beat when it is. bxb's default
  is 300 s (5 min); the library default is 0 (classifiers of annotated beats learn nothing).
* Ventricular fibrillation: annotations between ``[`` and ``]`` are ignored in both files (in
  MIT-BIH only ``!`` flutter waves lie there); extra test beats inside reference-marked VF
  (inclusive) are not counted at all.
* Unreadable signal ("shutdown"): a ``~`` annotation whose ``subtype`` has bits 4 and 5 set
  (``subtype & 0x30 == 0x30``; MIT-BIH writes subtype -1) starts it and the next ``~`` ends it
  (MIT-BIH: records 101, 105, 203, 208, 210, no beats inside). As in bxb, extra test beats inside
  reference shutdown go to the ``X`` row and reference beats missed inside test shutdown to the
  ``x`` column; both still count in QRS statistics. With ``exclude_shutdown=True`` beats inside
  reference shutdown are not scored at all (a non-bxb option). Other ``~`` annotations (noise in
  one lead) and ``|`` isolated artefacts do not change scoring.
* Paced records (102, 104, 107, 217) are compared like any other; EC57 excludes them from the
  reported statistics, which :func:`ecgbench.evaluation.score_records` does and says so.

References
----------
ANSI/AAMI EC57:2012, Testing and reporting performance results of cardiac rhythm and ST segment
measurement algorithms.
Moody GB. bxb.c, WFDB Software Package 10.7, PhysioNet; https://physionet.org/physiotools/wag/bxb-1.htm
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ecgbench.errors import ConfigError, CorruptDataError, unknown_choice
from ecgbench.evaluation.matching import match_beats
from ecgbench.evaluation.rhythm import (
    AF_PREFIX,
    AFL_PREFIX,
    EpisodeCounts,
    RunAnnotator,
    RunCounts,
    af_episode_stats,
    rhythm_episodes,
    ventricular_run_stats,
    vf_episode_stats,
    vf_episodes,
)
from ecgbench.evaluation.statistics import CLASSES, COLUMNS, ROWS, all_figures
from ecgbench.records.io import Annotations
from ecgbench.records.lists import PACED_RECORDS
from ecgbench.records.symbols import SYMBOL_TO_AAMI

#: EC57 / bxb match window in seconds.
DEFAULT_WINDOW = 0.150
#: bxb's default learning period in seconds (``-f 5:0``).
BXB_LEARNING_PERIOD = 300.0
#: ``subtype`` bits of a ``~`` annotation that mark both signals unreadable (bxb ``0x30``).
SHUTDOWN_BITS = 0x30

CLASS_MAPS: dict[str, dict[str, str]] = {
    "aami": dict(SYMBOL_TO_AAMI),
    "bxb": {**SYMBOL_TO_AAMI, **dict.fromkeys("ejn", "S")},
}
_ROW = {c: i for i, c in enumerate(CLASSES)}
_O, _X = ROWS.index("O"), ROWS.index("X")


@lru_cache(maxsize=1)
def wfdb_symbols() -> frozenset[str]:
    """Every standard WFDB annotation symbol (beats and non-beats)."""
    from wfdb.io.annotation import ann_label_table

    return frozenset(str(s) for s in ann_label_table["symbol"]) | frozenset(SYMBOL_TO_AAMI)


@dataclass(frozen=True)
class _Side:
    """One annotator's annotations, reduced to what scoring needs."""

    beat_sample: np.ndarray  # beats outside this annotator's VF, samples
    beat_class: np.ndarray  # AAMI letter per beat
    vf: np.ndarray  # (k, 2) VF intervals, samples (inclusive ends)
    shutdown: np.ndarray  # (k, 2) unreadable intervals, samples (inclusive ends)
    has_rhythm: bool


def _validate(name: str, record: str, sample, symbol, aux, subtype) -> tuple[np.ndarray, np.ndarray]:
    sample = np.asarray(sample)
    symbol = np.asarray(symbol, dtype=str) if len(symbol) else np.zeros(0, "<U2")
    if sample.ndim != 1 or symbol.shape != sample.shape:
        raise CorruptDataError(
            f"record {record}: {name} sample and symbol arrays differ in shape ({sample.shape} vs {symbol.shape})"
        )
    if sample.size and not np.issubdtype(sample.dtype, np.integer):
        if not np.all(np.mod(sample, 1) == 0):
            raise CorruptDataError(f"record {record}: {name} annotation positions must be whole samples")
    sample = sample.astype(np.int64)
    if sample.size and sample.min() < 0:
        raise CorruptDataError(f"record {record}: {name} annotations have negative sample positions")
    if sample.size > 1 and np.any(np.diff(sample) < 0):
        raise CorruptDataError(f"record {record}: {name} annotations are not sorted by sample; sort them first")
    for extra, label in ((aux, "aux"), (subtype, "subtype")):
        if extra is not None and len(extra) != sample.size:
            raise CorruptDataError(f"record {record}: {name} {label} has {len(extra)} entries for {sample.size} annotations")
    unknown = sorted(set(symbol.tolist()) - wfdb_symbols())
    if unknown:
        raise CorruptDataError(
            f"record {record}: {name} annotations use unknown symbol(s) {', '.join(map(repr, unknown))}; "
            "use WFDB beat symbols (N L R e j A a J S V E F / f Q ...) or the AAMI letters N S V F Q"
        )
    return sample, symbol


def _prepare(
    name: str, record: str, sample, symbol, aux, subtype, class_map: dict[str, str], window: int, end: int
) -> _Side:
    sample, symbol = _validate(name, record, sample, symbol, aux, subtype)
    subtype = np.zeros(sample.size, np.int64) if subtype is None else np.asarray(subtype, dtype=np.int64)
    keep = np.ones(sample.size, dtype=bool)
    vf: list[tuple[int, int]] = []
    shutdown: list[tuple[int, int]] = []
    in_vf_since: int | None = None
    last_beat = -1
    last_vf_off = -1
    is_beat = np.fromiter((s in class_map for s in symbol.tolist()), dtype=bool, count=sample.size)
    special = np.flatnonzero(np.isin(symbol, ["[", "]", "~"]))
    beat_idx = np.flatnonzero(is_beat)
    for k in special.tolist():
        sym = symbol[k]
        if in_vf_since is not None:
            if sym == "]":
                vf.append((int(sample[in_vf_since]), int(sample[k])))
                keep[in_vf_since:k] = False  # everything between [ and ] is ignored (bxb)
                last_vf_off = int(sample[k])
                in_vf_since = None
            continue
        if sym == "[":
            in_vf_since = k
        elif sym == "~" and (subtype[k] & SHUTDOWN_BITS) == SHUTDOWN_BITS:
            if k + 1 >= sample.size:
                shutdown.append((int(sample[k]), end))
            elif symbol[k + 1] == "~" and (subtype[k + 1] & SHUTDOWN_BITS) != SHUTDOWN_BITS:
                shutdown.append((int(sample[k]), int(sample[k + 1])))
            else:  # AHA convention: one mark in mid-shutdown (bxb getref())
                prev = beat_idx[beat_idx < k]
                last_beat = int(sample[prev[-1]]) if prev.size else -window
                on = max(last_beat, last_vf_off) + window
                off = int(sample[k + 1]) - window
                shutdown.append((min(on, off), off))
    if in_vf_since is not None:  # unterminated VF runs to the end of the record
        vf.append((int(sample[in_vf_since]), end))
        keep[in_vf_since:] = False
    beats = keep & is_beat
    return _Side(
        beat_sample=sample[beats],
        beat_class=np.array([class_map[s] for s in symbol[beats].tolist()], dtype="<U1"),
        vf=np.asarray(vf, np.int64).reshape(-1, 2),
        shutdown=np.asarray(shutdown, np.int64).reshape(-1, 2),
        has_rhythm=bool(np.any(symbol == "+")),
    )


def _inside(positions: np.ndarray, intervals: np.ndarray) -> np.ndarray:
    """True where a position lies in any closed interval ``[start, end]``."""
    if intervals.size == 0 or positions.size == 0:
        return np.zeros(positions.size, dtype=bool)
    return np.any((positions[:, None] >= intervals[None, :, 0]) & (positions[:, None] <= intervals[None, :, 1]), axis=1)


@dataclass(frozen=True)
class ScoredBeats:
    """Every scored beat pairing of a record, in time order (bxb's ``-o`` output).

    Attributes
    ----------
    ref_sample, test_sample : numpy.ndarray
        Positions in samples; -1 for the missing side of an unmatched beat.
    row, col : numpy.ndarray
        Confusion-matrix row (reference class or O/X) and column (test class or o/x) indices.
    """

    ref_sample: np.ndarray
    test_sample: np.ndarray
    row: np.ndarray
    col: np.ndarray

    def __len__(self) -> int:
        return int(self.row.size)


@dataclass(frozen=True)
class RecordComparison:
    """Beat-by-beat comparison of one record (cf. wfdb's ``Comparitor``).

    Attributes
    ----------
    record : str
        Record name.
    fs : float
        Sampling frequency in Hz.
    window, learning_period : float
        Match window and learning period in seconds.
    class_map : str
        ``"aami"`` or ``"bxb"``.
    confusion : numpy.ndarray
        7 x 7 int64 counts, rows :data:`~ecgbench.evaluation.statistics.ROWS`, columns
        :data:`~ecgbench.evaluation.statistics.COLUMNS`.
    beats : ScoredBeats
        The scored pairings.
    runs : RunCounts
        Ventricular run comparison.
    af : EpisodeCounts or None
        AF episode comparison; None when ``ref_aux``/``test_aux`` were not given.
    test_has_rhythm : bool
        The test annotations contain rhythm (``+``) annotations.
    vf : EpisodeCounts
        VF episode comparison (``epicmp -V``; :func:`ecgbench.evaluation.rhythm.vf_episodes`).
    af_exclude_flutter : bool
        Whether reference AFL was excluded from the AF +P comparison (EC38; EC57's default is False).
    """

    record: str
    fs: float
    window: float
    learning_period: float
    class_map: str
    confusion: np.ndarray
    beats: ScoredBeats
    runs: RunCounts = field(default_factory=RunCounts)
    af: EpisodeCounts | None = None
    test_has_rhythm: bool = False
    vf: EpisodeCounts = field(default_factory=EpisodeCounts)
    af_exclude_flutter: bool = False

    @property
    def paced(self) -> bool:
        """True for the MIT-BIH paced records, which EC57 leaves out of reported statistics."""
        return self.record in PACED_RECORDS

    @property
    def tp(self) -> int:
        """Matched beats."""
        return int(self.confusion[:5, :5].sum())

    @property
    def fn(self) -> int:
        """Missed reference beats."""
        return int(self.confusion[:5, 5:].sum())

    @property
    def fp(self) -> int:
        """Extra test beats."""
        return int(self.confusion[5:, :5].sum())

    @property
    def sensitivity(self) -> float:
        """QRS sensitivity in % (NaN without reference beats)."""
        return float(self.figures()["qrs"]["se"])

    @property
    def positive_predictivity(self) -> float:
        """QRS positive predictivity in % (NaN without test beats)."""
        return float(self.figures()["qrs"]["ppv"])

    def figures(self) -> dict:
        """All beat figures of this record (same layout as ``EC57Result.gross``)."""
        return all_figures(self.confusion)

    def summary(self):
        """Return a Rich table of this record's figures."""
        from ecgbench.evaluation.result import score_records

        return score_records([self], exclude_paced=False).summary()

    def to_dict(self) -> dict:
        """JSON-able dict (see :mod:`ecgbench.evaluation.result` for the keys)."""
        from ecgbench.evaluation.result import record_dict

        return record_dict(self)


def compare_record(
    record: str,
    ref_sample,
    ref_symbol,
    test_sample,
    test_symbol,
    fs: float,
    window: float = DEFAULT_WINDOW,
    learning_period: float = 0.0,
    ref_aux=None,
    *,
    test_aux=None,
    ref_subtype=None,
    test_subtype=None,
    n_samples: int | None = None,
    class_map: str = "aami",
    exclude_shutdown: bool = False,
    method: str = "bxb",
    af_exclude_flutter: bool = False,
) -> RecordComparison:
    """Compare test annotations of one record with the reference, beat by beat (bxb).

    Parameters
    ----------
    record : str
        Record name (used in messages and results).
    ref_sample, test_sample : array-like of int
        Annotation positions in samples, sorted.
    ref_symbol, test_symbol : array-like of str
        WFDB symbols (or AAMI letters), one per position; non-beat symbols are filtered here.
    fs : float
        Sampling frequency in Hz of both annotation lists.
    window : float
        Match window in seconds (EC57: 0.150).
    learning_period : float
        Seconds at the start of the record that are not scored (bxb default 300; here 0).
    ref_aux, test_aux : sequence of str, optional
        Aux notes; needed for AF episode statistics (both must be given).
    ref_subtype, test_subtype : array-like of int, optional
        WFDB ``subtype`` fields; needed to find unreadable (shutdown) segments.
    n_samples : int, optional
        Record length in samples (end of a still-open AF episode); default the last annotation.
    class_map : {"aami", "bxb"}
        Symbol-to-class mapping, see the module docstring.
    exclude_shutdown : bool
        Do not score beats inside reference-marked unreadable segments (not bxb's default).
    method : {"bxb", "nearest"}
        Matching algorithm (:func:`ecgbench.evaluation.matching.match_beats`).
    af_exclude_flutter : bool
        Leave reference atrial flutter out of the AF +P comparison (EC38, ``epicmp -x``); EC57's
        default (False) keeps it.

    Returns
    -------
    RecordComparison

    Raises
    ------
    CorruptDataError
        Arrays of different lengths, unsorted or negative positions, unknown symbols.
    ConfigError
        Bad ``fs``, ``window``, ``learning_period`` or ``class_map``.
    """
    if class_map not in CLASS_MAPS:
        raise unknown_choice("class map", class_map, tuple(CLASS_MAPS))
    if not np.isfinite(fs) or fs <= 0:
        raise ConfigError(f"record {record}: sampling frequency must be a positive number of Hz, got {fs}")
    if not (0 < window < 1.0):
        raise ConfigError(f"match window must be between 0 and 1 s, got {window} s (EC57 uses 0.150 s)")
    if learning_period < 0:
        raise ConfigError(f"learning period must be >= 0 s, got {learning_period} s")
    mapping = CLASS_MAPS[class_map]
    window_n = int(round(window * fs))  # bxb: strtim(".15") = 54 samples at 360 Hz
    start = int(round(learning_period * fs))
    last = max([int(np.max(a)) for a in (ref_sample, test_sample) if len(a)] or [0])
    end = int(n_samples) if n_samples is not None else last + 1
    ref = _prepare("reference", record, ref_sample, ref_symbol, ref_aux, ref_subtype, mapping, window_n, end)
    test = _prepare("test", record, test_sample, test_symbol, test_aux, test_subtype, mapping, window_n, end)

    match = match_beats(ref.beat_sample, test.beat_sample, window_n, method=method)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    ref_pos: list[np.ndarray] = []
    test_pos: list[np.ndarray] = []
    ref_row = np.array([_ROW[c] for c in ref.beat_class.tolist()], dtype=np.int64)
    test_col = np.array([_ROW[c] for c in test.beat_class.tolist()], dtype=np.int64)
    ref_skip = _inside(ref.beat_sample, ref.shutdown) if exclude_shutdown else np.zeros(ref.beat_sample.size, bool)

    matched = np.flatnonzero(match.ref_to_test >= 0)
    matched = matched[(ref.beat_sample[matched] >= start) & ~ref_skip[matched]]
    j = match.ref_to_test[matched]
    rows.append(ref_row[matched]), cols.append(test_col[j])
    ref_pos.append(ref.beat_sample[matched]), test_pos.append(test.beat_sample[j])

    missed = np.flatnonzero((match.ref_to_test < 0) & (ref.beat_sample >= start) & ~ref_skip)
    in_test_shutdown = _inside(ref.beat_sample[missed], test.shutdown)
    rows.append(ref_row[missed]), cols.append(np.where(in_test_shutdown, _X, _O))
    ref_pos.append(ref.beat_sample[missed]), test_pos.append(np.full(missed.size, -1, np.int64))

    extra = np.flatnonzero((match.test_to_ref < 0) & (test.beat_sample >= start))
    extra = extra[~_inside(test.beat_sample[extra], ref.vf)]  # test beats in reference VF: not counted
    in_ref_shutdown = _inside(test.beat_sample[extra], ref.shutdown)
    if exclude_shutdown:
        extra, in_ref_shutdown = extra[~in_ref_shutdown], in_ref_shutdown[~in_ref_shutdown]
    rows.append(np.where(in_ref_shutdown, _X, _O)), cols.append(test_col[extra])
    ref_pos.append(np.full(extra.size, -1, np.int64)), test_pos.append(test.beat_sample[extra])

    row, col = np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)
    r_s, t_s = np.concatenate(ref_pos), np.concatenate(test_pos)
    order = np.argsort(np.maximum(r_s, t_s), kind="stable")
    confusion = np.zeros((len(ROWS), len(COLUMNS)), dtype=np.int64)
    np.add.at(confusion, (row, col), 1)

    is_v = np.isin(ref.beat_class, ["V", "F"]), np.isin(test.beat_class, ["V", "F"])
    runs = ventricular_run_stats(
        RunAnnotator(ref.beat_sample, is_v[0], ref.vf, ref.shutdown[:, 0]),
        RunAnnotator(test.beat_sample, is_v[1], test.vf, test.shutdown[:, 0]),
        window_n,
        start,
    )
    af = None
    if ref_aux is not None and test_aux is not None:
        ref_symbols = np.asarray(ref_symbol, dtype=str) if len(ref_symbol) else np.zeros(0, "<U2")
        test_symbols = np.asarray(test_symbol, dtype=str) if len(test_symbol) else np.zeros(0, "<U2")
        af = af_episode_stats(
            rhythm_episodes(np.asarray(ref_sample), ref_symbols, list(ref_aux), AF_PREFIX, end),
            rhythm_episodes(np.asarray(test_sample), test_symbols, list(test_aux), AF_PREFIX, end),
            start,
            end,
            fs,
            ref_flutter=(
                rhythm_episodes(np.asarray(ref_sample), ref_symbols, list(ref_aux), AFL_PREFIX, end)
                if af_exclude_flutter
                else None
            ),
        )
    vf = vf_episode_stats(
        vf_episodes(np.asarray(ref_sample), np.asarray(ref_symbol, dtype=str), ref_aux, end),
        vf_episodes(np.asarray(test_sample), np.asarray(test_symbol, dtype=str), test_aux, end),
        start,
        end,
        fs,
    )
    return RecordComparison(
        record=str(record),
        fs=float(fs),
        window=float(window),
        learning_period=float(learning_period),
        class_map=class_map,
        confusion=confusion,
        beats=ScoredBeats(r_s[order], t_s[order], row[order], col[order]),
        runs=runs,
        af=af,
        test_has_rhythm=test.has_rhythm,
        vf=vf,
        af_exclude_flutter=bool(af_exclude_flutter),
    )


def compare_annotations(
    ref: Annotations,
    test: Annotations,
    window: float = DEFAULT_WINDOW,
    learning_period: float = 0.0,
    *,
    n_samples: int | None = None,
    rescale: bool = False,
    fs: float | None = None,
    class_map: str = "aami",
    exclude_shutdown: bool = False,
    method: str = "bxb",
    af_exclude_flutter: bool = False,
) -> RecordComparison:
    """Compare two WFDB annotation files of the same record (see :func:`compare_record`).

    Parameters
    ----------
    ref, test : Annotations
        Reference and test annotations (:func:`ecgbench.records.read_annotations`).
    window, learning_period : float
        Seconds, as in :func:`compare_record`.
    n_samples : int, optional
        Record length in samples.
    rescale : bool
        If the files store different sampling frequencies, convert the test positions to the
        reference rate (rounded to the nearest sample) instead of refusing.
    fs : float, optional
        Sampling frequency to assume for a file that stores none (WFDB annotation files may omit
        it); default: the other file's, else an error.

    Raises
    ------
    CorruptDataError
        The files belong to different records or store different sampling frequencies (and
        ``rescale`` is False), or no sampling frequency is known.
    """
    if ref.record != test.record:
        raise CorruptDataError(
            f"reference annotations are for record {ref.record} but test annotations for record {test.record}"
        )
    ref_fs = ref.fs if np.isfinite(ref.fs) and ref.fs > 0 else (fs if fs else None)
    test_fs = test.fs if np.isfinite(test.fs) and test.fs > 0 else (fs if fs else ref_fs)
    ref_fs = ref_fs or test_fs
    if not ref_fs or not test_fs:
        raise CorruptDataError(
            f"record {ref.record}: neither annotation file stores a sampling frequency; pass fs= (--fs)"
        )
    test_sample = test.sample
    if abs(ref_fs - test_fs) > 1e-6 * ref_fs:
        if not rescale:
            raise CorruptDataError(
                f"record {ref.record}: reference annotations ({ref.extension}) are at {ref_fs:g} Hz but test "
                f"annotations ({test.extension}) at {test_fs:g} Hz; resample the test annotations or pass "
                "rescale=True (--rescale) to convert test positions to the reference rate"
            )
        test_sample = np.round(test.sample * (ref_fs / test_fs)).astype(np.int64)
        if test_sample.size > 1:  # rounding never reorders, but be explicit for the sort check
            test_sample = np.maximum.accumulate(test_sample)
    return compare_record(
        ref.record,
        ref.sample,
        ref.symbol,
        test_sample,
        test.symbol,
        fs=float(ref_fs),
        window=window,
        learning_period=learning_period,
        ref_aux=ref.aux_note,
        test_aux=test.aux_note,
        ref_subtype=ref.subtype if ref.subtype.size == len(ref) else None,
        test_subtype=test.subtype if test.subtype.size == len(test) else None,
        n_samples=n_samples,
        class_map=class_map,
        exclude_shutdown=exclude_shutdown,
        method=method,
        af_exclude_flutter=af_exclude_flutter,
    )
