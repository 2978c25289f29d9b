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
#: Record → ``(split, position of the record in the split)`` for every split holding it.
Memberships = dict[str, list[tuple[str, int]]]
#: Spacing of :func:`order_key`: shard boundaries are reproduced for up to ``2 * KEY_SPACING`` shards.
KEY_SPACING = 1024


class BeamGeneration:
    """The Beam path: each split a ``beam.PTransform``; one element per record, read on the worker that handles it.

    TFDS applies each split's transform to its pipeline; the first one adds the shared stages and
    the others take their split's output of them:

    1. ``Summarise`` (only for a plan drawing splits across records): read each record, reduce it
       to its summary, gather the summaries and ``select`` the masks (one small side input);
    2. ``Count``: read each record, count its examples in every split it belongs to (a small side
       input: the offsets of :func:`order_key`);
    3. ``Examples``: read each record once more and emit its keyed examples to every split it
       belongs to (one tagged output per split), which TFDS's writer encodes in the same stage.

    A record is read two or three times, and only names, counts and masks pass between stages until
    the encoded examples go to TFDS's shuffle: on Beam runners moving a record's data between
    stages costs more than reading it again (on the DirectRunner every such move goes through the
    launching process).

    Parameters
    ----------
    plan : SplitPlan
    progress_folder : str, optional
        A folder the workers and the launcher reach: each record leaves a file there once its
        examples are emitted (:func:`ecgbench.beam.progress.mark_done`), the launcher's progress.
    """

    def __init__(self, plan: SplitPlan, progress_folder: str | None = None) -> None:
        self.plan = plan
        self.progress_folder = progress_folder
        self._pipeline = None
        self._outputs = None

    def split(self, name: str) -> beam.PTransform:
        """Return the ``beam.PTransform`` (pipeline root → ``(order key, example)``) of split ``name``."""
        return _Split(self, name)

    def _shared(self, pipeline: beam.Pipeline):
        if self._pipeline is not pipeline:
            plan = self.plan
            self._pipeline = pipeline
            records = pipeline | "Records" >> beam.Create(plan.records)
            memberships = _memberships(plan)
            selections = None
            if plan.select is not None:
                selections = beam.pvalue.AsSingleton(
                    records
                    | "Summarise" >> beam.Map(lambda record: (record, plan.summarise(plan.read(record))))
                    | "Gather" >> beam.combiners.ToList()
                    | "Select" >> beam.Map(lambda pairs: plan.select(dict(pairs)))
                )
            offsets = beam.pvalue.AsSingleton(
                records
                | "Count" >> beam.FlatMap(_record_sizes, plan, memberships, selections=selections)
                | "Sizes" >> beam.combiners.ToDict()
                | "Offsets" >> beam.Map(_offsets)
            )
            examples = beam.ParDo(_RecordExamples(plan, memberships, self.progress_folder), selections=selections, offsets=offsets)
            self._outputs = records | "Examples" >> examples.with_outputs(*plan.splits)
        return self._outputs


class _Split(beam.PTransform):
    def __init__(self, generation: BeamGeneration, name: str) -> None:
        super().__init__()
        self.generation, self.split = generation, name

    def expand(self, root):
        return self.generation._shared(root.pipeline)[self.split]


def _record_sizes(record: str, plan: SplitPlan, memberships: Memberships, selections: Selections | None):
    """Yield ``((split, position of the record in the split), number of its examples there)`` for every split holding ``record``."""
    data = plan.read(record)
    for split, position in memberships[record]:
        yield (split, position), sum(1 for _ in plan.record_examples(data, _mask(selections, split, record)))


class _RecordExamples(beam.DoFn):
    """One record's examples, keyed by :func:`order_key`, to the tagged output of every split holding it."""

    def __init__(self, plan: SplitPlan, memberships: Memberships, progress_folder: str | None) -> None:
        self.plan, self.memberships, self.progress_folder = plan, memberships, progress_folder

    def setup(self) -> None:
        # A worker process imports TensorFlow to encode examples: as quiet as its parent asked.
        from ecgbench.tf_logs import QUIET_CPP_LOG_LEVEL, hide_import_notes

        if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == QUIET_CPP_LOG_LEVEL:
            hide_import_notes()

    def process(self, record: str, selections: Selections | None, offsets: dict[str, tuple[dict[int, int], int]]):
        plan = self.plan
        data = plan.read(record)
        for split, position in self.memberships[record]:
            Metrics.counter(RECORDS_NAMESPACE, split).inc()
            starts, total = offsets[split]
            offset = starts[position]
            for i, (_key, example) in enumerate(plan.record_examples(data, _mask(selections, split, record))):
                Metrics.counter(COUNTER_NAMESPACE, f"{split}/{example[plan.field]}").inc()
                yield beam.pvalue.TaggedOutput(split, (order_key(offset + i, total), example))
        if self.progress_folder is not None:
            from ecgbench.beam.progress import mark_done

            mark_done(self.progress_folder, record)


def _offsets(sizes: dict[tuple[str, int], int]) -> dict[str, tuple[dict[int, int], int]]:
    """Turn ``{(split, position): examples}`` into ``{split: ({position: index of its first example}, examples in the split)}``."""
    out: dict[str, tuple[dict[int, int], int]] = {}
    for split in sorted({split for split, _ in sizes}):
        starts, total = {}, 0
        for position in sorted(p for s, p in sizes if s == split):
            starts[position], total = total, total + sizes[split, position]
        out[split] = (starts, total)
    return out


def _memberships(plan: SplitPlan) -> Memberships:
    """Map every record to the ``(split, position of the record in the split)`` pairs of the splits holding it."""
    out: Memberships = {record: [] for record in plan.records}
    for split, records in plan.splits.items():
        for position, record in enumerate(records):
            out[record].append((split, position))
    return out


def _mask(selections: Selections | None, split: str, record: str):
    return (selections or {}).get(split, {}).get(record)


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
