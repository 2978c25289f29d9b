"""The noise stress test mixer (``ecgbench.data.noise_stress``): nst's calibration, protocol and edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.data.noise_stress import (
    NST_PERIOD_S,
    NST_START_S,
    nst_gain,
    nst_normal_beats,
    noise_stress,
    noisy_segments,
    qrs_amplitude,
    rms_amplitude,
)
from ecgbench.errors import ConfigError
from ecgbench.records.synthetic import synthetic_ecg

FS = 360.0


def _spikes(n_samples: int, beats: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """One lead of zeros with a 10-ms rectangular R wave of the given height (mV) at each beat."""
    x = np.zeros(n_samples)
    for beat, height in zip(beats, heights, strict=True):
        x[beat - 2 : beat + 2] = height
    return x


def test_qrs_amplitude_is_sigamps_trimmed_mean_of_peak_to_peak():
    beats = np.arange(400, 400 + 100 * 360, 360)  # 100 beats, 1 s apart
    heights = np.full(beats.size, 1.2)
    heights[:5] = 9.0  # 5 % outliers at the top are trimmed away ...
    heights[5:10] = 0.1  # ... and 5 % at the bottom
    lead = _spikes(beats[-1] + 400, beats, heights)
    amplitude = qrs_amplitude(np.stack([lead, -0.5 * lead], axis=1), beats, FS)
    np.testing.assert_allclose(amplitude, [1.2, 0.6])


def test_qrs_amplitude_window_includes_both_ends_as_sigamp():
    """sigamp reads R - 18 … R + 18 at 360 Hz (37 samples): a peak on the last sample counts, one past it does not."""
    beats = np.arange(400, 400 + 20 * 360, 360)
    lead = np.zeros(beats[-1] + 400)
    lead[beats + 18] = 1.0
    assert qrs_amplitude(lead, beats, FS)[0] == pytest.approx(1.0)
    lead[beats + 18], lead[beats + 19] = 0.0, 1.0
    assert qrs_amplitude(lead, beats, FS)[0] == pytest.approx(0.0)


def test_normal_beats_are_wfdb_map1_normal():
    sample = np.arange(10)
    symbol = np.array(["N", "V", "A", "F", "/", "+", "E", "j", "Q", "~"])
    np.testing.assert_array_equal(nst_normal_beats(sample, symbol), [0, 2, 4, 7, 8])
    assert nst_normal_beats(np.zeros(0, np.int64), np.array([], str)).size == 0


def test_qrs_amplitude_uses_at_most_the_first_300_beats_with_a_full_window():
    beats = np.arange(10, 10 + 400 * 300, 300)  # the first beat's ±50 ms window does not fit
    heights = np.where(np.arange(beats.size) <= 300, 1.0, 5.0)  # beats 1..300 measured, 301+ not
    lead = _spikes(beats[-1] + 200, beats, heights)
    assert qrs_amplitude(lead, beats, FS)[0] == pytest.approx(1.0)


def test_rms_amplitude_removes_each_windows_mean():
    rng = np.random.default_rng(0)
    noise = rng.normal(0.0, 0.1, (int(400 * FS), 2))
    offset = np.repeat(rng.normal(0, 5.0, (400, 2)), int(FS), axis=0)  # a different DC step every second
    np.testing.assert_allclose(rms_amplitude(noise + offset, FS), rms_amplitude(noise, FS), rtol=1e-9)
    np.testing.assert_allclose(rms_amplitude(noise, FS), [0.1, 0.1], rtol=0.01)


def test_gain_golden_and_segments_of_the_protocol():
    assert nst_gain(0.0, 1.0, 1.0) == pytest.approx(np.sqrt(2) / 4)  # 0 dB: noise RMS = p-p / (2√2)
    assert nst_gain(20.0, 2.0, 0.5) == pytest.approx(0.1 * np.sqrt(2) / 4 * 4)
    mask = noisy_segments(1000, 1.0)
    assert NST_START_S == 300.0 and NST_PERIOD_S == 120.0
    assert not mask[:300].any() and mask[300:420].all() and not mask[420:540].any() and mask[540:660].all()
    with pytest.raises(ConfigError, match="period_s > 0"):
        noisy_segments(10, 1.0, period_s=0.0)


def test_mixture_hits_the_target_snr_and_stays_continuous_at_every_switch():
    ecg = synthetic_ecg(fs=FS, duration=900.0, heart_rate=70.0, n_leads=2, noise_mv=0.0, seed=1)
    rng = np.random.default_rng(2)
    noise = np.cumsum(rng.normal(0, 0.01, (int(400 * FS), 2)), axis=0)  # shorter than the record: repeats
    aligned = np.tile(noise, (3, 1))[: ecg.signal.shape[0]]
    for snr in (24.0, 6.0, -6.0):
        out = noise_stress(ecg.signal, ecg.r_peaks, noise, FS, snr)
        # nst's definition: S = A_qrs² / 8 from the clean record, N = (RMS amplitude of the added noise)².
        s = qrs_amplitude(ecg.signal, ecg.r_peaks, FS) ** 2 / 8
        n = (out.gain * rms_amplitude(noise, FS)) ** 2
        np.testing.assert_allclose(10 * np.log10(s / n), snr, atol=1e-9)
        # Inside each segment the output is ECG + gain·noise (noisy) or ECG (clean) minus one constant
        # offset per lead; the first 5 min carry no offset at all.
        residual = out.signal - ecg.signal - np.where(out.noisy[:, None], out.gain * aligned, 0.0)
        bounds = [0, *np.flatnonzero(np.diff(out.noisy.astype(int))) + 1, int(400 * FS), int(800 * FS), out.noisy.size]
        for lo, hi in zip(sorted(set(bounds))[:-1], sorted(set(bounds))[1:]):
            np.testing.assert_allclose(residual[lo:hi] - residual[lo], 0.0, atol=1e-9)
        np.testing.assert_array_equal(residual[: int(NST_START_S * FS)], 0.0)
        # At a switch the output steps only by the ECG's and the noise's own sample-to-sample change.
        for switch in np.flatnonzero(np.diff(out.noisy.astype(int))) + 1:
            jump = np.abs(out.signal[switch] - out.signal[switch - 1])
            own = np.abs(ecg.signal[switch] - ecg.signal[switch - 1]) + out.gain * np.abs(aligned[switch] - aligned[switch - 1])
            assert np.all(jump <= own + 1e-9)
        # Where the 400-s noise record wraps round (inside the noisy segment 780-900 s at 800 s), the
        # output repeats its previous sample, as nst does.
        wrap = int(800 * FS)
        assert out.noisy[wrap - 1] and out.noisy[wrap]
        np.testing.assert_allclose(out.signal[wrap], out.signal[wrap - 1])


def test_more_leads_than_noise_channels_wrap_around():
    ecg = synthetic_ecg(fs=FS, duration=400.0, heart_rate=60.0, n_leads=3, noise_mv=0.0, seed=3)
    noise = np.random.default_rng(4).normal(0, 0.05, (int(400 * FS), 2))
    out = noise_stress(ecg.signal, ecg.r_peaks, noise, FS, 12.0)
    a, b = int(310 * FS), int(330 * FS)  # two samples of the first noisy segment: the offset cancels
    added = (out.signal[b] - ecg.signal[b]) - (out.signal[a] - ecg.signal[a])
    np.testing.assert_allclose(added, out.gain * (noise[b, [0, 1, 0]] - noise[a, [0, 1, 0]]))


def test_bad_inputs_raise_config_errors_naming_the_problem():
    ecg = synthetic_ecg(fs=FS, duration=20.0, heart_rate=60.0, n_leads=1, noise_mv=0.0, seed=5)
    noise = np.random.default_rng(6).normal(0, 0.05, (int(20 * FS), 1))
    with pytest.raises(ConfigError, match="no normal beat"):
        noise_stress(ecg.signal, np.array([], np.int64), noise, FS, 6.0)
    with pytest.raises(ConfigError, match="flat"):
        noise_stress(ecg.signal, ecg.r_peaks, np.zeros_like(noise), FS, 6.0)
    with pytest.raises(ConfigError, match="finite"):
        noise_stress(ecg.signal, ecg.r_peaks, noise, FS, float("nan"))
    with pytest.raises(ConfigError, match="one 1-s RMS window"):
        rms_amplitude(noise[:10], FS)


@pytest.mark.slow
def test_real_record_118_with_muscle_noise(mitdb_dir, nstdb_dir):
    from ecgbench.records import read_annotations, read_record

    rec, ref = read_record("118", mitdb_dir), read_annotations("118", mitdb_dir)
    noise = read_record("ma", nstdb_dir)
    normal = nst_normal_beats(ref.sample, ref.symbol)
    out = noise_stress(rec.signal, normal, noise.signal, rec.fs, 0.0)
    assert out.signal.shape == rec.signal.shape and np.isfinite(out.signal).all()
    # 0 dB: the added noise's RMS amplitude is the normal QRS peak-to-peak amplitude / (2√2).
    amplitude = qrs_amplitude(rec.signal, normal, rec.fs)
    np.testing.assert_allclose(out.gain * rms_amplitude(noise.signal, rec.fs), amplitude / (2 * np.sqrt(2)), rtol=1e-9)
    assert 0.5 < amplitude[0] < 5.0  # mV: a plausible MLII QRS
