"""Augmentations: each one on (p=1) changes beats, off (p=0) leaves them bit-identical; SNRs; dropout; config."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.data import AugmentConfig, augment_batch
from ecgbench.errors import ConfigError

R_INDEX = 108
PROBABILITIES = ("warp_p", "shift_p", "scale_p", "wander_p", "real_noise_p", "gaussian_noise_p", "lead_dropout_p")


@pytest.fixture(scope="module")
def batch():
    from ecgbench.records.synthetic import synthetic_ecg

    ecg = synthetic_ecg(duration=60.0, symbols="NNNV", seed=4)
    peaks = ecg.r_peaks[(ecg.r_peaks > R_INDEX) & (ecg.r_peaks < ecg.signal.shape[0] - 180)][:64]
    return np.stack([ecg.signal[p - R_INDEX : p + 180] for p in peaks]).astype(np.float32)


def _run(batch, config, noise=None, seed=(3, 5)):
    return augment_batch(batch, np.array(seed, np.int64), config, noise).numpy()


@pytest.mark.parametrize("name", PROBABILITIES)
def test_each_augmentation_changes_every_beat_at_p1_and_nothing_at_p0(batch, fake_noise_bank, name):
    on = _run(batch, AugmentConfig().with_probability(1.0).only(name), fake_noise_bank)
    changed = np.any(on != batch, axis=(1, 2))
    assert changed.all(), f"{name} at p=1 left {np.sum(~changed)} of {len(batch)} beats unchanged"
    off = _run(batch, AugmentConfig().with_probability(1.0).with_probability(0.0, name).only(name), fake_noise_bank)
    np.testing.assert_array_equal(off, batch)


@pytest.mark.parametrize("name", PROBABILITIES)
def test_beats_not_selected_are_left_bit_identical(batch, fake_noise_bank, name):
    beats = np.concatenate([batch] * 4)  # 256 beats
    out = _run(beats, AugmentConfig().with_probability(0.5).only(name), fake_noise_bank)
    share_changed = np.mean(np.any(out != beats, axis=(1, 2)))  # the rest are exactly equal
    assert 0.35 < share_changed < 0.65


def test_all_off_is_identity_and_output_keeps_shape_and_dtype(batch, fake_noise_bank):
    out = augment_batch(batch, np.array([1, 2]), AugmentConfig.off(), fake_noise_bank)
    assert out.dtype.name == "float32" and tuple(out.shape) == batch.shape
    np.testing.assert_array_equal(out.numpy(), batch)
    every = augment_batch(batch, np.array([1, 2]), AugmentConfig().with_probability(1.0), fake_noise_bank)
    assert tuple(every.shape) == batch.shape and np.all(np.isfinite(every.numpy()))


def test_probability_selects_about_that_share_of_beats(batch, fake_noise_bank):
    beats = np.concatenate([batch] * 16)  # 1024 beats
    out = _run(beats, AugmentConfig().with_probability(0.3, "scale_p").only("scale_p"))
    share = np.mean(np.any(out != beats, axis=(1, 2)))
    assert 0.25 < share < 0.35


def test_same_seed_same_output_different_seed_different(batch, fake_noise_bank):
    config = AugmentConfig()
    first = _run(batch, config, fake_noise_bank, seed=(1, 2))
    np.testing.assert_array_equal(first, _run(batch, config, fake_noise_bank, seed=(1, 2)))
    assert not np.array_equal(first, _run(batch, config, fake_noise_bank, seed=(1, 3)))


def test_time_shift_is_an_edge_padded_roll_by_a_nonzero_whole_number_of_samples(batch):
    config = AugmentConfig(shift_max_s=0.02).with_probability(1.0).only("shift_p")  # up to 7 samples
    out = _run(batch, config)
    index = np.arange(batch.shape[1])
    for original, shifted in zip(batch, out):
        rolled = {s: original[np.clip(index - s, 0, len(index) - 1)] for s in range(-7, 8)}
        matches = [s for s, candidate in rolled.items() if np.allclose(shifted, candidate, atol=1e-6)]
        assert matches and 0 not in matches


def test_time_warp_keeps_the_r_peak_in_place_and_changes_width(batch):
    out = _run(batch, AugmentConfig().with_probability(1.0).only("warp_p"))
    np.testing.assert_allclose(out[:, R_INDEX], batch[:, R_INDEX], atol=1e-6)
    assert np.all(np.abs(out - batch).max(axis=(1, 2)) > 1e-3)


def test_amplitude_scaling_stays_within_range(batch):
    out = _run(batch, AugmentConfig(scale_factor=(0.8, 1.25)).with_probability(1.0).only("scale_p"))
    ratio = out[:, R_INDEX, 0] / batch[:, R_INDEX, 0]
    assert np.all((ratio >= 0.8 - 1e-6) & (ratio <= 1.25 + 1e-6))
    np.testing.assert_allclose(out[:, :, 1] / batch[:, :, 1], ratio[:, None] * np.ones((1, batch.shape[1])), rtol=1e-4)


def test_baseline_wander_adds_a_slow_sinusoid_of_the_configured_amplitude(batch):
    config = AugmentConfig(wander_amplitude_mv=(0.2, 0.2), wander_frequency_hz=(0.3, 0.3))
    config = config.with_probability(1.0).only("wander_p")
    added = _run(batch, config) - batch
    assert np.all(np.abs(added) <= 0.2 + 1e-5)
    # 0.3 Hz over 0.8 s: smooth, no sample-to-sample jumps above 2π·0.3·0.2/360 mV.
    assert np.abs(np.diff(added, axis=1)).max() <= 2 * np.pi * 0.3 * 0.2 / 360 * 1.01


def test_lead_dropout_zeros_exactly_one_lead(batch):
    out = _run(batch, AugmentConfig().with_probability(1.0).only("lead_dropout_p"))
    zero_leads = np.all(out == 0.0, axis=1)  # [beats, leads]
    np.testing.assert_array_equal(zero_leads.sum(axis=1), 1)
    kept = ~zero_leads
    np.testing.assert_array_equal(out.transpose(0, 2, 1)[kept], batch.transpose(0, 2, 1)[kept])
    assert 0 < zero_leads[:, 0].sum() < len(batch)  # both leads get dropped sometimes


def _measured_snr_power_ratio(clean, noisy):
    """Mean over beats and leads of P_noise / P_signal (linear), P_signal = variance of the clean beat."""
    noise_power = np.mean(np.square(noisy - clean), axis=1)
    return np.mean(noise_power / clean.var(axis=1))


@pytest.mark.parametrize("snr_db", [6.0, 20.0])
def test_gaussian_noise_hits_the_target_snr(batch, snr_db):
    beats = np.concatenate([batch] * 8)
    config = AugmentConfig(gaussian_noise_snr_db=(snr_db, snr_db)).with_probability(1.0).only("gaussian_noise_p")
    measured = -10 * np.log10(_measured_snr_power_ratio(beats, _run(beats, config)))
    assert abs(measured - snr_db) < 0.2


def test_real_noise_is_scaled_to_the_target_snr_on_average(batch, fake_noise_bank):
    beats = np.concatenate([batch] * 32)  # 2048 windows at random offsets
    config = AugmentConfig(real_noise_snr_db=(12.0, 12.0)).with_probability(1.0).only("real_noise_p")
    measured = -10 * np.log10(_measured_snr_power_ratio(beats, _run(beats, config, fake_noise_bank)))
    assert abs(measured - 12.0) < 1.0


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["bw", "ma"])
def test_real_nstdb_noise_snr_and_missing_folder(batch, nstdb_dir, tmp_path, kind):
    from ecgbench.data import load_noise_bank
    from ecgbench.errors import DataNotFoundError

    bank = load_noise_bank(nstdb_dir.parent, kinds=(kind,))
    assert bank.signal.shape == (1, 650000, 2) and bank.fs == 360.0
    np.testing.assert_allclose(bank.signal.mean(axis=1), 0.0, atol=1e-4)
    beats = np.concatenate([batch] * 32)
    config = AugmentConfig(real_noise_kinds=(kind,), real_noise_snr_db=(6.0, 6.0)).with_probability(1.0).only("real_noise_p")
    measured = -10 * np.log10(_measured_snr_power_ratio(beats, _run(beats, config, bank)))
    # Window power varies along the record (bw drifts slowly), so the mean over 2048 windows is looser.
    assert abs(measured - 6.0) < 1.5
    with pytest.raises(DataNotFoundError, match=r"nstdb.*--data-dir"):
        load_noise_bank(tmp_path)


def test_real_noise_without_a_bank_is_a_config_error(batch):
    with pytest.raises(ConfigError, match="NoiseBank"):
        _run(batch, AugmentConfig().only("real_noise_p"))


def test_config_round_trips_through_json_and_validates():
    config = AugmentConfig(warp_factor=(0.95, 1.05), real_noise_kinds=("ma",), lead_dropout_p=0.1)
    payload = json.loads(json.dumps(config.to_dict()))
    assert payload["warp_factor"] == [0.95, 1.05]
    assert AugmentConfig.from_dict(payload) == config
    assert AugmentConfig.from_dict({}) == AugmentConfig()
    assert not AugmentConfig.off().active and AugmentConfig().active
    with pytest.raises(ConfigError, match="unknown augment config field.*noise_level"):
        AugmentConfig.from_dict({"noise_level": 3})
    with pytest.raises(ConfigError, match="warp_p=1.5"):
        AugmentConfig(warp_p=1.5)
    with pytest.raises(ConfigError, match="scale_factor"):
        AugmentConfig(scale_factor=(1.2, 0.8))
    with pytest.raises(ConfigError, match="real_noise_kinds"):
        AugmentConfig(real_noise_kinds=("em",))
