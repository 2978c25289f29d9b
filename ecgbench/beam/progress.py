"""Report per-record progress of a Beam pipeline from files its workers leave in a folder.

A Beam runner gives the launching process no per-element callback (the DirectRunner even blocks
the launching thread until the pipeline has finished), so a worker leaves one file per finished
record in a folder every worker and the launcher can reach (a local folder for the DirectRunner,
``temp_location`` on a cluster), and :class:`FolderWatcher`, a thread of the launcher, reports each
new file. Paths go through :mod:`apache_beam.io.filesystems`: local, ``gs://``, ``s3://``, ``hdfs://``.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Callable

#: How often (s) the launcher looks for new files.
WATCH_INTERVAL_S = 1.0
#: Suffix of the file a worker leaves when it has finished a record (:func:`mark_done`).
DONE_SUFFIX = ".done"


def progress_folder(temp_location: str | None, prefix: str) -> str:
    """Create and return a fresh folder for progress (or result) files: under ``temp_location`` when set, else a local temporary folder."""
    from apache_beam.io.filesystems import FileSystems

    if not temp_location:
        return tempfile.mkdtemp(prefix=prefix)
    folder = FileSystems.join(temp_location, f"{prefix}{uuid.uuid4().hex}")
    FileSystems.mkdirs(folder)
    return folder


def mark_done(folder: str, name: str) -> None:
    """Leave the (empty) file saying that record ``name`` is finished (on a worker)."""
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.create(FileSystems.join(folder, f"{name}{DONE_SUFFIX}")):
        pass


def remove_folder(folder: str) -> None:
    """Delete the files of ``folder`` and the folder (object stores have no folder to delete)."""
    from apache_beam.io.filesystems import FileSystems

    files = [m.path for result in FileSystems.match([FileSystems.join(folder, "*")]) for m in result.metadata_list]
    if files:
        FileSystems.delete(files)
    if FileSystems.exists(folder):
        FileSystems.delete([folder])


class FolderWatcher:
    """A launcher thread calling ``on_done(key)`` once for each file ``<name><suffix>`` appearing in ``folder``.

    Use it as a context manager around the pipeline run; :meth:`report_rest` then reports the keys
    not yet seen (the run has finished).

    Parameters
    ----------
    folder : str
        The folder the workers write to.
    suffix : str
        Only files ending in it count (a worker's half-written file has another name).
    key : callable
        ``name -> key`` for a file's name without ``suffix``, or None to ignore the file.
    keys : list
        Every key the run will report, in order (:meth:`report_rest`).
    on_done : callable or None
        The callback (None: the watcher does nothing).
    """

    def __init__(self, folder: str, suffix: str, key: Callable[[str], object], keys: list, on_done: Callable | None) -> None:
        self.folder, self.suffix, self.key, self.keys, self.on_done = folder, suffix, key, keys, on_done
        self.reported: set = set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="ecgbench-beam-progress", daemon=True)

    def __enter__(self) -> FolderWatcher:
        if self.on_done is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            self._report(self._finished())

    def _finished(self) -> list:
        from apache_beam.io.filesystems import FileSystems

        try:
            matches = FileSystems.match([FileSystems.join(self.folder, f"*{self.suffix}")])[0].metadata_list
        except Exception:  # a listing failed (object stores can): look again next time
            return []
        names = (m.path.replace("\\", "/").rsplit("/", 1)[-1][: -len(self.suffix)] for m in matches)
        return [k for k in map(self.key, names) if k is not None]

    def _report(self, keys: list) -> None:
        with self._lock:
            for key in keys:
                if key not in self.reported:
                    self.reported.add(key)
                    if self.on_done is not None:
                        self.on_done(key)

    def report_rest(self) -> None:
        """Report every key not yet reported."""
        self._report(self.keys)
