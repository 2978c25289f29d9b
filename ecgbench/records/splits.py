"""Fixed splits of the MIT-BIH records for the beat and rhythm tracks, and their checks.

Beat track (the 44 non-paced records):

- ``ds1`` / ``ds2``: the inter-patient split of de Chazal et al. (2004) (:data:`DS1`, :data:`DS2`).
- ``ds1_train`` / ``ds1_val``: a record-disjoint split of DS1 for model selection, so DS2 is
  never touched before the final test. :data:`DS1_VAL` was chosen from DS1's per-record class
  counts only (never DS2's) so that every AAMI class is present on both sides: Q has 8 beats in
  DS1, in records 101 (2), 203 (4) and 208 (2); F is mostly in 208 (373 of 415). DS1_VAL holds 101
  (Q), 118 (S), 205 (F, V) and 223 (S, V, F): about 18 % of DS1's beats.
- ``intra_train`` / ``intra_test``: a random beat-level 80/20 split of all beats of the 44 records,
  stratified by AAMI class with a fixed seed. The same patients appear on both sides, so scores on
  it are optimistic (leaky); it exists only to compare with the many papers that use it.

Rhythm track (all 48 records, paced ones included; records 201 and 202 are one subject and stay
together): :data:`RHYTHM_TRAIN`, :data:`RHYTHM_VAL`, :data:`RHYTHM_TEST`, chosen from the records'
annotated rhythm durations so that atrial fibrillation (AFIB) and ventricular tachycardia (VT)
occur in all three at the default 10-s windows. VT is rare in MIT-BIH: only records 203, 205 and
223 hold a VT episode covering half of a 10-s window, so each split gets one of them; with 30-s
windows VT survives only in 223 (train). VFL occurs only in record 207 (train).

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.records.lists import BEAT_RECORDS, DS1, DS2, MITDB_RECORDS, subject_of

#: DS1 records held out for validation (model selection) on the beat track.
DS1_VAL: tuple[str, ...] = ("101", "118", "205", "223")
#: The rest of DS1, for training.
DS1_TRAIN: tuple[str, ...] = tuple(r for r in DS1 if r not in DS1_VAL)

#: Seed and test fraction of the intra-patient (leaky) beat split.
INTRA_SEED = 20040701
INTRA_TEST_FRACTION = 0.2

#: Rhythm-track test records (AFIB 203 210, AFL 203, VT 203 (+200 210 214 at 4 s), B, T, P, SVTA, BII).
RHYTHM_TEST: tuple[str, ...] = ("100", "104", "113", "200", "203", "208", "210", "214", "231", "234")
#: Rhythm-track validation records (AFIB 201 202 221, AFL 202, VT 205, P, SVTA, B, PREX).
RHYTHM_VAL: tuple[str, ...] = ("105", "107", "112", "201", "202", "205", "209", "221", "230", "233")
#: Rhythm-track training records: every other MIT-BIH record.
RHYTHM_TRAIN: tuple[str, ...] = tuple(r for r in MITDB_RECORDS if r not in RHYTHM_TEST + RHYTHM_VAL)

#: Record lists of the beat splits defined by records (the intra-patient split is by beat).
BEAT_SPLIT_RECORDS: dict[str, tuple[str, ...]] = {
    "ds1": DS1,
    "ds2": DS2,
    "ds1_train": DS1_TRAIN,
    "ds1_val": DS1_VAL,
}
#: Splits of the intra-patient track, both drawn from :data:`BEAT_RECORDS`.
INTRA_SPLITS: tuple[str, ...] = ("intra_train", "intra_test")
#: Record lists of the rhythm splits.
RHYTHM_SPLIT_RECORDS: dict[str, tuple[str, ...]] = {
    "train": RHYTHM_TRAIN,
    "val": RHYTHM_VAL,
    "test": RHYTHM_TEST,
}


def intra_patient_test_mask(
    labels: np.ndarray,
    test_fraction: float = INTRA_TEST_FRACTION,
    seed: int = INTRA_SEED,
) -> np.ndarray:
    """Return a boolean mask choosing the test beats of the intra-patient split.

    Within each class, ``round(test_fraction * n_class)`` beats are drawn without replacement by a
    ``numpy.random.Generator`` seeded with ``seed``; the result depends only on the order of
    ``labels``, so callers pass beats in a fixed order (records in :data:`BEAT_RECORDS` order,
    beats in time order).

    Parameters
    ----------
    labels : numpy.ndarray
        Class label of every beat (any hashable dtype), in a fixed order.
    test_fraction : float
        Share of each class that goes to the test side, in (0, 1).
    seed : int
        Seed of the generator.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ConfigError(f"test_fraction must be in (0, 1), got {test_fraction}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    mask = np.zeros(labels.size, dtype=bool)
    for value in np.unique(labels):  # sorted, so the draw order is fixed
        members = np.flatnonzero(labels == value)
        n_test = int(round(test_fraction * members.size))
        mask[rng.choice(members, size=n_test, replace=False)] = True
    return mask


def check_record_disjoint(splits: Mapping[str, Iterable[str]], by_subject: bool = True) -> None:
    """Raise ``ConfigError`` if two splits share a record (or, with ``by_subject``, a subject).

    Parameters
    ----------
    splits : mapping of split name to records
    by_subject : bool
        Also treat records of one subject (201 and 202) as the same.
    """
    owner: dict[str, str] = {}
    for split, records in splits.items():
        for record in records:
            key = subject_of(record) if by_subject else record
            if key in owner and owner[key] != split:
                what = f"subject of record {record}" if by_subject else f"record {record}"
                raise ConfigError(f"splits {owner[key]!r} and {split!r} share the {what}")
            owner[key] = split


def check_split_definitions() -> None:
    """Check the fixed lists: beat splits cover the 44 records, rhythm splits all 48, all disjoint."""
    # de Chazal's DS1/DS2 put 201 and 202 (one subject) on opposite sides: record-disjoint only.
    check_record_disjoint({"ds1_train": DS1_TRAIN, "ds1_val": DS1_VAL, "ds2": DS2}, by_subject=False)
    check_record_disjoint(RHYTHM_SPLIT_RECORDS)
    if sorted(DS1_TRAIN + DS1_VAL) != sorted(DS1) or sorted(DS1 + DS2) != sorted(BEAT_RECORDS):
        raise ConfigError("beat split lists do not partition the 44 non-paced records")
    if sorted(RHYTHM_TRAIN + RHYTHM_VAL + RHYTHM_TEST) != sorted(MITDB_RECORDS):
        raise ConfigError("rhythm split lists do not partition the 48 MIT-BIH records")
