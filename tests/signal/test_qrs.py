"""QRS detection: golden synthetic records (Se = +P = 100 %), streaming equals one-shot, edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.evaluation import compare_record
from ecgbench.records import read_annotations, read_record
from ecgbench.records.synthetic import synthetic_ecg, write_synthetic_record
from ecgbench.signal import OnlineQRSDetector, QRSDetectorConfig, detect_qrs


def _score(peaks: np.ndarray, reference: np.ndarray, fs: float) -> tuple[int, int, int]:
    """(TP, FN, FP) with EC57 matching at 150 ms."""
    cmp = compare_record("t", reference, ["N"] * len(reference), peaks, ["N"] * len(peaks), fs)
    return cmp.tp, cmp.fn, cmp.fp


def _stream(x: np.ndarray, fs: float, sizes: np.ndarray | list[int]) -> np.ndarray:
    det = OnlineQRSDetector(fs)
    bounds = np.cumsum(sizes)
    parts = [det.process(c) for c in np.split(x, bounds[bounds < x.size])]
    return np.concatenate(parts + [det.flush()]).astype(np.int64)


def test_golden_synthetic_wfdb_record(synthetic_record: tuple[Path, str]) -> None:
    folder, name = synthetic_record
    rec = read_record(name, folder)
    ref = read_annotations(name, folder)
    peaks = detect_qrs(rec.lead("MLII"), rec.fs)
    cmp = compare_record(name, ref.sample, ref.symbol, peaks, ["N"] * peaks.size, rec.fs)
    assert (cmp.fn, cmp.fp) == (0, 0)
    assert cmp.sensitivity == 100.0 and cmp.positive_predictivity == 100.0
    # The fiducial sits on the R peak, not merely inside the 150-ms window.
    beats = np.isin(ref.symbol, ["N", "V"])
    assert np.max(np.abs(peaks - ref.sample[beats])) <= int(0.02 * rec.fs)


def test_golden_small_expected_output() -> None:
    e = synthetic_ecg(fs=360.0, duration=8.0, heart_rate=60.0, rr_jitter=0.0, noise_mv=0.0, n_leads=1)
    peaks = detect_qrs(e.signal[:, 0], 360.0)
    np.testing.assert_array_equal(peaks, e.r_peaks)
    np.testing.assert_array_equal(peaks, [288, 648, 1008, 1368, 1728, 2088, 2448])


@pytest.mark.parametrize("fs", [128.0, 250.0, 360.0, 500.0, 1000.0])
@pytest.mark.parametrize("heart_rate", [30.0, 72.0, 250.0])
def test_sampling_rates_and_heart_rates(fs: float, heart_rate: float) -> None:
    symbols = "N" if heart_rate > 200 else "NNNNV"
    e = synthetic_ecg(fs=fs, duration=40.0, heart_rate=heart_rate, symbols=symbols, n_leads=1, seed=2)
    tp, fn, fp = _score(detect_qrs(e.signal[:, 0], fs), e.r_peaks, fs)
    assert (fn, fp) == (0, 0), f"fs={fs} Hz, {heart_rate} bpm: {fn} missed, {fp} extra of {tp + fn}"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_streaming_equals_one_shot_for_random_chunks(seed: int) -> None:
    e = synthetic_ecg(fs=360.0, duration=60.0, symbols="NNVNA", rr_jitter=0.1, noise_mv=0.03, n_leads=1, seed=seed)
    x = e.signal[:, 0].astype(np.float64)
    sizes = np.random.default_rng(seed).integers(1, 900, size=400)
    np.testing.assert_array_equal(_stream(x, 360.0, sizes), detect_qrs(x, 360.0))


def test_streaming_one_sample_chunks_equals_one_shot() -> None:
    e = synthetic_ecg(fs=250.0, duration=12.0, heart_rate=90.0, n_leads=1, seed=3)
    x = e.signal[:, 0].astype(np.float64)
    x[1500:1700] = np.nan  # a gap too, so the invalid-data path is chunk-invariant as well
    expected = detect_qrs(x, 250.0)
    assert expected.size > 10
    np.testing.assert_array_equal(_stream(x, 250.0, np.ones(x.size, int)), expected)


def test_committed_beats_are_final_and_delay_is_reported() -> None:
    fs = 360.0
    e = synthetic_ecg(fs=fs, duration=30.0, n_leads=1, seed=4)
    det = OnlineQRSDetector(fs)
    step = int(fs)
    for i in range(0, e.signal.shape[0], step):
        new = det.process(e.signal[i : i + step, 0])
        assert np.all(new < i + step)  # never a beat in the future
    det.flush()
    delays = det.decision_delays()
    assert 0.15 < det.decision_delay < 0.5
    assert np.median(delays) == pytest.approx(det.decision_delay, abs=0.05)
    assert np.all(delays > 0)


def test_all_zeros_and_constant_give_no_beats() -> None:
    assert detect_qrs(np.zeros(3600), 360.0).size == 0
    assert detect_qrs(np.full(3600, 1.25), 360.0).size == 0
    assert detect_qrs(np.zeros(0), 360.0).size == 0


def _missed_and_extra(peaks: np.ndarray, truth: np.ndarray, fs: float, gaps: list[tuple[int, int]]) -> tuple[int, int]:
    """True beats missed outside the gaps (and 0.7 s after them), and detections matching no true beat."""
    near = np.zeros(truth.size, bool)
    for lo, hi in gaps:
        near |= (truth > lo - 0.2 * fs) & (truth < hi + 0.7 * fs)
    _, fn, _ = _score(peaks, truth[~near], fs) if (~near).any() else (0, 0, 0)
    extra = _score(peaks, truth, fs)[2]
    return fn, extra


def test_nan_and_inf_stretches_are_masked_and_detection_resumes() -> None:
    fs = 360.0
    e = synthetic_ecg(fs=fs, duration=60.0, n_leads=1, seed=4)
    x = e.signal[:, 0].astype(np.float64)
    gaps = [(3600, 7200), (12000, 12100), (15000, 15050)]
    x[3600:7200] = np.nan
    x[12000:12100] = np.inf
    x[15000:15050] = -np.inf
    peaks = detect_qrs(x, fs)
    assert not np.any((peaks > 3600) & (peaks < 7200))
    assert _missed_and_extra(peaks, e.r_peaks, fs, gaps) == (0, 0)
    assert np.any((peaks > 7200) & (peaks < 7200 + 2 * fs))  # recovers within 2 s


def test_all_nan_input() -> None:
    assert detect_qrs(np.full(2000, np.nan), 360.0).size == 0


def test_clipped_and_saturated_stretches() -> None:
    fs = 360.0
    e = synthetic_ecg(fs=fs, duration=60.0, n_leads=1, seed=4)
    x = e.signal[:, 0].astype(np.float64)
    clipped = x.copy()
    clipped[7200:14400] = np.clip(clipped[7200:14400], -0.1, 0.5)  # ADC range clips the R peaks
    assert _score(detect_qrs(clipped, fs), e.r_peaks, fs)[1:] == (0, 0)
    saturated = x.copy()
    saturated[7200:10800] = 5.0  # amplifier rail for 10 s
    peaks = detect_qrs(saturated, fs)
    fn, extra = _missed_and_extra(peaks, e.r_peaks, fs, [(7200, 10800)])
    assert fn == 0 and extra <= 1  # at most one beat on the step back from the rail
    assert np.any((peaks > 10800) & (peaks < 10800 + 2 * fs))


def test_amplitude_drop_recovers_by_search_back() -> None:
    fs = 360.0
    e = synthetic_ecg(fs=fs, duration=60.0, n_leads=1, seed=6)
    x = e.signal[:, 0].astype(np.float64)
    x[int(20 * fs) :] *= 0.15  # lead moved: 0.15 of the amplitude from 20 s on
    tp, fn, fp = _score(detect_qrs(x, fs), e.r_peaks, fs)
    assert fp == 0 and fn <= 4


def test_bad_input_raises() -> None:
    with pytest.raises(ConfigError, match="valid QRS methods: ecgbench, xqrs, neurokit"):
        detect_qrs(np.zeros(100), 360.0, method="pan")
    with pytest.raises(ConfigError, match="1-D"):
        detect_qrs(np.zeros((100, 2)), 360.0)
    with pytest.raises(ConfigError, match="sampling_rate"):
        OnlineQRSDetector(-1.0)
    with pytest.raises(ConfigError, match="threshold_fraction"):
        QRSDetectorConfig(threshold_fraction=1.5)


def test_xqrs_reference_method_runs() -> None:
    e = synthetic_ecg(fs=360.0, duration=30.0, n_leads=1, seed=1)
    tp, fn, fp = _score(detect_qrs(e.signal[:, 0], 360.0, method="xqrs"), e.r_peaks, 360.0)
    assert fn + fp <= 2


def test_leading_nan_is_chunk_invariant() -> None:
    e = synthetic_ecg(fs=360.0, duration=20.0, n_leads=1, seed=8)
    x = e.signal[:, 0].astype(np.float64)
    x[:500] = np.nan
    expected = detect_qrs(x, 360.0)
    assert expected.size > 15
    np.testing.assert_array_equal(_stream(x, 360.0, [3] * 200 + [1000] * 10), expected)


def test_delay_history_is_bounded_and_detection_unchanged() -> None:
    fs = 360.0
    e = synthetic_ecg(fs=fs, duration=60.0, n_leads=1, seed=5)
    step = int(fs)

    def run(history):
        det = OnlineQRSDetector(fs, delay_history=history)
        parts = [det.process(e.signal[i : i + step, 0]) for i in range(0, e.signal.shape[0], step)]
        return np.concatenate([*parts, det.flush()]), det

    full_peaks, full = run(None)
    short_peaks, short = run(5)
    np.testing.assert_array_equal(short_peaks, full_peaks)  # the bound never changes what is detected
    assert full_peaks.size > 20
    assert full.decision_delays().size == full_peaks.size
    np.testing.assert_array_equal(short.decision_delays(), full.decision_delays()[-5:])
    assert short.commit_samples == full.commit_samples[-5:]
    with pytest.raises(ConfigError):
        OnlineQRSDetector(fs, delay_history=0)


def test_last_commits_follow_each_call_and_do_not_depend_on_chunking() -> None:
    fs = 360.0
    e = synthetic_ecg(fs=fs, duration=40.0, n_leads=1, seed=8)

    def run(step_s):
        det = OnlineQRSDetector(fs)
        step = int(step_s * fs)
        peaks, commits = [], []
        for i in [*range(0, e.signal.shape[0], step), None]:
            out = det.flush() if i is None else det.process(e.signal[i : i + step, 0])
            assert det.last_commits.shape == out.shape and np.all(det.last_commits >= out)
            peaks.append(out)
            commits.append(det.last_commits)
        return np.concatenate(peaks), np.concatenate(commits)

    peaks_1s, commits_1s = run(1.0)
    peaks_q, commits_q = run(0.25)
    assert peaks_1s.size > 30
    np.testing.assert_array_equal(peaks_q, peaks_1s)
    np.testing.assert_array_equal(commits_q, commits_1s)
