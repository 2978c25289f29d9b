"""Describe a config's splits record by record (:class:`SplitPlan`) and generate them as Python generators.

A builder describes a config as a :class:`SplitPlan`: which records each split holds, how a record
is read and how the read data becomes examples. :class:`PlainGeneration` (the default) yields each
split's examples in the plan's order; :class:`ecgbench.datasets.beam_generation.BeamGeneration`
runs the same plan as one Apache Beam pipeline and writes the same files. The plain path reads
every record once per build; the Beam path reads it two or three times, on its workers, rather
than move its data between pipeline stages.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

Example = tuple[str, dict]
Selections = Mapping[str, Mapping[str, np.ndarray]]


@dataclasses.dataclass(frozen=True)
class SplitPlan:
    """What a config writes, record by record.

    Every callable runs on Beam workers on the Beam path: give module-level functions (bound with
    :func:`functools.partial` to plain values), never builder methods.

    Attributes
    ----------
    splits : mapping
        Split name → its records, in the order their examples are written.
    read : callable
        ``read(record) -> data``: reads and processes one record (a pure function of the record: the Beam path calls it more than once).
    examples : callable
        ``examples(data) -> iterable of (key, example)``: a record's examples in time order.
    summarise, select : callable, optional
        For splits drawn across records (the intra-patient beats): ``select({record:
        summarise(data)})`` returns ``{split: {record: mask}}`` for the splits it covers; such a
        split keeps a record's examples where its boolean mask is True.
    field : str
        The class feature counted per split.
    """

    splits: Mapping[str, Sequence[str]]
    read: Callable[[str], Any]
    examples: Callable[[Any], Iterable[Example]]
    summarise: Callable[[Any], Any] | None = None
    select: Callable[[dict[str, Any]], Selections] | None = None
    field: str = "label"

    @property
    def records(self) -> list[str]:
        """Every record the plan reads, once, in order of first use."""
        return list(dict.fromkeys(r for records in self.splits.values() for r in records))

    def record_examples(self, data: Any, mask: np.ndarray | None) -> Iterable[Example]:
        """A record's examples in a split: all of them, or those where ``mask`` (from ``select``) is True."""
        examples = self.examples(data)
        return examples if mask is None else itertools.compress(examples, mask)


class PlainGeneration:
    """The default path: each split a Python generator; a record used by several splits is read once and kept until its last use.

    Parameters
    ----------
    plan : SplitPlan
    on_read : callable, optional
        Called with each record name after it is read (the CLI's progress bar).
    """

    def __init__(self, plan: SplitPlan, on_read: Callable[[str], None] | None = None) -> None:
        self.plan = plan
        self.on_read = on_read
        self._uses = Counter(r for records in plan.splits.values() for r in records)
        self._kept: dict[str, Any] = {}
        self._selections: Selections | None = None

    def split(self, name: str) -> Iterator[Example]:
        """Yield the examples of split ``name``, record after record."""
        for record in self.plan.splits[name]:
            mask = self._selection(name, record)
            yield from self.plan.record_examples(self._data(record), mask)
            self._uses[record] -= 1
            if not self._uses[record]:
                self._kept.pop(record, None)

    def _data(self, record: str) -> Any:
        if record not in self._kept:
            self._kept[record] = self.plan.read(record)
            if self.on_read is not None:
                self.on_read(record)
        return self._kept[record]

    def _selection(self, split: str, record: str) -> np.ndarray | None:
        if self.plan.select is None:
            return None
        if self._selections is None:
            summaries = {r: self.plan.summarise(self._data(r)) for r in self.plan.records}
            self._selections = self.plan.select(summaries)
        return self._selections.get(split, {}).get(record)
