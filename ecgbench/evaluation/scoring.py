"""Score folders of WFDB annotation files against reference annotations (what ``bxb`` does per record).

Records default to every record with both a reference and a test annotation file. Records with
only one of the two are reported by :func:`find_records` so the caller can say so; an explicit
record list whose files are missing is an error. The record length (end of the last AF episode)
comes from the reference header ``<record>.hea`` when present.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ecgbench.beam.records import map_records
from ecgbench.errors import DataNotFoundError
from ecgbench.evaluation.ec57 import DEFAULT_WINDOW, RecordComparison, compare_annotations
from ecgbench.evaluation.result import EC57Result, score_records
from ecgbench.records.io import read_annotations


def _records_with(directory: Path, extension: str) -> set[str]:
    return {p.name[: -len(extension) - 1] for p in directory.glob(f"*.{extension}") if p.is_file()}


def find_records(
    ref_dir: str | os.PathLike, ref_ann: str, test_dir: str | os.PathLike, test_ann: str
) -> tuple[list[str], list[str], list[str]]:
    """Return (records with both files, records with only a reference file, only a test file).

    Raises
    ------
    DataNotFoundError
        A folder is missing, or no record has both files.
    """
    ref_dir, test_dir = Path(ref_dir), Path(test_dir)
    for folder in (ref_dir, test_dir):
        if not folder.is_dir():
            raise DataNotFoundError(f"annotation folder {folder} not found")
    ref, test = _records_with(ref_dir, ref_ann), _records_with(test_dir, test_ann)
    both = sorted(ref & test)
    if not both:
        raise DataNotFoundError(
            f"no record has both a reference file {ref_dir}/<record>.{ref_ann} ({len(ref)} found) and a test "
            f"file {test_dir}/<record>.{test_ann} ({len(test)} found); check the folders and extensions"
        )
    return both, sorted(ref - test), sorted(test - ref)


def _record_length(ref_dir: Path, record: str) -> int | None:
    header = ref_dir / f"{record}.hea"
    if not header.is_file():
        return None
    import wfdb

    try:
        return int(wfdb.rdheader(str(ref_dir / record)).sig_len or 0) or None
    except Exception:  # a malformed header only costs us the record length; annotations still score
        return None


def compare_folders(
    ref_dir: str | os.PathLike,
    ref_ann: str,
    test_dir: str | os.PathLike,
    test_ann: str,
    records: Sequence[str] | None = None,
    window: float = DEFAULT_WINDOW,
    learning_period: float = 0.0,
    on_record: Callable[[str], None] | None = None,
    runner: str = "local",
    beam_options: str | None = None,
    **options,
) -> list[RecordComparison]:
    """Compare every record's test annotations with its reference annotations.

    Parameters
    ----------
    ref_dir, test_dir : path-like
        Folders of the reference and test annotation files.
    ref_ann, test_ann : str
        Annotator extensions, e.g. ``"atr"`` and ``"qrs"``.
    records : sequence of str, optional
        Records to compare; default every record with both files.
    window, learning_period : float
        Seconds (see :func:`ecgbench.evaluation.compare_record`).
    on_record : callable, optional
        Called with each record name after it is compared (progress bars).
    runner, beam_options : str
        Where the records are compared: ``"local"`` (this process) or ``"beam"`` (one Beam element
        per record, :func:`ecgbench.beam.map_records`; the folders must be readable by the workers).
    **options
        Passed to :func:`ecgbench.evaluation.compare_annotations` (``rescale``, ``fs``,
        ``class_map``, ``exclude_shutdown``, ``method``, ``af_exclude_flutter``).

    Raises
    ------
    DataNotFoundError
        A requested record lacks one of its files (the message lists them all).
    """
    ref_dir, test_dir = Path(ref_dir), Path(test_dir)
    if records is None:
        records, _, _ = find_records(ref_dir, ref_ann, test_dir, test_ann)
    else:
        records = list(records)
        missing = [
            str(folder / f"{r}.{ext}")
            for r in records
            for folder, ext in ((ref_dir, ref_ann), (test_dir, test_ann))
            if not (folder / f"{r}.{ext}").is_file()
        ]
        if missing:
            raise DataNotFoundError(
                f"annotation file(s) missing for the requested records: {', '.join(missing)}; "
                "drop those records from --records or add the files"
            )
    compare = functools.partial(_compare_record_files, ref_dir=ref_dir, ref_ann=ref_ann, test_dir=test_dir, test_ann=test_ann,
                                window=window, learning_period=learning_period, options=options)  # fmt: skip
    return map_records(compare, records, runner, beam_options, on_result=on_record)


def _compare_record_files(record: str, ref_dir: Path, ref_ann: str, test_dir: Path, test_ann: str, window: float,
                          learning_period: float, options: dict) -> RecordComparison:  # fmt: skip
    """Read one record's reference and test annotations and compare them (the per-record step of :func:`compare_folders`)."""
    ref = read_annotations(record, ref_dir, ref_ann)
    test = read_annotations(record, test_dir, test_ann)
    return compare_annotations(ref, test, window, learning_period, n_samples=_record_length(ref_dir, record), **options)


def shorter_than_learning_period(comparisons: Sequence[RecordComparison], ref_dir: str | os.PathLike,
                                 ref_ann: str = "atr") -> dict[str, float]:  # fmt: skip
    """Return record → length (s) of each compared record that ends within its learning period.

    No beat of such a record is scored (bxb's 300-s default skips the first 5 minutes), so its
    figures are undefined; callers warn about them. The length is the header's signal length, or
    (no header) the last reference annotation's position.
    """
    short: dict[str, float] = {}
    for comparison in comparisons:
        if comparison.learning_period <= 0:
            continue
        n_samples = _record_length(Path(ref_dir), comparison.record)
        if n_samples is None:
            reference = read_annotations(comparison.record, ref_dir, ref_ann).sample
            n_samples = int(reference.max()) + 1 if len(reference) else 0
        length_s = n_samples / comparison.fs
        if length_s <= comparison.learning_period:
            short[comparison.record] = length_s
    return short


def score_folders(*args, exclude_paced: bool = True, **kwargs) -> EC57Result:
    """:func:`compare_folders` followed by :func:`ecgbench.evaluation.score_records`."""
    return score_records(compare_folders(*args, **kwargs), exclude_paced=exclude_paced)
