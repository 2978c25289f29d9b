"""Signal-quality indices (Li et al. 2008; Clifford et al. 2012): golden values on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.signal import sqi

FS = 360.0


def _ecg(seconds: float = 10.0, seed: int = 0) -> np.ndarray:
    return synthetic_ecg(duration=seconds, heart_rate=72, seed=seed).signal[:, 0].astype(np.float64)


def test_psqi_of_white_noise_is_the_bandwidth_ratio_and_clean_ecg_scores_higher():
    noise = np.random.default_rng(0).standard_normal(int(10 * FS))
    assert sqi.psqi(noise, FS) == pytest.approx(10.0 / 35.0, abs=0.04)  # flat spectrum: 10 Hz of 35
    assert sqi.psqi(_ecg(), FS) > 0.5
    assert sqi.psqi(_ecg() + 0.5 * noise, FS) < sqi.psqi(_ecg(), FS)


def test_bas_sqi_drops_with_baseline_wander():
    t = np.arange(int(10 * FS)) / FS
    clean = _ecg()
    wander = 0.5 * np.sin(2 * np.pi * 0.3 * t)
    assert sqi.bas_sqi(clean, FS) > 0.9
    assert sqi.bas_sqi(clean + wander, FS) < 0.5
    assert sqi.bas_sqi(clean + 5.0, FS) == pytest.approx(sqi.bas_sqi(clean, FS))  # an offset is no wander


def test_ksqi_separates_a_peaky_ecg_from_gaussian_noise():
    noise = np.random.default_rng(1).standard_normal(int(10 * FS))
    assert sqi.ksqi(noise) == pytest.approx(3.0, abs=0.3)
    assert sqi.ksqi(_ecg()) > 5.0


def test_spectral_sqis_work_on_stacks_of_windows_and_mark_bad_windows():
    x = np.stack([_ecg(seed=1), np.full(int(10 * FS), np.nan), np.zeros(int(10 * FS))])
    values = sqi.psqi(x, FS)
    assert values.shape == (3,) and np.isfinite(values[0]) and np.isnan(values[1:]).all()  # NaN window, flat window
    assert values[0] == pytest.approx(sqi.psqi(x[0], FS))
    with pytest.raises(ConfigError, match="at least 2 samples"):
        sqi.psqi(np.ones(1), FS)


def test_bsqi_matches_beats_one_to_one_within_150_ms():
    assert sqi.bsqi([100, 460, 820], [105, 470, 1500], FS) == pytest.approx(2 / 4)
    assert sqi.bsqi([100, 460], [100, 460], FS) == 1.0
    assert sqi.bsqi([100], [101, 102], FS) == pytest.approx(1 / 2)  # one beat matches one beat only
    assert sqi.bsqi([100], [100 + 54], FS) == 1.0 and sqi.bsqi([100], [100 + 55], FS) == 0.0  # 150 ms = 54 samples
    assert sqi.bsqi([], [], FS) == 1.0
