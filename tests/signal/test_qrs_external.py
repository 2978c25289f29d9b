"""benchmarks/qrs_external.py: the LUDB span rule and a real-data run of both checks (slow)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def external(benchmark_module):
    return benchmark_module("qrs_external")


class _Quiet:
    """A stand-in for rich's Progress (the runs report progress to it)."""

    def add_task(self, *args, **kwargs):
        return 0

    def advance(self, *args, **kwargs):
        pass


def test_only_samples_inside_the_annotated_span_are_scored(external):
    np.testing.assert_array_equal(external.inside(np.array([5, 10, 11, 50, 51]), (10, 50)), [10, 11, 50])
    assert external.inside(np.array([], np.int64), (0, -1)).size == 0


def test_streaming_detection_equals_the_benchmarks_chunked_call(external):
    from ecgbench.records.synthetic import synthetic_ecg
    from ecgbench.signal import detect_qrs

    ecg = synthetic_ecg(fs=500.0, duration=10.0, heart_rate=80.0, n_leads=1, seed=2)
    peaks, cpu = external.detect("ecgbench", ecg.signal[:, 0], 500.0, chunk_s=0.25)
    np.testing.assert_array_equal(peaks, detect_qrs(ecg.signal[:, 0], 500.0))
    assert cpu >= 0.0


@pytest.mark.slow
def test_ludb_lead_ii_and_a_noise_stress_case(external, ludb_dir, mitdb_dir, nstdb_dir, tmp_path):
    # Five LUDB records, lead II: every annotated QRS inside the span is found.
    subset = tmp_path / "ludb"
    (subset / "data").mkdir(parents=True)
    for name in ("1", "2", "3", "4", "5"):
        for path in (ludb_dir / "data").glob(f"{name}.*"):
            (subset / "data" / path.name).symlink_to(path)
    ludb = external.run_ludb(subset, ["ii"], ["ecgbench"], 1.0, _Quiet())
    figures = ludb["leads"]["ii"]["ecgbench"]
    assert ludb["records"] == 5 and figures["tp"] + figures["fn"] >= 35  # about 8 annotated beats per record
    assert figures["se"] >= 98.0 and figures["ppv"] >= 98.0
    # One noise stress case: at 24 dB of baseline wander the detector is as good as on the clean records.
    nst = external.run_nst(mitdb_dir, nstdb_dir, [24.0], ["ecgbench"], 1.0, _Quiet())
    assert set(nst["cases"]) == {"clean", "bw 24 dB", "ma 24 dB"}
    for case in nst["cases"].values():
        assert case["ecgbench"]["se"] >= 99.5 and case["ecgbench"]["ppv"] >= 99.0
    assert all(gain > 0 for gain in nst["lead0_gain"].values())
