"""Read WFDB records and annotation files into plain NumPy containers.

wfdb does the parsing; this module adds what a benchmark needs on top: physical units (mV) as
float32, a check that the signal file holds every sample its header promises (wfdb silently reads
a truncated ``.dat``), errors that name the missing or broken file, and ``aux_note`` strings
without the trailing NUL byte that wfdb leaves on MIT-BIH rhythm notes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import wfdb

from ecgbench.errors import CorruptDataError, DataNotFoundError


@dataclass(frozen=True)
class Record:
    """One WFDB record in physical units.

    Attributes
    ----------
    name : str
        Record name, e.g. ``"100"``.
    signal : numpy.ndarray
        Samples × leads, float32, in the units of ``units`` (mV for MIT-BIH).
    fs : float
        Sampling frequency in Hz.
    lead_names : tuple of str
        Lead (signal) names from the header, e.g. ``("MLII", "V5")``.
    units : tuple of str
        Physical unit of each lead.
    """

    name: str
    signal: np.ndarray
    fs: float
    lead_names: tuple[str, ...]
    units: tuple[str, ...]

    @property
    def n_samples(self) -> int:
        """Number of samples per lead."""
        return int(self.signal.shape[0])

    @property
    def duration(self) -> float:
        """Duration in seconds."""
        return self.n_samples / self.fs

    def lead(self, name: str) -> np.ndarray:
        """Return one lead by name as a 1-D float32 array; ``KeyError`` lists the leads present."""
        if name not in self.lead_names:
            raise KeyError(f"record {self.name} has no lead {name!r}; leads: {', '.join(self.lead_names)}")
        return self.signal[:, self.lead_names.index(name)]


@dataclass(frozen=True)
class Annotations:
    """One WFDB annotation file.

    Attributes
    ----------
    record : str
        Record name.
    extension : str
        Annotator extension, e.g. ``"atr"``.
    sample : numpy.ndarray
        Annotation positions in samples (int64), sorted.
    symbol : numpy.ndarray
        Annotation symbols (dtype ``<U2``), one per position.
    aux_note : tuple of str
        Auxiliary notes, trailing NUL bytes removed (``"(AFIB"``, ``"U"``, ``""`` …).
    subtype, chan, num : numpy.ndarray
        The WFDB ``subtyp``, ``chan`` and ``num`` fields (int64).
    fs : float
        Sampling frequency in Hz that ``sample`` refers to.
    """

    record: str
    extension: str
    sample: np.ndarray
    symbol: np.ndarray
    aux_note: tuple[str, ...]
    fs: float
    subtype: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    chan: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    num: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return int(self.sample.size)


def _record_path(record: str, directory: str | os.PathLike | None) -> Path:
    return Path(directory) / record if directory is not None else Path(record)


def read_record(
    record: str,
    directory: str | os.PathLike | None = None,
    *,
    sampfrom: int = 0,
    sampto: int | None = None,
) -> Record:
    """Read a WFDB record (``.hea`` + signal files) in physical units.

    Parameters
    ----------
    record : str
        Record name (``"100"``), or a path without extension when ``directory`` is None.
    directory : path-like, optional
        Folder holding the record's files.
    sampfrom, sampto : int, optional
        First sample and one past the last sample to read (samples); default the whole record.

    Returns
    -------
    Record

    Raises
    ------
    DataNotFoundError
        The header or a signal file is missing.
    CorruptDataError
        The signal file is shorter than the header says, or wfdb cannot parse the record.
    """
    path = _record_path(record, directory)
    header = path.with_name(path.name + ".hea")
    if not header.is_file():
        raise DataNotFoundError(
            f"WFDB header {header} not found; put the record's .hea/.dat/.atr files in "
            f"{path.parent} or pass the folder that holds them (--data-dir / --manual-dir)"
        )
    try:
        head = wfdb.rdheader(str(path))
    except Exception as exc:  # wfdb raises bare ValueError/IndexError on malformed headers
        raise CorruptDataError(f"cannot parse WFDB header {header}: {exc}") from exc
    for file_name in sorted(set(head.file_name or [])):
        dat = path.parent / file_name
        if not dat.is_file():
            raise DataNotFoundError(f"signal file {dat} named by {header} not found")
    _check_signal_length(head, path.parent, header)
    try:
        rec = wfdb.rdrecord(str(path), sampfrom=sampfrom, sampto=sampto)
    except Exception as exc:
        raise CorruptDataError(f"cannot read WFDB record {path}: {exc}") from exc
    return Record(
        name=path.name,
        signal=np.asarray(rec.p_signal, dtype=np.float32),
        fs=float(rec.fs),
        lead_names=tuple(rec.sig_name),
        units=tuple(rec.units),
    )


_BYTES_PER_SAMPLE = {"212": 1.5, "16": 2, "80": 1, "310": 4 / 3, "311": 4 / 3, "24": 3, "32": 4, "61": 2, "8": 1}


def _check_signal_length(head: wfdb.Record, folder: Path, header: Path) -> None:
    """Raise ``CorruptDataError`` if a signal file holds fewer samples than the header declares.

    wfdb pads or silently shortens a truncated file, so the check is ours.
    """
    if not head.sig_len or not head.file_name:
        return
    needed: dict[str, float] = {}
    for file_name, fmt, offset in zip(head.file_name, head.fmt, head.byte_offset or [None] * len(head.fmt)):
        per_sample = _BYTES_PER_SAMPLE.get(str(fmt))
        if per_sample is None:
            return  # unusual format: let wfdb judge
        needed[file_name] = needed.get(file_name, float(offset or 0)) + per_sample * head.sig_len
    for file_name, n_bytes in needed.items():
        size = (folder / file_name).stat().st_size
        if size < int(n_bytes):
            raise CorruptDataError(
                f"signal file {folder / file_name} is truncated: {size} bytes, but {header.name} declares "
                f"{head.sig_len} samples needing {int(n_bytes)} bytes; download the file again"
            )


def read_annotations(
    record: str,
    directory: str | os.PathLike | None = None,
    extension: str = "atr",
) -> Annotations:
    """Read a WFDB annotation file.

    Parameters
    ----------
    record : str
        Record name, or a path without extension when ``directory`` is None.
    directory : path-like, optional
        Folder holding the annotation file.
    extension : str
        Annotator name (file extension), default ``"atr"``.

    Raises
    ------
    DataNotFoundError
        The annotation file is missing.
    CorruptDataError
        The file is empty (0 bytes) or wfdb cannot parse it.
    """
    path = _record_path(record, directory)
    file = path.with_name(f"{path.name}.{extension}")
    if not file.is_file():
        raise DataNotFoundError(f"annotation file {file} not found")
    if file.stat().st_size == 0:  # even an annotation file without annotations holds its end marker
        raise CorruptDataError(
            f"annotation file {file} is empty (0 bytes): not a WFDB annotation file, perhaps an interrupted write; "
            "write it again (an annotator with no beats still writes its 2-byte end marker)"
        )
    try:
        ann = wfdb.rdann(str(path), extension)
    except Exception as exc:
        raise CorruptDataError(f"cannot read annotation file {file}: {exc}") from exc
    n = len(ann.sample)
    aux = tuple((a or "").rstrip("\x00") for a in (ann.aux_note or [""] * n))

    def ints(values: object) -> np.ndarray:
        arr = np.asarray(values if values is not None else np.zeros(n), dtype=np.int64)
        return arr if arr.shape == (n,) else np.zeros(n, np.int64)

    return Annotations(
        record=path.name,
        extension=extension,
        sample=np.asarray(ann.sample, dtype=np.int64),
        symbol=np.asarray(ann.symbol, dtype="<U2") if n else np.zeros(0, "<U2"),
        aux_note=aux,
        fs=float(ann.fs) if ann.fs else float("nan"),
        subtype=ints(ann.subtype),
        chan=ints(ann.chan),
        num=ints(ann.num),
    )


def write_annotations(
    record: str,
    extension: str,
    sample: np.ndarray,
    symbol: list[str] | np.ndarray,
    fs: float,
    directory: str | os.PathLike,
    aux_note: list[str] | None = None,
) -> Path:
    """Write a WFDB annotation file ``<directory>/<record>.<extension>`` and return its path.

    Parameters
    ----------
    sample : numpy.ndarray
        Positions in samples, non-decreasing.
    symbol : sequence of str
        One WFDB symbol per position.
    fs : float
        Sampling frequency in Hz, stored in the file so scorers can check it.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sample = np.asarray(sample, dtype=np.int64)
    symbols = [str(s) for s in symbol]
    if sample.size == 0:
        # wfdb refuses to write an empty annotation file; write a valid one with only the EOF marker.
        out = directory / f"{record}.{extension}"
        out.write_bytes(b"\x00\x00")
        return out
    wfdb.wrann(
        record,
        extension,
        sample,
        symbol=symbols,
        aux_note=aux_note,
        fs=fs,
        write_dir=str(directory),
    )
    return directory / f"{record}.{extension}"
