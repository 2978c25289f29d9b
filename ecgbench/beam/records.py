"""Map a per-record function over records, in this process or on Apache Beam, results in record order.

:func:`map_records` is the one place where record-level work chooses its engine. ``runner="local"``
calls the function record by record in this process. ``runner="beam"`` builds a pipeline with one
element per record::

    Create([(index, record), ...]) | Reshuffle | ParDo(call the function, write its result)

The ``Reshuffle`` breaks fusion with ``Create`` so that a runner spreads the records over its
workers (without it, Dataflow and the DirectRunner run every record in the worker that created
them). Each worker pickles its result to ``<temp>/<index>.pkl`` (written under a temporary name
and renamed, through :mod:`apache_beam.io.filesystems`, so local paths, ``gs://``, ``s3://`` and
``hdfs://`` all work); the launching process reads them back in record order once the pipeline has
finished and deletes them; while the pipeline runs, a thread of the launcher watches the folder and
reports each record whose result has arrived (the progress bar of a Beam run). ``<temp>`` is the pipeline's ``temp_location`` when set (it must be
readable by the workers and the launcher: a shared file system or an object store), else a local
temporary folder (enough for the DirectRunner). A record whose function raises is reported with
its name, and no result of the run is returned.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ecgbench.beam.options import RUNNERS, pipeline_options
from ecgbench.beam.progress import FolderWatcher, progress_folder, remove_folder
from ecgbench.errors import EcgbenchError, unknown_choice

#: File name of one record's result in the temporary folder (``index`` is its place in the list).
RESULT_NAME = "{index:07d}.pkl"


class RecordFailedError(EcgbenchError):
    """The per-record function raised on a record (named in the message); the run produced nothing.

    Attributes
    ----------
    failures : list of RecordFailure
        Every record that failed, in record order.
    """

    def __init__(self, failures: Sequence[RecordFailure]) -> None:
        self.failures = list(failures)
        shown = "; ".join(f"record {f.record}: {f.error}" for f in self.failures[:5])
        more = f" (and {len(self.failures) - 5} more)" if len(self.failures) > 5 else ""
        super().__init__(
            f"{len(self.failures)} record(s) failed on a Beam worker, no result was written: {shown}{more}; "
            "fix or leave out the record(s) and run again"
        )


@dataclass(frozen=True)
class RecordFailure:
    """What a worker sends back instead of a result when the function raised on ``record``."""

    record: str
    error: str  # ``ExceptionType: message``
    traceback: str


def map_records(
    fn: Callable[[str], Any],
    records: Sequence[str],
    runner: str = "local",
    beam_options: str | None = None,
    on_result: Callable[[str], None] | None = None,
) -> list[Any]:
    """Return ``[fn(record) for record in records]``, computed in this process or on a Beam runner.

    Parameters
    ----------
    fn : callable
        ``record -> result``. For ``runner="beam"`` both ``fn`` and its results must pickle (a
        module-level function, or a :func:`functools.partial` / small object holding plain
        settings; load models lazily inside it rather than capturing them).
    records : sequence of str
        Record names, each given to ``fn`` once.
    runner : {"local", "beam"}
        Where the calls run (:data:`ecgbench.beam.RUNNERS`).
    beam_options : str, optional
        ``--beam-options`` text for ``runner="beam"`` (:func:`ecgbench.beam.pipeline_options`);
        default the DirectRunner with one worker.
    on_result : callable, optional
        Called with each record name once its result is in (local: after each record; Beam: as its
        result file appears, checked every :data:`ecgbench.beam.progress.WATCH_INTERVAL_S` seconds, in any order).

    Returns
    -------
    list
        One result per record, in the order of ``records``.

    Raises
    ------
    RecordFailedError
        ``runner="beam"`` and ``fn`` raised on one or more records (each is named). With
        ``runner="local"`` the exception itself propagates, with a note naming the record.
    ConfigError
        ``runner`` is not one of :data:`RUNNERS`, or the Beam options are malformed.
    """
    if runner not in RUNNERS:
        raise unknown_choice("runner", runner, RUNNERS)
    records = list(records)
    if runner == "local":
        return [_call_local(fn, record, on_result) for record in records]
    return _map_on_beam(fn, records, beam_options, on_result)


def _call_local(fn: Callable[[str], Any], record: str, on_result: Callable[[str], None] | None) -> Any:
    try:
        result = fn(record)
    except Exception as exc:
        exc.add_note(f"(while evaluating record {record})")
        raise
    if on_result:
        on_result(record)
    return result


class _EvaluateRecord:
    """The ParDo body: call ``fn`` on one ``(index, record)`` and write its result (or failure) to ``folder``."""

    def __init__(self, fn: Callable[[str], Any], folder: str) -> None:
        self.fn = fn
        self.folder = folder

    def __call__(self, element: tuple[int, str]) -> None:
        from apache_beam.io.filesystems import FileSystems

        index, record = element
        try:
            result: Any = self.fn(record)
        except Exception as exc:  # sent back to the launcher, which names the record
            result = RecordFailure(record, f"{type(exc).__name__}: {exc}", traceback.format_exc())
        final = FileSystems.join(self.folder, RESULT_NAME.format(index=index))
        partial = f"{final}.{uuid.uuid4().hex}.partial"  # a retried or speculative attempt never clobbers
        with FileSystems.create(partial) as handle:
            handle.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        if FileSystems.exists(final):  # another attempt finished first; results are the same
            FileSystems.delete([partial])
        else:
            FileSystems.rename([partial], [final])


def _map_on_beam(fn: Callable[[str], Any], records: list[str], text: str | None,
                 on_result: Callable[[str], None] | None) -> list[Any]:  # fmt: skip
    import apache_beam as beam
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.options.pipeline_options import GoogleCloudOptions, WorkerOptions

    options = pipeline_options(text)
    harness = options.view_as(WorkerOptions)
    harness.default_sdk_harness_log_level = harness.default_sdk_harness_log_level or "ERROR"
    folder = progress_folder(options.view_as(GoogleCloudOptions).temp_location, "ecgbench-records-")
    report = None if on_result is None else (lambda index: on_result(records[index]))
    watcher = FolderWatcher(folder, ".pkl", _result_index(len(records)), list(range(len(records))), report)
    try:
        with watcher, _quiet_beam(), beam.Pipeline(options=options) as pipeline:
            _ = (
                pipeline
                | "records" >> beam.Create(list(enumerate(records)))
                | "spread over workers" >> beam.Reshuffle()
                | "evaluate" >> beam.Map(_EvaluateRecord(fn, folder))
            )
        results, failures = [], []
        for index, record in enumerate(records):
            path = FileSystems.join(folder, RESULT_NAME.format(index=index))
            if not FileSystems.exists(path):
                failures.append(RecordFailure(record, "the worker wrote no result", ""))
                continue
            with FileSystems.open(path) as handle:
                result = pickle.loads(handle.read())
            if isinstance(result, RecordFailure):
                failures.append(result)
            results.append(result)
        if failures:
            raise RecordFailedError(failures)
        watcher.report_rest()
        return results
    finally:
        remove_folder(folder)


def _result_index(n: int) -> Callable[[str], int | None]:
    """``"0000003"`` (a result file's name) → 3, the record's place in the list; None for any other name."""

    def index(name: str) -> int | None:
        return int(name) if name.isdigit() and int(name) < n else None

    return index


@contextlib.contextmanager
def _quiet_beam():
    """Keep Beam's INFO/WARNING chatter (worker start-up, discarded flags) off stderr; errors still show."""
    logger = logging.getLogger("apache_beam")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
