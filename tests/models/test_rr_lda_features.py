"""de Chazal (2004) beat features of the rr-lda baseline on synthetic beats with known waves."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.signal.beat_morphology import (
    QRS_POINTS,
    T_POINTS,
    beat_fiducials,
    de_chazal_features,
    rr_context,
)

FS = 360.0
BEFORE_S = 0.3
WIDTH = 288  # 0.3 s + 0.5 s at 360 Hz
R = 108


def _gauss(t: np.ndarray, centre_s: float, sd_s: float, amplitude_mv: float) -> np.ndarray:
    return amplitude_mv * np.exp(-0.5 * ((t - centre_s) / sd_s) ** 2)


def _triangle(t: np.ndarray, start_s: float, peak_s: float, end_s: float, amplitude_mv: float) -> np.ndarray:
    rise = np.clip((t - start_s) / (peak_s - start_s), 0, 1)
    fall = np.clip((end_s - t) / (end_s - peak_s), 0, 1)
    return amplitude_mv * np.minimum(rise, fall)


def _beat(with_p: bool, qrs_on_s: float = -0.04, qrs_off_s: float = 0.06) -> np.ndarray:
    """One two-lead window: a triangular QRS from ``qrs_on_s`` to ``qrs_off_s`` (R at 0), a T wave, maybe a P wave."""
    t = (np.arange(WIDTH) - R) / FS
    lead = _triangle(t, qrs_on_s, 0.0, qrs_off_s, 1.5) + _gauss(t, 0.30, 0.04, 0.3)
    if with_p:
        lead += _gauss(t, -0.16, 0.02, 0.15)
    return np.stack([lead, 0.5 * lead], axis=1)


def _fiducials(beats: list[np.ndarray]):
    return beat_fiducials(np.stack(beats), FS, BEFORE_S)


def test_qrs_duration_of_a_known_qrs_within_a_few_ms():
    fid = _fiducials([_beat(True), _beat(False, -0.06, 0.10)])
    durations_ms = (fid.qrs_off - fid.qrs_on) / FS * 1000
    assert durations_ms[0] == pytest.approx(100, abs=12)
    assert durations_ms[1] == pytest.approx(160, abs=12)
    assert fid.qrs_on[0] / FS - BEFORE_S == pytest.approx(-0.04, abs=0.01)


def test_p_flag_true_with_p_wave_false_without():
    fid = _fiducials([_beat(True), _beat(False)])
    assert fid.p_present.tolist() == [True, False]


def test_t_offset_after_t_peak_and_inside_window():
    fid = _fiducials([_beat(True)])
    t_off_s = fid.t_off[0] / FS - BEFORE_S
    assert 0.33 < t_off_s < 0.45  # T peak at +0.30 s, SD 40 ms: the wave has ended by ~+0.42 s


def test_rr_context_average_and_local():
    sample = np.arange(30) * 360  # one beat a second ...
    rr_pre = np.ones(30)
    rr_pre[15] = 0.5  # ... but one premature interval
    record = np.array(["a"] * 30)
    average, local = rr_context(record, sample, rr_pre, FS)
    assert average == pytest.approx(np.full(30, rr_pre.mean()))
    assert local[15] == pytest.approx(0.95)  # ten intervals around beat 15
    assert local[0] == pytest.approx(1.0)


def test_feature_matrix_shape_and_groups():
    beats = np.stack([_beat(True), _beat(False), _beat(True)])
    rr = np.tile([0.8, 0.8, 0.8, 0.8, 1, 1, 1], (3, 1))
    features, groups = de_chazal_features(beats, rr, np.array(["a"] * 3), np.array([400, 700, 1000]), FS, BEFORE_S)
    assert features.shape == (3, 7 + 2 * (QRS_POINTS + T_POINTS))
    assert groups["lead1"][-1] == features.shape[1] - 1
    assert np.all(np.isfinite(features))


def test_bad_window_shape_raises():
    with pytest.raises(ConfigError, match="beats, samples, leads"):
        beat_fiducials(np.zeros((3, WIDTH)), FS, BEFORE_S)
