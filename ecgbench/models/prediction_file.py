"""Prediction files: a submission made of predictions only (any framework), read and checked strictly.

A prediction file maps each test example's key, ``(record, sample)`` for beats or
``(record, start)`` for rhythm windows, to class probabilities or to one predicted class. Two
forms (the full description is in ``leaderboards/SUBMITTING.md``):

``.npz`` (``numpy.savez``)
    ``record`` (str), ``sample`` (int, samples), and either ``probabilities`` (float ``[n, K]``,
    columns in the task's class order) or ``prediction`` (the class index ``0..K-1`` or its name).
    Optional: ``classes`` (the K class names, checked against the task's order) and ``label``
    (the reference classes, as the runner's own prediction files carry them; checked against the
    dataset).
``.csv``
    A header ``record,sample,<class 1>,...,<class K>`` (probabilities) or ``record,sample,prediction``.

Every problem is refused with a :class:`~ecgbench.models.SubmissionError` naming the file, the
first offending key, array or line, and the fix. Nothing is scored from a file that fails.
"""

from __future__ import annotations

import csv
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgbench.models.errors import SubmissionError

#: File suffixes read as prediction files.
PREDICTION_SUFFIXES: tuple[str, ...] = (".npz", ".csv")
#: Largest accepted ``|sum of a row of probabilities - 1|``: float32 softmax outputs and CSV values
#: rounded to 4 decimals stay well inside it.
ROW_SUM_TOLERANCE = 1e-3
#: Position key → the name the runner's own prediction files use for it (rhythm windows store
#: their ``start`` as ``sample``), accepted so a run's file can be resubmitted as is.
POSITION_ALIASES: dict[str, str] = {"start": "sample"}
PROBABILITIES = "probabilities"
PREDICTION = "prediction"
CLASSES = "classes"
LABEL = "label"


@dataclass(frozen=True)
class SubmittedPredictions:
    """Checked prediction arrays, in the submitter's row order.

    Attributes
    ----------
    record : numpy.ndarray
        ``[n]`` record names (str).
    position : numpy.ndarray
        ``[n]`` example positions (samples, int64): R peaks or window starts.
    probabilities : numpy.ndarray
        ``[n, K]`` float32; one-hot rows when the file gave predicted classes.
    label : numpy.ndarray or None
        ``[n]`` reference classes when the file carried them (checked by :func:`align_predictions`).
    form : str
        ``"probabilities"`` or ``"prediction"`` (what the file gave).
    """

    record: np.ndarray
    position: np.ndarray
    probabilities: np.ndarray
    label: np.ndarray | None
    form: str


def _fail(source: str, problem: str) -> SubmissionError:
    return SubmissionError(source, problem)


def _key(record: np.ndarray, position: np.ndarray, i: int, position_key: str) -> str:
    return f"record {record[i]} {position_key} {int(position[i])}"


def check_prediction_arrays(
    arrays: Mapping[str, object], class_names: Sequence[str], position_key: str = "sample", source: str = "predictions"
) -> SubmittedPredictions:
    """Check named prediction arrays (the content of an ``.npz``, or a dict given to the Evaluator).

    Parameters
    ----------
    arrays : mapping
        ``record``, ``position_key`` and ``probabilities`` or ``prediction``; optionally
        ``classes`` and ``label``.
    class_names : sequence of str
        The task's classes in column order.
    position_key : {"sample", "start"}
        Name of the position array.
    source : str
        What to name in errors (the file).

    Raises
    ------
    SubmissionError
        An unknown or missing array, a wrong dtype or shape, the wrong class count or order,
        NaN/inf, a probability outside [0, 1] or a row not summing to 1 within
        :data:`ROW_SUM_TOLERANCE`.
    """
    classes = tuple(class_names)
    if position_key in POSITION_ALIASES and POSITION_ALIASES[position_key] in arrays and position_key not in arrays:
        arrays = {(position_key if name == POSITION_ALIASES[position_key] else name): value for name, value in arrays.items()}
    allowed = ("record", position_key, PROBABILITIES, PREDICTION, CLASSES, LABEL)
    unknown = [name for name in arrays if name not in allowed]
    if unknown:
        raise _fail(source, f"unknown array {unknown[0]!r}; a prediction file holds only {', '.join(allowed)}")
    for name in ("record", position_key):
        if name not in arrays:
            raise _fail(source, f"array {name!r} is missing; every row needs its key (record, {position_key})")
    given = [name for name in (PROBABILITIES, PREDICTION) if name in arrays]
    if len(given) != 1:
        raise _fail(source, f"give exactly one of {PROBABILITIES!r} ([n, {len(classes)}] floats) or {PREDICTION!r} (one class per row); found {given or 'neither'}")
    record = np.asarray(arrays["record"])
    if record.ndim != 1 or record.dtype.kind not in "US":
        raise _fail(source, f"array 'record' has dtype {record.dtype} and shape {record.shape}; store record names as a 1-D string array, e.g. np.array(['100', '101'])")
    record = record.astype(str)
    position = np.asarray(arrays[position_key])
    if position.ndim != 1 or position.dtype.kind not in "iu":
        raise _fail(source, f"array {position_key!r} has dtype {position.dtype} and shape {position.shape}; store positions as 1-D integers (samples at the task's rate)")
    n = record.size
    if n == 0:
        raise _fail(source, "the file holds no predictions")
    if position.size != n:
        raise _fail(source, f"array {position_key!r} has {position.size} rows but 'record' has {n}; one row per example")
    if CLASSES in arrays:
        declared = tuple(np.asarray(arrays[CLASSES]).astype(str).tolist())
        if declared != classes:
            raise _fail(source, f"array 'classes' is {', '.join(declared)}; this task's class order is {', '.join(classes)}: reorder the columns")
    label = None
    if LABEL in arrays:
        label = np.asarray(arrays[LABEL])
        if label.shape != (n,) or label.dtype.kind not in "iu":
            raise _fail(source, f"array 'label' has dtype {label.dtype} and shape {label.shape}; it is the reference class index per row (int, [n]); remove it or fix it")
        label = label.astype(np.int64)
    if PROBABILITIES in arrays:
        probabilities = _checked_probabilities(np.asarray(arrays[PROBABILITIES]), record, position, classes, position_key, source)
        form = PROBABILITIES
    else:
        probabilities = _one_hot(np.asarray(arrays[PREDICTION]), record, position, classes, position_key, source)
        form = PREDICTION
    return SubmittedPredictions(record, position.astype(np.int64), probabilities, label, form)


def _checked_probabilities(values, record, position, classes, position_key, source) -> np.ndarray:
    n, k = record.size, len(classes)
    if values.dtype.kind != "f":
        raise _fail(source, f"array 'probabilities' has dtype {values.dtype}; store floats (float32 or float64)")
    if values.ndim != 2 or values.shape[0] != n:
        raise _fail(source, f"array 'probabilities' has shape {values.shape}; expected [{n}, {k}] (one row per key)")
    if values.shape[1] != k:
        raise _fail(source, f"array 'probabilities' has {values.shape[1]} columns; this task has {k} classes, in the order {', '.join(classes)}")
    finite = np.isfinite(values).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise _fail(source, f"probabilities of {_key(record, position, i, position_key)} are {values[i].tolist()}: NaN or inf; every value must be finite")
    inside = ((values >= 0) & (values <= 1)).all(axis=1)
    if not inside.all():
        i = int(np.argmin(inside))
        raise _fail(source, f"probabilities of {_key(record, position, i, position_key)} are {values[i].tolist()}: each must lie in [0, 1]")
    sums = values.astype(np.float64).sum(axis=1)
    off = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if off.any():
        i = int(np.argmax(off))
        raise _fail(source, f"probabilities of {_key(record, position, i, position_key)} sum to {sums[i]:.6g}; each row must sum to 1 (within {ROW_SUM_TOLERANCE:g}): apply a softmax or normalise the rows")
    return values.astype(np.float32)


def _one_hot(values, record, position, classes, position_key, source) -> np.ndarray:
    n, k = record.size, len(classes)
    if values.shape != (n,):
        raise _fail(source, f"array 'prediction' has shape {values.shape}; expected [{n}] (one class per key)")
    if values.dtype.kind in "US":
        names = values.astype(str)
        lookup = {name: i for i, name in enumerate(classes)}
        bad = [i for i, name in enumerate(names) if name not in lookup]
        if bad:
            i = bad[0]
            raise _fail(source, f"prediction of {_key(record, position, i, position_key)} is {str(names[i])!r}; valid classes: {', '.join(classes)}")
        index = np.array([lookup[name] for name in names], np.int64)
    elif values.dtype.kind in "iu":
        index = values.astype(np.int64)
        bad = np.flatnonzero((index < 0) | (index >= k))
        if bad.size:
            i = int(bad[0])
            raise _fail(source, f"prediction of {_key(record, position, i, position_key)} is {index[i]}; class indices are 0..{k - 1} ({', '.join(classes)})")
    else:
        raise _fail(source, f"array 'prediction' has dtype {values.dtype}; give class indices (int 0..{k - 1}) or class names ({', '.join(classes)})")
    probabilities = np.zeros((n, k), np.float32)
    probabilities[np.arange(n), index] = 1.0
    return probabilities


def align_predictions(
    predictions: SubmittedPredictions,
    record: np.ndarray,
    position: np.ndarray,
    label: np.ndarray,
    *,
    position_key: str = "sample",
    split: str = "test",
    source: str = "predictions",
) -> np.ndarray:
    """Return the submitted probabilities in the order of the reference examples.

    Parameters
    ----------
    predictions : SubmittedPredictions
        Checked arrays (:func:`check_prediction_arrays`).
    record, position, label : numpy.ndarray
        The reference split's keys and classes, in dataset order.
    position_key, split, source : str
        Names used in error messages.

    Raises
    ------
    SubmissionError
        A duplicate key, a key not in the split, a key of the split without a prediction, or a
        ``label`` array that differs from the dataset's classes.
    """
    reference = {(r, int(p)): i for i, (r, p) in enumerate(zip(np.asarray(record).astype(str).tolist(), np.asarray(position).tolist(), strict=True))}
    order = np.empty(predictions.record.size, np.int64)
    seen: set[tuple[str, int]] = set()
    for row, key in enumerate(zip(predictions.record.tolist(), predictions.position.tolist(), strict=True)):
        if key in seen:
            raise _fail(source, f"record {key[0]} {position_key} {key[1]} appears twice; give one row per example")
        seen.add(key)
        index = reference.get(key)
        if index is None:
            raise _fail(source, f"record {key[0]} {position_key} {key[1]} is not an example of split {split}; predict exactly the examples of ecgbench.load(task, 'test')")
        order[row] = index
    if len(seen) != len(reference):
        missing = next(key for key in reference if key not in seen)
        raise _fail(source, f"record {missing[0]} {position_key} {missing[1]} of split {split} has no prediction ({len(reference) - len(seen)} missing); predict every example of ecgbench.load(task, 'test')")
    if predictions.label is not None:
        expected = np.asarray(label, np.int64)[order]
        wrong = np.flatnonzero(predictions.label != expected)
        if wrong.size:
            i = int(wrong[0])
            raise _fail(source, f"array 'label' says {predictions.label[i]} for {_key(predictions.record, predictions.position, i, position_key)}, the dataset says {expected[i]}; "
                        "'label' holds the reference classes: drop it, and give your predicted classes as 'prediction'")  # fmt: skip
    aligned = np.empty_like(predictions.probabilities)
    aligned[order] = predictions.probabilities
    return aligned


def read_prediction_file(path: str | os.PathLike, class_names: Sequence[str], position_key: str = "sample") -> SubmittedPredictions:
    """Read and check a prediction file (``.npz`` or ``.csv``; see the module docstring).

    Raises
    ------
    SubmissionError
        The file is missing, unreadable, of another type, or fails :func:`check_prediction_arrays`.
    """
    path = Path(path)
    source = str(path)
    if path.suffix.lower() not in PREDICTION_SUFFIXES:
        raise _fail(source, f"a prediction file ends in {' or '.join(PREDICTION_SUFFIXES)}; got {path.suffix or 'no suffix'}")
    if not path.is_file():
        raise _fail(source, "file not found; give the path of your .npz or .csv prediction file")
    if path.suffix.lower() == ".npz":
        arrays = _read_npz(path, source)
    else:
        arrays = _read_csv(path, tuple(class_names), position_key, source)
    return check_prediction_arrays(arrays, class_names, position_key, source)


def _read_npz(path: Path, source: str) -> dict[str, np.ndarray]:
    if not zipfile.is_zipfile(path):
        raise _fail(source, "not a readable .npz file (not a zip archive); write it with numpy.savez")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except ValueError as exc:  # object arrays (pickles) are refused
        raise _fail(source, f"cannot read an array ({exc}); store strings as fixed-width arrays, e.g. np.array(names, dtype=str), not dtype=object") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise _fail(source, f"not a readable .npz file ({type(exc).__name__}: {exc}); write it with numpy.savez") from None


def _read_csv(path: Path, classes: tuple[str, ...], position_key: str, source: str) -> dict[str, np.ndarray]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _fail(source, f"not a readable UTF-8 CSV file ({type(exc).__name__}: {exc})") from None
    if not rows:
        raise _fail(source, f"the file is empty; the first line is the header record,{position_key},{','.join(classes)}")
    header = [name.strip() for name in rows[0]]
    expected = ["record", position_key, *classes]
    if header[:2] != ["record", position_key]:
        raise _fail(source, f"header starts with {','.join(header[:2])}; it must start with record,{position_key}")
    values = header[2:]
    if values != [PREDICTION] and values != list(classes):
        if sorted(values) == sorted(classes):
            raise _fail(source, f"class columns are in the order {','.join(values)}; this task's order is {','.join(classes)}: reorder the columns")
        raise _fail(source, f"header has class columns {','.join(values) or 'none'}; expected {','.join(expected)} (probabilities) or record,{position_key},{PREDICTION}")
    width = len(header)
    records, positions, cells = [], [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise _fail(source, f"line {line} has {len(row)} fields; the header has {width}")
        try:
            positions.append(int(row[1]))
        except ValueError:
            raise _fail(source, f"line {line}: {position_key} {row[1]!r} is not an integer (samples)") from None
        records.append(row[0].strip())
        cells.append(row[2:])
    arrays: dict[str, np.ndarray] = {"record": np.array(records, dtype=str), position_key: np.array(positions, dtype=np.int64)}
    if values == [PREDICTION]:
        column = [cell[0].strip() for cell in cells]
        arrays[PREDICTION] = np.array(column, dtype=np.int64) if column and all(c.lstrip("-").isdigit() for c in column) else np.array(column, dtype=str)
        return arrays
    try:
        arrays[PROBABILITIES] = np.array(cells, dtype=np.float64).reshape(len(cells), len(classes))
    except ValueError:
        line = next(i for i, cell in enumerate(cells, start=2) if not _all_floats(cell))
        raise _fail(source, f"line {line}: probabilities {','.join(cells[line - 2])} are not all numbers") from None
    return arrays


def _all_floats(cells: list[str]) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True
