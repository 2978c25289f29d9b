"""Episode and run statistics of EC57: AF and VF episodes (``epicmp``) and ventricular runs (``rxr``).

AF episodes (``epicmp -A`` semantics)
    An AF episode starts at a rhythm annotation (``+``) whose aux note starts with ``(AFIB`` and
    ends at the next ``+`` whose aux note does not (or at the end of the record). Episodes are
    clipped to the scored period (after the learning period). A reference episode is detected
    (TP for episode Se) if any test AF overlaps it by more than 0 samples; a test episode is a TP
    for episode +P if any reference AF overlaps it. Duration Se = overlap / reference AF duration,
    duration +P = overlap / test AF duration. This is EC57's default (and ``epicmp`` without
    ``-x``): reference atrial flutter is not excluded. With the EC38 exclusion
    (``exclude_flutter=True``, ``epicmp -x``), parts of test episodes that fall in reference
    atrial flutter (``(AFL``) are left out of the +P comparison, and a test episode lying wholly
    inside reference AFL is ignored.
VF episodes (``epicmp -V`` semantics)
    A VF episode runs from a ``[`` (VFON) to the next ``]`` (VFOFF) annotation (or the end of the
    record). Databases that mark ventricular flutter and fibrillation only with rhythm notes
    (VFDB: ``(VFL``, ``(VF``, ``(VFIB``) have their episodes read from those notes instead
    (:func:`vf_episodes`; consecutive VF notes form one episode). Matching is that of AF: a
    reference episode is detected if any test episode overlaps it at all, a test episode is
    confirmed if any reference episode overlaps it (the "overlap ≥ 50 %" rule of ``epicmp``
    applies to ST episodes only); duration Se / +P = overlap / reference / test VF duration. No
    exclusions apply.
Ventricular runs (``rxr`` semantics)
    A run is a sequence of consecutive ventricular beats (AAMI V or F) not interrupted by another
    beat or by the start of an unreadable segment; reference VF (``[`` ... ``]``) counts as a run
    of maximal length. Runs are couplets (2 beats), short runs (3-5) and long runs (6 or more).
    For each run of one annotator, the longest run (capped at 6) of the other annotator among its
    beats from 150 ms before the first to 150 ms after the last beat of the run is found (6 if
    the other annotator marks VF there). Sensitivity uses reference runs, positive predictivity
    test runs:

    ============  =========================================  ==================================
    class         TP (Se pass: ref run, test length)         FP (+P pass: test run, ref length)
    ============  =========================================  ==================================
    couplet       test >= 2 (else FN)                        ref <= 1
    short run     test >= 3 (else FN)                        ref <= 2
    long run      test >= 6 (else FN)                        ref <= 5
    ============  =========================================  ==================================

Percentages are 0-100, NaN when undefined.

References
----------
ANSI/AAMI EC57:2012, sections 3.3-3.5 (run and episode comparisons).
Moody GB. rxr.c and epicmp.c, WFDB Software Package 10.7, PhysioNet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ecgbench.evaluation.statistics import ratio

AF_PREFIX = "(AFIB"
AFL_PREFIX = "(AFL"
#: Rhythm-note prefix of ventricular flutter and fibrillation (``(VFL``, ``(VF``, ``(VFIB``).
VF_PREFIX = "(VF"
MAX_RUN = 6  # rxr does not distinguish runs longer than 6 beats


def rhythm_episodes(
    sample: np.ndarray, symbol: np.ndarray, aux: tuple[str, ...] | list[str], prefix: str, end: int
) -> np.ndarray:
    """Return the ``[start, end)`` sample intervals of one rhythm, as an ``(k, 2)`` int64 array.

    Parameters
    ----------
    sample, symbol, aux : array-like
        Annotation positions (samples), symbols and aux notes; only ``+`` annotations are used.
    prefix : str
        Rhythm aux-note prefix, e.g. ``"(AFIB"``.
    end : int
        End of the record in samples: an episode still open at the last annotation ends here (or
        at the last annotation, whichever is later, as epicmp does).
    """
    sample = np.asarray(sample, dtype=np.int64)
    is_rhythm = np.asarray(symbol) == "+"
    intervals: list[tuple[int, int]] = []
    open_at: int | None = None
    for k in np.flatnonzero(is_rhythm):
        note = aux[k].rstrip("\x00")
        if note.startswith(prefix):
            if open_at is None:
                open_at = int(sample[k])
        elif open_at is not None:
            intervals.append((open_at, int(sample[k])))
            open_at = None
    if open_at is not None:
        last = int(sample[-1]) if sample.size else open_at
        intervals.append((open_at, max(int(end), last)))
    return np.asarray(intervals, dtype=np.int64).reshape(-1, 2)


def vf_episodes(sample: np.ndarray, symbol: np.ndarray, aux: tuple[str, ...] | list[str] | None, end: int) -> np.ndarray:
    """Return the ``[start, end)`` VF episodes of an annotation file, as an ``(k, 2)`` int64 array.

    ``[`` … ``]`` pairs (VFON/VFOFF, what ``epicmp -V`` reads) when the file has any ``[``; else
    the rhythm notes starting with ``(VF`` (see the module docstring). An episode still open at
    the end runs to ``end`` (samples).
    """
    sample = np.asarray(sample, dtype=np.int64)
    symbol = np.asarray(symbol, dtype=str) if len(symbol) else np.zeros(0, "<U2")
    if not np.any(symbol == "["):
        if aux is None:
            return np.zeros((0, 2), np.int64)
        return rhythm_episodes(sample, symbol, list(aux), VF_PREFIX, end)
    intervals: list[tuple[int, int]] = []
    open_at: int | None = None
    for k in np.flatnonzero(np.isin(symbol, ["[", "]"])):
        if symbol[k] == "[" and open_at is None:
            open_at = int(sample[k])
        elif symbol[k] == "]" and open_at is not None:
            intervals.append((open_at, int(sample[k])))
            open_at = None
    if open_at is not None:
        intervals.append((open_at, max(int(end), int(sample[-1]))))
    return np.asarray(intervals, dtype=np.int64).reshape(-1, 2)


def _clip(intervals: np.ndarray, start: int, end: int) -> np.ndarray:
    out = np.clip(intervals, start, end)
    return out[out[:, 1] > out[:, 0]]


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Samples of each interval in ``a`` covered by the (disjoint) intervals in ``b``."""
    if a.size == 0 or b.size == 0:
        return np.zeros(len(a), dtype=np.int64)
    lo = np.maximum(a[:, None, 0], b[None, :, 0])
    hi = np.minimum(a[:, None, 1], b[None, :, 1])
    return np.clip(hi - lo, 0, None).sum(axis=1)


@dataclass(frozen=True)
class EpisodeCounts:
    """Counts of an episode-by-episode comparison (epicmp); durations in samples.

    Attributes
    ----------
    tp_se, fn : int
        Reference episodes detected / not detected.
    tp_ppv, fp : int
        Test episodes confirmed / not confirmed by the reference.
    overlap, ref_duration, test_duration : int
        Overlap of test and reference episodes; total reference and test episode durations.
    fs : float
        Sampling frequency in Hz (for durations in seconds).
    """

    tp_se: int = 0
    fn: int = 0
    tp_ppv: int = 0
    fp: int = 0
    overlap: int = 0
    ref_duration: int = 0
    test_duration: int = 0
    fs: float = 1.0

    def __add__(self, other: EpisodeCounts) -> EpisodeCounts:
        """Pool two records (durations are summed in seconds, reported at ``fs=1``)."""
        return EpisodeCounts(
            self.tp_se + other.tp_se,
            self.fn + other.fn,
            self.tp_ppv + other.tp_ppv,
            self.fp + other.fp,
            self.overlap / self.fs + other.overlap / other.fs,
            self.ref_duration / self.fs + other.ref_duration / other.fs,
            self.test_duration / self.fs + other.test_duration / other.fs,
            1.0,
        )

    def figures(self) -> dict[str, float]:
        """Episode Se/+P and duration Se/+P (%), counts and durations in seconds."""
        return {
            "episode_se": float(ratio(self.tp_se, self.tp_se + self.fn)),
            "episode_ppv": float(ratio(self.tp_ppv, self.tp_ppv + self.fp)),
            "duration_se": float(ratio(self.overlap, self.ref_duration)),
            "duration_ppv": float(ratio(self.overlap, self.test_duration)),
            "tp_se": int(self.tp_se),
            "fn": int(self.fn),
            "tp_ppv": int(self.tp_ppv),
            "fp": int(self.fp),
            "ref_duration_s": float(self.ref_duration / self.fs),
            "test_duration_s": float(self.test_duration / self.fs),
            "overlap_s": float(self.overlap / self.fs),
        }


def episode_stats(
    ref_episodes: np.ndarray,
    test_episodes: np.ndarray,
    start: int,
    end: int,
    fs: float,
    exclusions: np.ndarray | None = None,
) -> EpisodeCounts:
    """Compare two annotators' episodes of one kind as ``epicmp`` does for AF and VF.

    Parameters
    ----------
    ref_episodes, test_episodes : numpy.ndarray
        ``(k, 2)`` ``[start, end)`` intervals in samples.
    start, end : int
        Scored period in samples (after the learning period, up to the end of the record).
    fs : float
        Sampling frequency in Hz.
    exclusions : numpy.ndarray, optional
        Reference intervals left out of the +P comparison (EC38: reference atrial flutter).
    """
    ref = _clip(np.asarray(ref_episodes, np.int64).reshape(-1, 2), start, end)
    test = _clip(np.asarray(test_episodes, np.int64).reshape(-1, 2), start, end)
    excluded = _clip(np.asarray(exclusions if exclusions is not None else [], np.int64).reshape(-1, 2), start, end)
    ref_hit = _overlap(ref, test)
    test_len = (test[:, 1] - test[:, 0]) - _overlap(test, excluded)
    kept = test_len > 0  # a test episode wholly inside an exclusion is ignored
    test_hit = _overlap(test[kept], ref)
    return EpisodeCounts(
        tp_se=int(np.count_nonzero(ref_hit > 0)),
        fn=int(np.count_nonzero(ref_hit == 0)),
        tp_ppv=int(np.count_nonzero(test_hit > 0)),
        fp=int(np.count_nonzero(test_hit == 0)),
        overlap=int(test_hit.sum()),
        ref_duration=int((ref[:, 1] - ref[:, 0]).sum()),
        test_duration=int(test_len[kept].sum()),
        fs=float(fs),
    )


def af_episode_stats(
    ref_episodes: np.ndarray,
    test_episodes: np.ndarray,
    start: int,
    end: int,
    fs: float,
    ref_flutter: np.ndarray | None = None,
) -> EpisodeCounts:
    """Compare AF episodes as ``epicmp -A`` does; ``ref_flutter`` given = the EC38 AFL exclusion (``-x``).

    See :func:`episode_stats` for the parameters; ``ref_flutter`` holds the reference atrial-flutter
    intervals, left out of the +P comparison. EC57's default passes None.
    """
    return episode_stats(ref_episodes, test_episodes, start, end, fs, exclusions=ref_flutter)


def vf_episode_stats(ref_episodes: np.ndarray, test_episodes: np.ndarray, start: int, end: int, fs: float) -> EpisodeCounts:
    """Compare VF episodes as ``epicmp -V`` does (any overlap detects; no exclusions). See :func:`episode_stats`."""
    return episode_stats(ref_episodes, test_episodes, start, end, fs)


@dataclass(frozen=True)
class RunCounts:
    """Run-length confusion of a run-by-run comparison (rxr).

    Attributes
    ----------
    sensitivity : numpy.ndarray
        7 x 7 counts, ``[reference run length, longest test run length]`` for each reference run
        (lengths capped at 6).
    positive_predictivity : numpy.ndarray
        7 x 7 counts, ``[longest reference run length, test run length]`` for each test run.
    """

    sensitivity: np.ndarray = field(default_factory=lambda: np.zeros((7, 7), np.int64))
    positive_predictivity: np.ndarray = field(default_factory=lambda: np.zeros((7, 7), np.int64))

    def __add__(self, other: RunCounts) -> RunCounts:
        """Pool two records."""
        return RunCounts(self.sensitivity + other.sensitivity, self.positive_predictivity + other.positive_predictivity)

    def figures(self) -> dict[str, dict[str, float]]:
        """Couplet, short-run and long-run Se/+P (%) with their TP/FN/FP counts."""
        se, pp = self.sensitivity, self.positive_predictivity
        out = {}
        for name, lo, hi in (("couplet", 2, 2), ("short_run", 3, 5), ("long_run", 6, 6)):
            tp_se = int(se[lo : hi + 1, lo:].sum())
            fn = int(se[lo : hi + 1, :lo].sum())
            tp_ppv = int(pp[lo:, lo : hi + 1].sum())
            fp = int(pp[:lo, lo : hi + 1].sum())
            out[name] = {
                "se": float(ratio(tp_se, tp_se + fn)),
                "ppv": float(ratio(tp_ppv, tp_ppv + fp)),
                "tp_se": tp_se,
                "fn": fn,
                "tp_ppv": tp_ppv,
                "fp": fp,
            }
        return out


@dataclass(frozen=True)
class RunAnnotator:
    """One annotator's beats for run detection.

    Attributes
    ----------
    sample : numpy.ndarray
        Beat positions in samples, sorted.
    ventricular : numpy.ndarray
        True where the beat is ventricular (AAMI V or F).
    vf : numpy.ndarray
        ``(k, 2)`` VF intervals (``[`` to ``]``) in samples.
    breaks : numpy.ndarray
        Positions (samples) of unreadable-segment starts, which end runs.
    """

    sample: np.ndarray
    ventricular: np.ndarray
    vf: np.ndarray
    breaks: np.ndarray

    def streaks(self) -> np.ndarray:
        """Length of the ventricular run ending at each beat (0 for other beats), uncapped."""
        n = self.sample.size
        out = np.zeros(n, dtype=np.int64)
        if n == 0:
            return out
        # a break between beats k-1 and k resets the streak at k
        broken = np.zeros(n, dtype=bool)
        if self.breaks.size:
            pos = np.searchsorted(self.sample, self.breaks, side="left")
            broken[pos[(pos > 0) & (pos < n)]] = True
        run = 0
        for k, (is_v, brk) in enumerate(zip(self.ventricular.tolist(), broken.tolist())):
            run = (run + 1 if not brk else 1) if is_v else 0
            out[k] = run
        return out


def _runs(annotator: RunAnnotator, streak: np.ndarray, start: int, window: int) -> list[tuple[int, int, int]]:
    """Runs of ``annotator`` starting at or after ``start``: (window start, window end, length)."""
    runs: list[tuple[int, int, int]] = []
    s = annotator.sample
    scored = s >= start
    # restart streaks at the first scored beat (rxr starts counting at the end of the learning period)
    first = int(np.searchsorted(s, start, side="left"))
    if first < s.size and streak[first] > 1:
        streak = streak.copy()
        k = first
        run = 0
        while k < s.size and streak[k] > 0 and (k == first or streak[k] != 1):
            run += 1
            streak[k] = run
            k += 1
    ends = np.flatnonzero(scored & (streak > 0) & np.append(streak[1:] <= streak[:-1], True))
    for k in ends.tolist():
        length = int(streak[k])
        begin = k - length + 1
        runs.append((int(s[begin]) - window, int(s[k]) + window, min(length, MAX_RUN)))
    for on, off in annotator.vf.tolist():
        if off >= start:
            runs.append((max(on, start) - window, off + window, MAX_RUN))
    return runs


def _longest(annotator: RunAnnotator, streak: np.ndarray, lo: int, hi: int) -> int:
    """Longest ventricular run of ``annotator`` among its beats in ``[lo, hi]`` (capped at 6)."""
    vf = annotator.vf
    if vf.size and np.any((vf[:, 0] <= hi) & (vf[:, 1] >= lo)):
        return MAX_RUN
    a = int(np.searchsorted(annotator.sample, lo, side="left"))
    b = int(np.searchsorted(annotator.sample, hi, side="right"))
    if b <= a:
        return 0
    inside = streak[a:b]
    best = int(np.minimum(inside, np.arange(1, b - a + 1)).max())
    return min(best, MAX_RUN)


def ventricular_run_stats(ref: RunAnnotator, test: RunAnnotator, window: int, start: int = 0) -> RunCounts:
    """Compare ventricular runs as ``rxr`` does.

    Parameters
    ----------
    ref, test : RunAnnotator
        Beats, ventricular flags, VF intervals and run breaks of each annotator.
    window : int
        Match window in samples (0.150 s in EC57).
    start : int
        End of the learning period in samples: only runs starting here or later are counted.

    Returns
    -------
    RunCounts
    """
    ref_streak, test_streak = ref.streaks(), test.streaks()
    se = np.zeros((7, 7), dtype=np.int64)
    pp = np.zeros((7, 7), dtype=np.int64)
    for lo, hi, length in _runs(ref, ref_streak, start, window):
        se[length, _longest(test, test_streak, lo, hi)] += 1
    for lo, hi, length in _runs(test, test_streak, start, window):
        pp[_longest(ref, ref_streak, lo, hi), length] += 1
    return RunCounts(se, pp)
