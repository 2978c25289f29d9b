"""Generate a :class:`~ecgbench.datasets.generation.SplitPlan` as one Apache Beam pipeline, one record per element.

TFDS writes a split with Beam when the builder's generator is a ``beam.PTransform``
(:class:`BeamGeneration` gives one per split); the files are the plain path's, example for example:

* with ``disable_shuffling`` TFDS's plain ``Writer`` replaces each key by the example's index in
  generation order, and its ``BeamWriter`` sorts by the key it is given (and needs a number), so
  every example is keyed by an integer that grows with that index (:func:`order_key`);
* the plain writer cuts shard ``j`` of ``S`` at example ``round(j * N / S)``, the Beam writer puts
  key ``k`` into shard ``trunc(k * S / k_max)``; :func:`order_key` spaces the keys so that both
  rules give the same shard to every example, whatever ``S`` TFDS chooses (both writers choose
  the same ``S`` below about 500 GB per split).

The dataset checksum (:func:`ecgbench.records.physionet.dataset_checksum`) of a Beam build
therefore equals the plain build's. Per-class counts are Beam counters, read back from the
pipeline result (:func:`class_counts`). Everything a worker runs is pickled from this module and
:mod:`ecgbench.datasets.record_examples`, which every worker can import.

References
----------
TensorFlow Datasets, "Generating big datasets with Apache Beam",
https://www.tensorflow.org/datasets/beam_datasets
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter

from ecgbench.datasets.generation import Example, Selections, SplitPlan

#: Beam counter namespace of the per-class example counts, named ``"<split>/<class>"``.
COUNTER_NAMESPACE = "ecgbench.class_counts"
#: Beam counter namespace of the records that reached each split's keying step, named ``"<split>"``.
RECORDS_NAMESPACE = "ecgbench.records_keyed"
#: Spacing of :func:`order_key`: shard boundaries are reproduced for up to ``2 * KEY_SPACING`` shards.
KEY_SPACING = 1024


class BeamGeneration:
    """The Beam path: each split a ``beam.PTransform``; all of them share one read of every record (one element per record).

    TFDS applies each split's transform to its pipeline; the first one adds the shared stages
    (read, and the cross-record selection when the plan has one) and the others reuse them.
    """

    def __init__(self, plan: SplitPlan) -> None:
        self.plan = plan
        self._pipeline = None
        self._data = None
        self._selections = None

    def split(self, name: str) -> beam.PTransform:
        """Return the ``beam.PTransform`` (pipeline root → ``(order key, example)``) of split ``name``."""
        return _Split(self, name)

    def _shared(self, pipeline: beam.Pipeline):
        if self._pipeline is not pipeline:
            plan = self.plan
            self._pipeline = pipeline
            self._data = pipeline | "Records" >> beam.Create(plan.records) | "Read" >> beam.Map(lambda r: (r, plan.read(r)))
            self._selections = None
            if plan.select is not None:
                self._selections = beam.pvalue.AsSingleton(
                    self._data
                    | "Summarise" >> beam.MapTuple(lambda record, data: (record, plan.summarise(data)))
                    | "Gather" >> beam.combiners.ToList()
                    | "Select" >> beam.Map(lambda pairs: plan.select(dict(pairs)))
                )
        return self._data, self._selections


class _Split(beam.PTransform):
    def __init__(self, generation: BeamGeneration, name: str) -> None:
        super().__init__()
        self.generation, self.split = generation, name

    def expand(self, root):
        plan = self.generation.plan
        data, selections = self.generation._shared(root.pipeline)
        positions = {record: i for i, record in enumerate(plan.splits[self.split])}
        per_record = data | "Examples" >> beam.ParDo(_SplitExamples(plan, self.split, positions), selections=selections)
        sizes = beam.pvalue.AsDict(per_record | "Count" >> beam.MapTuple(lambda position, examples: (position, len(examples))))
        return per_record | "OrderKeys" >> beam.FlatMap(_keyed, self.split, plan.field, sizes=sizes)


class _SplitExamples(beam.DoFn):
    """One record's examples for a split as ``(position of the record in the split, [examples])``."""

    def __init__(self, plan: SplitPlan, split: str, positions: dict[str, int]) -> None:
        self.plan, self.split, self.positions = plan, split, positions

    def setup(self) -> None:
        # A worker process imports TensorFlow to encode examples: as quiet as its parent asked.
        from ecgbench.tf_logs import QUIET_CPP_LOG_LEVEL, hide_import_notes

        if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == QUIET_CPP_LOG_LEVEL:
            hide_import_notes()

    def process(self, item: tuple[str, Any], selections: Selections | None):
        record, data = item
        if record in self.positions:
            mask = (selections or {}).get(self.split, {}).get(record)
            yield self.positions[record], list(self.plan.record_examples(data, mask))


def _keyed(item: tuple[int, list[Example]], split: str, field: str, sizes: dict[int, int]):
    """Key a record's examples by :func:`order_key` of their index in the split; count them per class."""
    position, examples = item
    Metrics.counter(RECORDS_NAMESPACE, split).inc()
    offset = sum(n for p, n in sizes.items() if p < position)
    total = sum(sizes.values())
    for i, (_key, example) in enumerate(examples):
        Metrics.counter(COUNTER_NAMESPACE, f"{split}/{example[field]}").inc()
        yield order_key(offset + i, total), example


def order_key(index: int, total: int) -> int:
    """Return the Beam key of example ``index`` (0-based, in generation order) of a split of ``total`` examples.

    TFDS's ``BeamWriter`` (with ``disable_shuffling``) writes examples sorted by key, shard
    ``trunc(key * S / largest key)``; its plain ``Writer`` writes them in generation order, shard
    ``j`` ending before example ``round((j + 1) * total / S)`` (Python's round: half to even). With
    ``key = KEY_SPACING * (2 * index + 1)``, less one for odd indices, and ``2 * KEY_SPACING * total``
    for the last example, the first rule reproduces the second for every ``S`` up to
    ``2 * KEY_SPACING`` (see ``tests/dataset/test_beam_build.py``, which checks it against TFDS's
    own functions).

    Parameters
    ----------
    index : int
        Position of the example in the split, 0 … ``total - 1``.
    total : int
        Number of examples in the split.
    """
    if index == total - 1:
        return 2 * KEY_SPACING * total
    return KEY_SPACING * (2 * index + 1) - index % 2


def check_complete(pipeline_result, plan: SplitPlan, written: dict[str, int], counts: dict[str, dict[str, int]]) -> None:
    """Refuse a Beam build that lost data: every record must reach its splits, every keyed example a file.

    Parameters
    ----------
    pipeline_result
        The finished pipeline's result (its counters).
    plan : SplitPlan
    written : dict
        Split → number of examples TFDS wrote to its files.
    counts : dict
        :func:`class_counts` of the same result.

    Raises
    ------
    CorruptDataError
        A split received fewer records than the plan gives it, or its files hold another number of
        examples than were keyed for it (seen with DirectRunner ``multi_processing`` under memory
        pressure); nothing of the build is kept.
    """
    from ecgbench.errors import CorruptDataError

    records = {split: 0 for split in plan.splits}
    for counter in pipeline_result.metrics().query(MetricsFilter().with_namespace(RECORDS_NAMESPACE))["counters"]:
        records[counter.key.metric.name] += int(counter.committed if counter.committed is not None else counter.attempted)
    for split, recs in plan.splits.items():
        if records[split] != len(recs) or written.get(split) != counts[split]["total"]:
            raise CorruptDataError(
                f"the Beam pipeline lost data of split {split!r}: {records[split]} of {len(recs)} records keyed, "
                f"{written.get(split)} of {counts[split]['total']} examples written; nothing was kept. "
                "Build again, with fewer workers or --runner local"
            )


def class_counts(pipeline_result, splits: Iterable[str], names: Sequence[str]) -> dict[str, dict[str, int]]:
    """Read the per-class example counts of every split from a finished pipeline's counters.

    Returns
    -------
    dict
        ``{split: {class: n, …, "total": n}}`` with every class of ``names`` listed (zeros included).
    """
    counts = {split: dict.fromkeys(names, 0) for split in splits}
    for counter in pipeline_result.metrics().query(MetricsFilter().with_namespace(COUNTER_NAMESPACE))["counters"]:
        split, _, name = counter.key.metric.name.rpartition("/")
        value = counter.committed if counter.committed is not None else counter.attempted
        counts[split][name] += int(value)
    return {split: {**row, "total": sum(row.values())} for split, row in counts.items()}
