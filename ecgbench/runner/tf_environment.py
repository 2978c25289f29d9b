"""TensorFlow's process environment: portable numerics and quiet logs, set before TensorFlow is imported.

TensorFlow reads these variables once, when it is imported (``TF_ENABLE_ONEDNN_OPTS``,
``TF_CPP_MIN_LOG_LEVEL``) or at its first kernel call (``ONEDNN_MAX_CPU_ISA``), so they are set at
the entry of the command line (:mod:`ecgbench.cli`) and of the benchmark scripts, never later.
A variable the user has set is left as it is, and every run record stores the values in effect
(:func:`ecgbench.leaderboard.provenance.numerics_settings`).

Why oneDNN's instruction set is capped at AVX2
----------------------------------------------
TensorFlow on x86-64 runs convolutions and matrix products through oneDNN, whose JIT kernels
dispatch on the CPU's instruction set (AVX2, AVX-512, AMX): the same seed gives other digits on a
CPU with AVX-512 than on one with AVX2 only. Turning oneDNN's TensorFlow ops off
(``TF_ENABLE_ONEDNN_OPTS=0``) does not remove that: TensorFlow's own matrix products still call
oneDNN's sgemm, so the digits still follow ``ONEDNN_MAX_CPU_ISA`` and, then, the thread count.
Capping the dispatch at AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``), the instruction set every current
x86-64 server has, removes the instruction-set dependence: on an AVX-512/AMX Xeon a seeded run
gives the same predictions under the AVX2, AVX2_VNNI and AVX2_VNNI_2 caps and with 1 or 2
intra-op threads, and other ones without the cap or with oneDNN's ops off. It cannot remove what
else oneDNN and Eigen adapt to (such as blocking to cache sizes): two CPU models do still differ
under the cap (measured in docs/performance.md), so digits are reproducible on the same CPU model;
``ecgbench verify`` then names the CPUs and settings and judges each figure against its interval. ``benchmarks/numerics_portability.py``
re-measures all this and the cost in training speed; ``tests/runner/test_numerics_portability.py``
checks it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, MutableMapping

from ecgbench.tf_logs import QUIET_CPP_LOG_LEVEL, _QuietTensorflowImport, filtered_stderr, hide_import_notes, tensorflow_imported

__all__ = [
    "QUIET_CPP_LOG_LEVEL", "_QuietTensorflowImport", "apply_portable_numerics", "apply_recorded_numerics",
    "filtered_stderr", "prepare_tensorflow_process", "quiet_tensorflow_logs", "tensorflow_imported",
]  # fmt: skip

#: Set to ``native`` to keep TensorFlow's default (oneDNN on, fastest on this CPU, digits depend on
#: the CPU's instruction set); ``recorded`` is set by :func:`apply_recorded_numerics` (a re-run uses
#: a record's settings); anything else, or unset, applies :data:`PORTABLE_ENV`.
NUMERICS_MODE_VAR = "ECGBENCH_NUMERICS"
#: :data:`NUMERICS_MODE_VAR` values that leave the numerics variables alone.
_KEEP_MODES = ("native", "recorded")
#: Variables that make training give the same digits on any x86-64 CPU (see the module notes).
PORTABLE_ENV: dict[str, str] = {"ONEDNN_MAX_CPU_ISA": "AVX2"}
def apply_portable_numerics(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set :data:`PORTABLE_ENV` in ``environ`` where the user has not set the variable; return what was set.

    Nothing is set when ``$ECGBENCH_NUMERICS`` is ``native`` or ``recorded``, or when TensorFlow is already imported
    (the setting could no longer take effect, and the run record must name what was in effect).

    Parameters
    ----------
    environ : mutable mapping, optional
        The environment to change; default ``os.environ``.
    """
    environ = os.environ if environ is None else environ
    if environ.get(NUMERICS_MODE_VAR, "portable").strip().lower() in _KEEP_MODES or tensorflow_imported():
        return {}
    applied = {name: value for name, value in PORTABLE_ENV.items() if name not in environ}
    environ.update(applied)
    return applied


def apply_recorded_numerics(recorded_env: Mapping[str, str | None] | None,
                            environ: MutableMapping[str, str] | None = None) -> dict[str, str | None]:
    """Set the numerics variables a run record names, so a re-run (``ecgbench verify``) uses them.

    Parameters
    ----------
    recorded_env : mapping or None
        The record's ``provenance.numerics.env`` (variable → value, ``None`` = unset). ``None``
        (a record written before it existed) means TensorFlow's defaults: every variable unset.
    environ : mutable mapping, optional
        The environment to change; default ``os.environ``.

    Returns
    -------
    dict
        Each variable changed → its new value (``None`` = removed); empty when TensorFlow is
        already imported (too late to change anything).
    """
    from ecgbench.leaderboard.provenance import NUMERIC_ENV_VARS

    environ = os.environ if environ is None else environ
    if tensorflow_imported():
        return {}
    wanted = {name: (recorded_env or {}).get(name) for name in NUMERIC_ENV_VARS}
    environ[NUMERICS_MODE_VAR] = "recorded"  # later apply_portable_numerics calls (the runner's) leave these alone
    changed: dict[str, str | None] = {}
    for name, value in wanted.items():
        if environ.get(name) == value:
            continue
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = str(value)
        changed[name] = value
    return changed


def quiet_tensorflow_logs(verbose: bool = False, environ: MutableMapping[str, str] | None = None) -> None:
    """Hide TensorFlow's C++ log lines and absl's and Apache Beam's Python warnings unless ``verbose``.

    A ``TF_CPP_MIN_LOG_LEVEL`` the user has set is kept (set it to 0 to see every line without
    ``--verbose``). Python warnings that TensorFlow Datasets sends through the ``absl`` logger, and
    Apache Beam's notes (its loggers, and what it logs on the root logger while it is imported),
    are raised to ERROR; errors still show.
    """
    environ = os.environ if environ is None else environ
    if verbose:
        return
    environ.setdefault("TF_CPP_MIN_LOG_LEVEL", QUIET_CPP_LOG_LEVEL)
    if environ.get("TF_CPP_MIN_LOG_LEVEL") != QUIET_CPP_LOG_LEVEL:
        return
    for name in ("absl", "apache_beam"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger().addFilter(_errors_only_from_beam)
    hide_import_notes()


def prepare_tensorflow_process(verbose: bool = False) -> None:
    """What every entry point (the command line, a benchmark script) does before TensorFlow is imported.

    Portable numerics (:func:`apply_portable_numerics`), so a model trained or run here gives the
    digits the ``ecgbench`` commands give, and quiet logs (:func:`quiet_tensorflow_logs`).
    """
    apply_portable_numerics()
    quiet_tensorflow_logs(verbose)


def _errors_only_from_beam(record: logging.LogRecord) -> bool:
    """Root-logger filter: drop Apache Beam's warnings and notes (e.g. "apitools not found"), keep its errors."""
    return record.levelno >= logging.ERROR or f"{os.sep}apache_beam{os.sep}" not in record.pathname


