"""Shared fixtures: the real PhysioNet data (skipped with a reason when absent) and synthetic records."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

# Keep TensorFlow quiet and deterministic in tests; set before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

from ecgbench.paths import shared_data_dir  # noqa: E402
from ecgbench.records.synthetic import write_synthetic_record  # noqa: E402

_SHARED = shared_data_dir()
_BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
_MISSING = "needs the PhysioNet reference data in ../shared/data (absent here)"


def _database(name: str) -> Path:
    if _SHARED is None or not (_SHARED / name).is_dir():
        pytest.skip(f"{_MISSING}: ../shared/data/{name} not found")
    return _SHARED / name


@pytest.fixture(autouse=True)
def _isolated_results_tree(tmp_path_factory, monkeypatch):
    """Point the default results tree at a fresh temporary folder: a command run without
    ``--results-dir`` must never write into ``~/ecgbench_data`` or the checkout."""
    monkeypatch.setenv("ECGBENCH_RESULTS_DIR", str(tmp_path_factory.mktemp("default-results") / "results"))


@pytest.fixture(scope="session")
def benchmark_module():
    """``name -> module``: import ``benchmarks/<name>.py`` (a script, not a package) once per session.

    The module is registered in ``sys.modules`` (dataclasses resolve their annotations there).
    Benchmarks import nothing from each other; decision studies live in the ``experiments`` package.
    """
    loaded: dict[str, ModuleType] = {}

    def load(name: str) -> ModuleType:
        if name not in loaded:
            spec = importlib.util.spec_from_file_location(f"_benchmark_{name}", _BENCHMARKS / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            loaded[name] = module
        return loaded[name]

    return load


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test when it is absent."""
    if _SHARED is None:
        pytest.skip(_MISSING)
    return _SHARED


@pytest.fixture(scope="session")
def mitdb_dir() -> Path:
    """``../shared/data/mitdb`` (48 MIT-BIH records); skips the test when absent."""
    return _database("mitdb")


@pytest.fixture(scope="session")
def vfdb_dir() -> Path:
    """``../shared/data/vfdb`` (the 22 VFDB records); skips the test when absent."""
    return _database("vfdb")


@pytest.fixture(scope="session")
def ludb_dir() -> Path:
    """``../shared/data/ludb`` (LUDB records 1-100); skips the test when absent."""
    return _database("ludb")


@pytest.fixture(scope="session")
def nstdb_dir() -> Path:
    """``../shared/data/nstdb`` (noise records bw, ma); skips the test when absent."""
    return _database("nstdb")


@pytest.fixture(scope="session")
def built_mitdb(mitdb_dir: Path, tmp_path_factory) -> Path:
    """A TFDS data dir with the real ``mitdb/beats`` and ``mitdb/rhythm`` built from ../shared/data.

    Built once per test session into a temporary folder (~40 s, ~1.2 GB peak), as a fresh machine
    would; skips when the MIT-BIH records are absent.
    """
    from ecgbench.records.dataset import build_config

    output = tmp_path_factory.mktemp("tfds")
    for config in ("beats", "rhythm"):
        build_config(config, output, mitdb_dir)
    return output


@pytest.fixture()
def synthetic_record(tmp_path: Path) -> tuple[Path, str]:
    """A 60-s synthetic two-lead record ``s100`` with normal and ventricular beats, in a temp folder."""
    write_synthetic_record(tmp_path, "s100", duration=60.0, symbols="NNNNV", seed=1)
    return tmp_path, "s100"
