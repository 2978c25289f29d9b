"""Apache Beam as ecgbench's scale-out engine: dataset builds and record-parallel evaluation.

Every record-level job (a TFDS build, a streaming replay, per-record scoring) runs in one process by
default (``--runner local``). ``--runner beam --beam-options "runner=...,..."`` runs the same job as a
Beam pipeline, one record per element, on any Beam runner (DirectRunner on a laptop; Flink, Spark or
Dataflow on a cluster). Results are combined exactly as the in-process path combines them, so the two
give the same figures.
"""

from ecgbench.beam.options import RUNNERS, pipeline_options
from ecgbench.beam.records import RecordFailedError, map_records

__all__ = ["RUNNERS", "RecordFailedError", "map_records", "pipeline_options"]
