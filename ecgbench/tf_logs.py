"""Keep TensorFlow's C++ log lines off stderr while it is imported (they are written before its log level is read).

:func:`hide_import_notes` installs an import hook that runs the first ``import tensorflow`` inside
:func:`filtered_stderr`. :func:`ecgbench.runner.tf_environment.quiet_tensorflow_logs` calls it at
the command line's entry; a Beam worker process calls it too (it imports TensorFlow itself).
This module imports nothing heavy.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

#: Lines TensorFlow's C++ code writes to stderr while it is imported (absl format ``I0000 00:00:… file.cc:N] …``
#: and absl's pre-initialisation notice); dropped unless ``--verbose``. Anything else is passed on.
_CPP_LOG_LINE = re.compile(r"^(?:[IWEF]\d{4} \d+:\d+:\d+\.\d+\s+\d+ \S+:\d+\] |WARNING: All log messages before absl::InitializeLog)")
#: TensorFlow's C++ log threshold for users: 3 keeps FATAL only (hides the oneDNN/CPU-feature notes
#: and tf.data's ``E0000 … use_unbounded_threadpool`` line, which are not errors of the run).
QUIET_CPP_LOG_LEVEL = "3"


def tensorflow_imported() -> bool:
    """Whether TensorFlow is already loaded in this process (then these variables come too late)."""
    return "tensorflow" in sys.modules


def hide_import_notes() -> None:
    """Filter TensorFlow's C++ log lines out of stderr during its first import (no-op once it is imported)."""
    if not tensorflow_imported() and not any(isinstance(f, _QuietTensorflowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorflowImport())


@contextmanager
def filtered_stderr() -> Iterator[None]:
    """Capture file descriptor 2 (C++ writes too) and pass on every line but TensorFlow's C++ log lines."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not _CPP_LOG_LINE.match(line))
            if kept:
                os.write(2, kept.encode())


class _QuietTensorflowImport(importlib.abc.MetaPathFinder):
    """Import hook: runs the first ``import tensorflow`` inside :func:`filtered_stderr`, then removes itself.

    It stays on ``sys.meta_path`` until the import really runs: a probe such as
    ``importlib.util.find_spec("tensorflow")`` (etils asks it before TFDS touches any file) also
    calls ``find_spec`` but never loads the module, and must not use the hook up.
    """

    def __init__(self) -> None:
        self._finding = False

    def find_spec(self, fullname, path, target=None):  # noqa: D102 - importlib API
        if fullname != "tensorflow" or self._finding:
            return None
        self._finding = True  # importlib.util.find_spec below walks sys.meta_path, this finder included
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding = False
        if spec is not None and spec.loader is not None:
            spec.loader = _FilteredLoader(spec.loader, finder=self)
        return spec


class _FilteredLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, finder: _QuietTensorflowImport) -> None:
        self.inner = inner
        self.finder = finder

    def create_module(self, spec):  # noqa: D102 - importlib API
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:  # noqa: D102 - importlib API
        if self.finder in sys.meta_path:
            sys.meta_path.remove(self.finder)
        with filtered_stderr():
            self.inner.exec_module(module)
