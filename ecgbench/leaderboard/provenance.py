"""Where a result came from: code version, environment, hardware, command and input hashes.

Everything here is read-only and cheap; none of it runs at import. The functions are used by
:mod:`ecgbench.leaderboard.record` to fill the ``provenance`` block of a run record.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path

from ecgbench.hashing import sha256_file
from ecgbench.paths import source_checkout

#: Distributions whose versions every run record lists (absent ones are recorded as ``None``).
TRACKED_PACKAGES: tuple[str, ...] = (
    "ecgbench", "tensorflow", "tensorflow-cpu", "keras", "tensorflow-datasets", "numpy", "scipy",
    "scikit-learn", "wfdb", "onnxruntime",
)  # fmt: skip


def sha256_files(paths: Iterable[str | os.PathLike], root: str | os.PathLike | None = None) -> str:
    """Return one SHA-256 over several files: each file's relative name and content hash, sorted.

    Parameters
    ----------
    paths : iterable of path-like
        Files to hash; their order does not matter.
    root : path-like, optional
        Names are taken relative to this folder; a file outside it (code a submission borrows) is
        named ``../<its folder>/<file>`` wherever it lives, so the hash does not depend on where
        the files are.
    """
    digest = hashlib.sha256()
    entries = []
    for path in paths:
        path = Path(path)
        entries.append((_portable_name(path, root), sha256_file(path)))
    for name, file_hash in sorted(entries):
        digest.update(f"{name}\0{file_hash}\n".encode())
    return digest.hexdigest()


def _portable_name(path: Path, root: str | os.PathLike | None) -> str:
    """``path`` relative to ``root`` when inside it, else ``../<parent folder>/<name>`` (a sibling's relative name)."""
    if root is None:
        return path.name
    relative = Path(os.path.relpath(path, root))
    if relative.parts and relative.parts[0] == "..":
        return f"../{path.parent.name}/{path.name}"
    return relative.as_posix()


def _git(*args: str, cwd: Path) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def git_state(root: str | os.PathLike | None = None) -> dict[str, object]:
    """Return ``{"sha": str | None, "dirty": bool | None}`` for the source checkout.

    ``root`` defaults to the checkout the package runs from (an editable install); an installed
    wheel has none, so both are None rather than the state of whatever repository holds the venv.

    ``dirty`` is True when tracked files have uncommitted changes (untracked files are ignored).
    Results under ``leaderboards/`` (run records, rendered tables) are outputs, not code: every run
    rewrites them, so they do not count, or the second run of a session would always be "dirty".
    Both are None outside a git checkout or when git is not installed.
    """
    cwd = Path(root) if root is not None else source_checkout()
    if cwd is None:
        return {"sha": None, "dirty": None}
    sha = _git("rev-parse", "HEAD", cwd=cwd)
    if sha is None:
        return {"sha": None, "dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)leaderboards", cwd=cwd)
    return {"sha": sha, "dirty": bool(status) if status is not None else None}


def package_versions(packages: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each distribution, ``None`` when it is not installed."""
    versions: dict[str, str | None] = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


#: CPU flags (``/proc/cpuinfo`` names) whose presence changes which floating-point kernels
#: TensorFlow/oneDNN dispatch to, and so the digits of a training run: vector width (AVX, AVX2,
#: AVX-512 and its extensions), fused multiply-add (FMA), and the matrix/dot-product units
#: (AMX, VNNI, BF16/FP16) that oneDNN uses when allowed.
NUMERIC_ISA_PREFIXES: tuple[str, ...] = ("avx", "fma", "amx", "f16c", "sse4")

#: Environment variables that change TensorFlow's numerics or its threading (read at import or
#: at the first kernel call, so they must be set before TensorFlow is imported).
NUMERIC_ENV_VARS: tuple[str, ...] = (
    "TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "ONEDNN_DEFAULT_FPMATH_MODE", "TF_DETERMINISTIC_OPS",
    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
)  # fmt: skip


def cpu_isa_flags(cpuinfo: str | os.PathLike = "/proc/cpuinfo") -> list[str] | None:
    """Return the numerics-relevant instruction-set flags of the CPU, sorted (``None`` if unknown).

    Parameters
    ----------
    cpuinfo : path-like
        The Linux CPU description; other systems (no such file) give ``None``.

    Only flags starting with one of :data:`NUMERIC_ISA_PREFIXES` are kept (``avx2``, ``fma``,
    ``avx512f``, ``amx_tile``, …): two machines with the same list run the same kernels.
    """
    path = Path(cpuinfo)
    if not path.is_file():
        return None
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("flags"):
            flags = line.split(":", 1)[1].split()
            return sorted({f for f in flags if f.startswith(NUMERIC_ISA_PREFIXES)})
    return None


def numerics_settings() -> dict[str, object]:
    """Return the TensorFlow numerics settings in effect: oneDNN and thread variables, op determinism.

    ``env`` maps each of :data:`NUMERIC_ENV_VARS` to its value (``None`` when unset, i.e.
    TensorFlow's default: oneDNN on, every ISA the CPU has). ``op_determinism``,
    ``intra_op_threads`` and ``inter_op_threads`` (0 = TensorFlow chooses) are read only when
    TensorFlow is already imported (this function never imports it); otherwise ``None``.
    """
    settings: dict[str, object] = {
        "env": {name: os.environ.get(name) for name in NUMERIC_ENV_VARS},
        "op_determinism": None,
        "intra_op_threads": None,
        "inter_op_threads": None,
    }
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        try:
            from tensorflow.python.framework import config as tf_config

            settings["op_determinism"] = bool(tf_config.is_op_determinism_enabled())
            settings["intra_op_threads"] = tf.config.threading.get_intra_op_parallelism_threads()
            settings["inter_op_threads"] = tf.config.threading.get_inter_op_parallelism_threads()
        except (AttributeError, ImportError):  # provenance must never fail a run
            pass
    return settings


def hardware() -> dict[str, object]:
    """Return the machine description: CPU model and ISA flags, logical cores, memory (GiB), visible GPUs.

    GPUs are listed only when TensorFlow is already imported (this function never imports it).
    """
    info: dict[str, object] = {
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "isa_flags": cpu_isa_flags(),
        "logical_cores": os.cpu_count(),
        "memory_gib": None,
        "gpus": [],
    }
    try:
        import psutil

        info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # psutil is a dependency, but provenance must never fail a run
        pass
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        info["gpus"] = [device.name for device in tf.config.list_physical_devices("GPU")]
    return info


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def environment() -> dict[str, object]:
    """Return Python version, platform string and the tracked package versions."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
    }


def command_line(argv: list[str] | None = None) -> str:
    """Return the command that started this process, e.g. ``"ecgbench run baseline cnn1d"``."""
    argv = list(sys.argv if argv is None else argv)
    if argv:
        argv[0] = Path(argv[0]).name
    return " ".join(argv)


def run_provenance(started_at: datetime, wall_time_s: float, command: str | None = None) -> dict[str, object]:
    """Return the ``provenance`` block every run record carries.

    Parameters
    ----------
    started_at : datetime
        UTC start time of the run.
    wall_time_s : float
        Wall-clock duration of the run, seconds.
    command : str, optional
        The command to record; default the current process's command line.
    """
    git = git_state()
    return {
        "git_sha": git["sha"],
        "git_dirty": git["dirty"],
        **environment(),
        "hardware": hardware(),
        "numerics": numerics_settings(),
        "command": command if command is not None else command_line(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_time_s": round(wall_time_s, 2),
    }
