"""MIT-BIH record lists, the de Chazal inter-patient split and subject groups.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng Med Biol 20(3):45-50 (2001).
"""

from __future__ import annotations

#: All 48 MIT-BIH Arrhythmia Database records, as listed in its RECORDS file.
MITDB_RECORDS: tuple[str, ...] = (
    "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "111", "112",
    "113", "114", "115", "116", "117", "118", "119", "121", "122", "123", "124", "200",
    "201", "202", "203", "205", "207", "208", "209", "210", "212", "213", "214", "215",
    "217", "219", "220", "221", "222", "223", "228", "230", "231", "232", "233", "234",
)  # fmt: skip

#: Records with paced beats, left out of beat splits and EC57 beat statistics.
PACED_RECORDS: tuple[str, ...] = ("102", "104", "107", "217")

#: de Chazal et al. (2004) training set.
DS1: tuple[str, ...] = (
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124",
    "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
)  # fmt: skip

#: de Chazal et al. (2004) test set. Never used for training or model selection.
DS2: tuple[str, ...] = (
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210", "212",
    "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
)  # fmt: skip

#: The 44 non-paced records (DS1 + DS2), used by the intra-patient track.
BEAT_RECORDS: tuple[str, ...] = tuple(sorted(DS1 + DS2))

#: Records that come from the same subject; every other record is its own subject.
SHARED_SUBJECTS: tuple[tuple[str, ...], ...] = (("201", "202"),)


def subject_of(record: str) -> str:
    """Return a subject id for a record: the first record of its subject group.

    Records 201 and 202 come from one subject, so both map to ``"201"``; any other record maps to
    itself. Splits that must be subject-disjoint group records by this id.
    """
    for group in SHARED_SUBJECTS:
        if record in group:
            return group[0]
    return record


def check_records(records: list[str] | tuple[str, ...], known: tuple[str, ...] = MITDB_RECORDS) -> None:
    """Raise ``ValueError`` naming any record that is not in ``known``."""
    unknown = [r for r in records if r not in known]
    if unknown:
        raise ValueError(f"unknown MIT-BIH record(s) {', '.join(unknown)}; valid records: {' '.join(known)}")


#: Named record sets accepted by :func:`parse_record_list`.
RECORD_SETS: dict[str, tuple[str, ...]] = {"ALL": MITDB_RECORDS, "DS1": DS1, "DS2": DS2}


def parse_record_list(spec: str) -> list[str]:
    """Expand a record list: comma-separated record names and set names (``ALL``, ``DS1``, ``DS2``).

    Raises ``ValueError`` naming any unknown record (:func:`check_records`) or an empty list.
    """
    names: list[str] = []
    for part in (p.strip() for p in str(spec).split(",")):
        if part:
            names += list(RECORD_SETS.get(part.upper(), (part,)))
    if not names:
        raise ValueError(f"empty record list {spec!r}; give record names or one of {', '.join(RECORD_SETS)}")
    check_records(names)
    return names


#: The 78 records of the MIT-BIH Supraventricular Arrhythmia Database (svdb), as in its RECORDS file.
SVDB_RECORDS: tuple[str, ...] = tuple(
    str(n) for n in (*range(800, 813), *range(820, 830), *range(840, 895))
)
#: The 22 records of the MIT-BIH Malignant Ventricular Ectopy Database (vfdb), as in its RECORDS file.
VFDB_RECORDS: tuple[str, ...] = (
    "418", "419", "420", "421", "422", "423", "424", "425", "426", "427", "428", "429", "430",
    "602", "605", "607", "609", "610", "611", "612", "614", "615",
)  # fmt: skip
#: Record lists by PhysioNet database name.
DATABASE_RECORDS: dict[str, tuple[str, ...]] = {"mitdb": MITDB_RECORDS, "svdb": SVDB_RECORDS, "vfdb": VFDB_RECORDS}
