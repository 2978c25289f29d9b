"""VF detection on synthetic signals: sinus rhythm stays below the thresholds, a VF-like oscillation above."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.signal.vf_detection import StreamingVFDetector, detect_vf, leakage, preprocess, tcsc, vf_features

FS = 360.0


def _vf_like(seconds: float, fs: float = FS, seed: int = 0) -> np.ndarray:
    """A 4-6 Hz oscillation with wandering frequency and amplitude (coarse VF's look, no QRS)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * fs)) / fs
    freq = 5.0 + 0.8 * np.sin(2 * np.pi * 0.2 * t + rng.uniform(0, 6))
    phase = 2 * np.pi * np.cumsum(freq) / fs
    return (0.4 + 0.15 * np.sin(2 * np.pi * 0.3 * t)) * np.sin(phase)


def test_sinus_rhythm_is_not_vf_and_vf_like_oscillation_is():
    sinus = synthetic_ecg(fs=FS, duration=40.0, seed=1).signal[:, 0]
    normal, vf = detect_vf(sinus, FS), detect_vf(_vf_like(40.0), FS)
    assert not normal.vf.any() and vf.vf.all()
    assert detect_vf(sinus, FS, method="leakage").vf.sum() == 0 and detect_vf(_vf_like(40.0), FS, method="leakage").vf.all()
    assert normal.tcsc.max() < 25 < 60 < vf.tcsc.min()
    assert normal.end.tolist() == [2880, 5760, 8640, 11520, 14400]  # windows end every 8 s


def test_windows_are_causal_a_later_change_leaves_earlier_windows_alone():
    x = synthetic_ecg(fs=FS, duration=40.0, seed=2).signal[:, 0].astype(np.float64)
    y = x.copy()
    y[int(20 * FS) :] = _vf_like(20.0)
    _, t1, v1 = vf_features(x, FS)
    _, t2, v2 = vf_features(y, FS)
    assert np.array_equal(t1[:2], t2[:2]) and np.array_equal(v1[:2], v2[:2])  # windows ending at 8 s and 16 s
    assert t2[-1] > t1[-1]


def test_edge_cases_flat_signal_and_bad_input():
    flat = np.zeros(int(10 * FS))
    assert tcsc(flat, FS) == 0.0 and np.isnan(leakage(flat))
    assert not detect_vf(flat, FS).vf.any() and not detect_vf(flat, FS, method="leakage").vf.any()
    assert np.isfinite(preprocess(np.full(100, np.nan), FS)).all()
    with pytest.raises(ConfigError, match="one lead"):
        preprocess(np.zeros((10, 2)), FS)
    with pytest.raises(ConfigError, match="above 60 Hz"):
        preprocess(np.zeros(100), 50.0)
    with pytest.raises(ValueError, match="tcsc"):
        detect_vf(flat, FS, method="spectral")


def test_sampling_rate_is_honoured():
    sig_250 = _vf_like(24.0, fs=250.0)
    assert detect_vf(sig_250, 250.0).end.tolist() == [2000, 4000, 6000] and detect_vf(sig_250, 250.0).vf.all()


@pytest.mark.parametrize("method", ["tcsc", "leakage"])
def test_streaming_in_uneven_chunks_equals_the_batch(method):
    x = synthetic_ecg(fs=FS, duration=60.0, seed=3).signal[:, 0].astype(np.float64)
    x[int(25 * FS) : int(45 * FS)] = _vf_like(20.0)
    batch = detect_vf(x, FS, method=method, step_s=3.0)
    detector = StreamingVFDetector(FS, method=method, step_s=3.0)
    rng = np.random.default_rng(0)
    cuts = np.sort(rng.choice(np.arange(1, x.size), size=40, replace=False))
    rows = [row for chunk in np.split(x, cuts) for row in detector.update(chunk)]
    assert [r[0] for r in rows] == batch.end.tolist()
    np.testing.assert_allclose([r[1] for r in rows], batch.tcsc, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose([r[2] for r in rows], batch.leakage, rtol=1e-9, atol=1e-9)
    assert [r[3] for r in rows] == batch.vf.tolist() and any(r[3] for r in rows) and not all(r[3] for r in rows)


@pytest.mark.slow
def test_default_thresholds_are_what_the_ds1_rule_gives(benchmark_module, mitdb_dir):
    """The module's thresholds come from DS1 by experiments/vf_detector's rule, recomputed here."""
    from typer.testing import CliRunner

    from ecgbench.signal import vf_detection

    bench = benchmark_module("vf_detector")
    result = CliRunner().invoke(bench.app, ["--ds1", "--json", "--data-dir", str(mitdb_dir.parent)])
    assert result.exit_code == 0, result.output
    import json

    chosen = json.loads(result.stdout)["thresholds"]
    assert chosen == {"tcsc": vf_detection.TCSC_THRESHOLD, "leakage": vf_detection.LEAKAGE_THRESHOLD}
