"""Render → digitise round trips, grid scale/skew detection, SNR scoring and error cases (synthetic data)."""

from __future__ import annotations

import numpy as np
import pytest
import wfdb

from ecgbench.digitize import (
    DigitizeError,
    aligned_snr,
    degrade,
    digitize_image,
    estimate_skew,
    grid_map,
    grid_scale,
    read_image,
    render_ecg,
    rotate_image,
    snr_db,
    write_image,
    write_record,
)
from ecgbench.errors import DataNotFoundError
from ecgbench.records import read_record
from ecgbench.records.synthetic import synthetic_ecg


@pytest.fixture(scope="module")
def ecg():
    return synthetic_ecg(duration=10.0, symbols="NNNNV", noise_mv=0.005, seed=4)


@pytest.mark.parametrize(
    "dpi, rotate, blur, jpeg",
    [(200.0, 0.0, 0.0, None), (300.0, 0.0, 0.0, None), (200.0, 2.0, 0.8, None), (300.0, 2.0, 0.8, None),
     # 300 dpi, 3°, σ 1.5 px, JPEG 40 once read as 5 mm paper: the 1 mm lines next to each bold line
     # were cancelled by a too-narrow detrending window. (At 200 dpi that blur erases the 1 mm lines.)
     (300.0, 3.0, 1.5, 40)],
)  # fmt: skip
def test_grid_scale_within_2_percent(ecg, dpi, rotate, blur, jpeg):
    image = degrade(render_ecg(ecg.signal, ecg.fs, dpi=dpi).image, rotate_deg=rotate, blur_sigma=blur, jpeg_quality=jpeg)
    skew = estimate_skew(grid_map(image))
    assert skew == pytest.approx(rotate, abs=0.1)
    scale = grid_scale(grid_map(rotate_image(image, -skew)))
    truth = dpi / 25.4
    assert abs(scale.px_per_mm_x / truth - 1) < 0.02
    assert abs(scale.px_per_mm_y / truth - 1) < 0.02


def test_round_trip_snr_on_synthetic_record(tmp_path, ecg):
    from ecgbench.records.synthetic import write_synthetic_record

    write_synthetic_record(tmp_path, "s1", ecg=ecg)
    rec = read_record("s1", tmp_path)
    page = render_ecg(rec.signal, rec.fs, rec.lead_names)
    clean = digitize_image(page.image, fs=rec.fs, lead_names=rec.lead_names)
    assert clean.signal.shape[1] == 2
    assert abs(clean.signal.shape[0] - rec.n_samples) <= 5
    snrs = [aligned_snr(rec.signal[:, k], clean.signal[:, k], rec.fs)[0] for k in range(2)]
    assert min(snrs) > 15.0, snrs
    damaged = degrade(page.image, rotate_deg=-3.0, blur_sigma=1.0, jpeg_quality=60)
    rough = digitize_image(damaged, fs=rec.fs)
    assert rough.skew_deg == pytest.approx(-3.0, abs=0.1)
    snrs = [aligned_snr(rec.signal[:, k], rough.signal[:, k], rec.fs)[0] for k in range(2)]
    assert min(snrs) > 10.0, snrs


def test_gaps_stay_missing_and_write_record(tmp_path, ecg):
    signal = ecg.signal[:, :1].copy()
    signal[1800:2340] = np.nan  # 1.5 s gap
    digitized = digitize_image(render_ecg(signal, ecg.fs).image, fs=ecg.fs)
    missing = np.isnan(digitized.signal[:, 0])
    assert 400 < missing.sum() < 700
    assert not missing[:1500].any()
    header = write_record(digitized, tmp_path / "out" / "dig")
    back = wfdb.rdrecord(str(header.with_suffix("")))
    assert back.units == ["mV"] and back.fs == ecg.fs
    assert np.isnan(back.p_signal[:, 0]).sum() == missing.sum()
    np.testing.assert_allclose(back.p_signal[~missing, 0], digitized.signal[~missing, 0], atol=1e-3)


def test_image_file_round_trip(tmp_path, ecg):
    path = write_image(tmp_path / "ecg.png", render_ecg(ecg.signal, ecg.fs, dpi=200).image)
    digitized = digitize_image(read_image(path), fs=250.0)
    assert digitized.fs == 250.0 and digitized.signal.shape[1] == 2


def test_not_an_image(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(DigitizeError, match="not a readable image"):
        read_image(bad)
    with pytest.raises(DataNotFoundError):
        read_image(tmp_path / "missing.png")


def test_no_grid(ecg):
    image = render_ecg(ecg.signal, ecg.fs).image
    plain = np.where(image.min(axis=2, keepdims=True) < 100, image, 255).astype(np.uint8)  # trace only
    with pytest.raises(DigitizeError, match="no ECG grid"):
        digitize_image(plain)
    ok = digitize_image(plain, px_per_mm=300 / 25.4, fs=ecg.fs)  # the scale given by hand
    assert np.isfinite(ok.signal).mean() > 0.95


def test_empty_trace(ecg):
    image = render_ecg(np.zeros((3600, 1)), 360.0, calibration=False).image
    grid_only = np.where(image.max(axis=2, keepdims=True) - image.min(axis=2, keepdims=True) > 15, image, 255)
    grid_only = np.where(grid_only.max(axis=2, keepdims=True) < 80, 255, grid_only).astype(np.uint8)
    with pytest.raises(DigitizeError, match="no ECG trace"):
        digitize_image(grid_only)
    with pytest.raises(DigitizeError, match="no ECG trace"):
        digitize_image(np.full((400, 600, 3), 255, np.uint8))


def test_lead_name_count_mismatch(ecg):
    with pytest.raises(DigitizeError, match="lead name"):
        digitize_image(render_ecg(ecg.signal, ecg.fs).image, lead_names=["only-one"])


def test_snr_golden():
    ref = synthetic_ecg(duration=4.0, n_leads=1, seed=2).signal[:, 0].astype(float) + 0.2
    assert snr_db(ref, ref) == np.inf
    assert snr_db(ref, np.zeros_like(ref)) == pytest.approx(0.0)
    assert snr_db(ref, 0.9 * ref) == pytest.approx(20.0)
    late = np.concatenate([np.zeros(7), ref[:-7]]) - 0.3
    value, alignment = aligned_snr(ref, late, 360.0)
    assert alignment.lag == 7 and alignment.offset == pytest.approx(0.3, abs=0.02)
    assert value > 20.0
    far = ref - 2.0  # beyond the 1 mV limit: scored unshifted
    _, alignment = aligned_snr(ref, far, 360.0)
    assert alignment.offset == 0.0
