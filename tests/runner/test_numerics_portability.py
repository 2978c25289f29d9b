"""Portable numerics: the oneDNN ISA cap gives identical training digits; records name the CPU's ISA and the settings."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from ecgbench.leaderboard.provenance import NUMERIC_ENV_VARS, cpu_isa_flags, numerics_settings, run_provenance
from ecgbench.runner.tf_environment import (
    NUMERICS_MODE_VAR,
    PORTABLE_ENV,
    apply_portable_numerics,
    apply_recorded_numerics,
    filtered_stderr,
)

CPUINFO = """processor\t: 0
model name\t: Some CPU
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c avx2 fma bmi2 avx512f avx512_vnni amx_tile avx_vnni aes
"""


def test_cpu_isa_flags_keeps_the_numerics_flags(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO)
    assert cpu_isa_flags(path) == ["amx_tile", "avx", "avx2", "avx512_vnni", "avx512f", "avx_vnni", "f16c", "fma", "sse4_1", "sse4_2"]
    assert cpu_isa_flags(tmp_path / "missing") is None


def test_run_provenance_records_isa_flags_and_numerics(monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    prov = run_provenance(datetime.now(UTC), 1.0, command="x")
    assert "isa_flags" in prov["hardware"]
    assert prov["numerics"]["env"]["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert set(prov["numerics"]["env"]) == set(NUMERIC_ENV_VARS)
    assert {"op_determinism", "intra_op_threads", "inter_op_threads"} <= set(numerics_settings())


def test_apply_portable_numerics_sets_defaults_and_respects_the_user(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)  # as at the CLI entry, before any import
    env: dict[str, str] = {}
    assert apply_portable_numerics(env) == PORTABLE_ENV and env == PORTABLE_ENV
    mine = {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}
    assert apply_portable_numerics(mine) == {} and mine == {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}
    native = {NUMERICS_MODE_VAR: "native"}
    assert apply_portable_numerics(native) == {} and "ONEDNN_MAX_CPU_ISA" not in native


def test_apply_portable_numerics_does_nothing_once_tensorflow_is_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", object())
    env: dict[str, str] = {}
    assert apply_portable_numerics(env) == {} and env == {}


def test_apply_recorded_numerics_restores_the_record_settings(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    env = {"ONEDNN_MAX_CPU_ISA": "AVX2", "PATH": "/bin"}
    assert apply_recorded_numerics(None, env) == {"ONEDNN_MAX_CPU_ISA": None}  # an old record: TensorFlow's defaults
    assert env == {"PATH": "/bin", NUMERICS_MODE_VAR: "recorded"}
    assert apply_portable_numerics(env) == {} and "ONEDNN_MAX_CPU_ISA" not in env  # the runner keeps the record's choice
    assert apply_recorded_numerics({"ONEDNN_MAX_CPU_ISA": "AVX2", "TF_ENABLE_ONEDNN_OPTS": None}, env) == {"ONEDNN_MAX_CPU_ISA": "AVX2"}
    assert env["ONEDNN_MAX_CPU_ISA"] == "AVX2"


def test_filtered_stderr_drops_tensorflow_cpp_lines_only(capfd):
    with filtered_stderr():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"I0000 00:00:1796631827.260174    6085 port.cc:153] oneDNN custom operations are on.\n")
        os.write(2, b"E0000 00:00:1796630665.716454    6340 node_def_util.cc:682] NodeDef mentions attribute use_unbounded_threadpool\n")
        os.write(2, b"a real problem\n")
    assert capfd.readouterr().err == "a real problem\n"


_TRAIN = textwrap.dedent(
    """
    import sys
    import numpy as np
    from ecgbench.runner.beat import run_beat_benchmark
    from ecgbench.runner.synthetic import synthetic_track

    run = run_beat_benchmark("cnn1d", data=synthetic_track(n_train=4, n_val=2, n_test=3, duration=60.0),
                             results_dir=sys.argv[1], seed=3, quick=True, bootstrap_resamples=10)
    np.save(sys.argv[1] + "/probabilities.npy", np.load(run.predictions_path)["probabilities"])
    """
)


def _train(tmp_path, name: str, env: dict[str, str]) -> np.ndarray:
    out = tmp_path / name
    out.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in NUMERIC_ENV_VARS and k != NUMERICS_MODE_VAR}
    subprocess.run([sys.executable, "-c", _TRAIN, str(out)], env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    return np.load(out / "probabilities.npy")


@pytest.mark.slow
def test_two_isa_caps_train_to_identical_predictions(tmp_path):
    flags = cpu_isa_flags() or []
    if "avx2" not in flags:
        pytest.skip("the portable setting needs a CPU with AVX2")
    capped = _train(tmp_path, "avx2", {"ONEDNN_MAX_CPU_ISA": "AVX2"})
    vnni = _train(tmp_path, "avx2_vnni", {"ONEDNN_MAX_CPU_ISA": "AVX2_VNNI", "TF_NUM_INTRAOP_THREADS": "1"})
    np.testing.assert_array_equal(capped, vnni)  # bit for bit, whatever the thread count
    if "avx512f" in flags:  # the control: without the cap this CPU's AVX-512 kernels give other digits
        native = _train(tmp_path, "native", {NUMERICS_MODE_VAR: "native"})
        assert not np.array_equal(capped, native)


def test_quiet_logs_unless_verbose(monkeypatch):
    from ecgbench.runner import tf_environment

    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))  # restored afterwards
    verbose: dict[str, str] = {}
    tf_environment.quiet_tensorflow_logs(verbose=True, environ=verbose)
    assert verbose == {} and not any(isinstance(f, tf_environment._QuietTensorflowImport) for f in sys.meta_path)
    quiet: dict[str, str] = {}
    tf_environment.quiet_tensorflow_logs(verbose=False, environ=quiet)
    assert quiet == {"TF_CPP_MIN_LOG_LEVEL": "3"}
    assert any(isinstance(f, tf_environment._QuietTensorflowImport) for f in sys.meta_path)
    mine = {"TF_CPP_MIN_LOG_LEVEL": "0"}  # the user's own level wins
    tf_environment.quiet_tensorflow_logs(verbose=False, environ=mine)
    assert mine == {"TF_CPP_MIN_LOG_LEVEL": "0"}


_PROBE_THEN_IMPORT = textwrap.dedent(
    """
    import importlib.util
    from ecgbench.runner.tf_environment import quiet_tensorflow_logs

    quiet_tensorflow_logs()
    assert importlib.util.find_spec("tensorflow") is not None  # etils probes like this before TFDS imports TensorFlow
    import tensorflow
    """
)


def test_a_find_spec_probe_before_the_import_keeps_the_onednn_note_hidden():
    """``build-dataset`` printed oneDNN's note twice: a probe used the hook up before TFDS imported TensorFlow."""
    clean = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-c", _PROBE_THEN_IMPORT], env=clean, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "port.cc" not in done.stderr and "absl::InitializeLog" not in done.stderr, done.stderr
