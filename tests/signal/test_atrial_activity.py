"""Beat-morphology AF features on synthetic one-lead windows: sinus, AF, sinus with PVCs, wide QRS."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.signal.atrial_activity import (
    ATRIAL_FEATURE_NAMES,
    atrial_activity_features,
    dominant_beats,
    gated_irregularity,
    p_wave_consistency,
    qrs_spread,
)

FS = 360.0
DURATION_S = 10.0


def _gauss(t, centre, width_s, height_mv):
    return height_mv * np.exp(-0.5 * ((t - centre) / width_s) ** 2)


def _window(rr, *, p_waves=True, fibrillation=False, wide=(), qrs_width_s=0.012, seed=0):
    """One lead (mV) with a QRS at each beat; P waves 0.16 s before sinus beats; optional 6-Hz f-waves."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(DURATION_S * FS)) / FS
    x = 0.01 * rng.standard_normal(t.size)
    beats = 0.3 + np.concatenate([[0.0], np.cumsum(rr)])
    beats = beats[beats < DURATION_S - 0.3]
    for i, b in enumerate(beats):
        if i in wide:  # premature ventricular complex: wide, inverted, no P wave
            x += _gauss(t, b, 0.04, -1.2)
            continue
        x += _gauss(t, b, qrs_width_s, 1.0)
        if p_waves:
            x += _gauss(t, b - 0.16, 0.02, 0.15)
    if fibrillation:
        x += 0.05 * np.sin(2 * np.pi * (6.0 + 0.5 * rng.standard_normal()) * t + rng.uniform(0, 2 * np.pi)) * (1 + 0.5 * np.sin(2 * np.pi * 0.7 * t))
        x += 0.03 * np.convolve(rng.standard_normal(t.size), np.ones(20) / 20, mode="same") * 5
    return x, np.round(beats * FS).astype(int)


def test_p_waves_consistent_in_sinus_absent_in_af():
    sinus, sinus_beats = _window(np.full(12, 0.8))
    af, af_beats = _window(np.random.default_rng(1).uniform(0.45, 1.1, 16), p_waves=False, fibrillation=True)
    assert p_wave_consistency(sinus, sinus_beats, FS) > 0.9
    assert p_wave_consistency(af, af_beats, FS) < 0.6


def test_gating_removes_pvc_irregularity():
    rr = np.array([0.8, 0.8, 0.8, 0.5, 1.1, 0.8, 0.8, 0.8, 0.5, 1.1, 0.8])  # beats 4 and 9 premature
    x, beats = _window(rr, wide=(4, 9))
    dominant = dominant_beats(x, beats, FS)
    np.testing.assert_array_equal(np.flatnonzero(~dominant), [4, 9])
    gated_rmssd, gated_mad = gated_irregularity(beats, dominant, FS)
    assert gated_rmssd < 0.02 and gated_mad < 0.02
    features = dict(zip(ATRIAL_FEATURE_NAMES, atrial_activity_features(x, beats, FS), strict=True))
    assert features["dominant_fraction"] == pytest.approx(10 / 12)
    af, af_beats = _window(np.random.default_rng(2).uniform(0.45, 1.1, 16), p_waves=False, fibrillation=True)
    af_features = dict(zip(ATRIAL_FEATURE_NAMES, atrial_activity_features(af, af_beats, FS), strict=True))
    assert af_features["gated_mad_norm"] > 0.1 and af_features["dominant_fraction"] > 0.8


def test_gated_irregularity_golden():
    beats = np.array([0, 360, 720, 1080, 1440])  # 1-s RR everywhere
    assert gated_irregularity(beats, np.ones(5, bool), FS) == (0.0, 0.0)
    uneven = np.array([0, 360, 648, 1008, 1296])  # RR 1.0, 0.8, 1.0, 0.8: |ΔRR| 0.2, mean RR 0.9
    rmssd, mad = gated_irregularity(uneven, np.ones(5, bool), FS)
    assert rmssd == pytest.approx(0.2 / 0.9) and mad == pytest.approx(0.2 / 0.9)
    assert math.isnan(gated_irregularity(uneven, np.array([1, 0, 1, 0, 1], bool), FS)[0])


def test_qrs_spread_narrow_vs_wide():
    narrow, beats = _window(np.full(12, 0.8), p_waves=False)
    wide, wide_beats = _window(np.full(12, 0.8), p_waves=False, qrs_width_s=0.045)
    assert qrs_spread(narrow, beats, FS) < 0.01 < 0.2 < qrs_spread(wide, wide_beats, FS)


def test_edges():
    x, beats = _window(np.full(12, 0.8))
    assert np.isnan(atrial_activity_features(x, beats[:2], FS)).all()
    assert math.isnan(qrs_spread(x, beats[:1], FS))
    with pytest.raises(ConfigError, match="one lead"):
        atrial_activity_features(np.zeros((10, 2)), beats, FS)
    with pytest.raises(ConfigError, match="sampling_rate"):
        p_wave_consistency(x, beats, 0.0)
