"""Second round of streaming robustness: a clean noise reference, the VT quality wait, detector re-learning after gaps."""

from __future__ import annotations

import numpy as np

from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.signal.qrs_online import OnlineQRSDetector, QRSDetectorConfig
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.streaming.events import AlarmEvent
from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
from ecgbench.streaming.quality import QualityConfig, QualityMonitor

FS = 360.0


def _bursty_noise(seconds: float, seed: int) -> np.ndarray:
    """Broadband noise (0.3 mV) with a 33-ms burst of ±3 mV in every second: the bursts set a block's own 99th percentile."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    noise = 0.3 * rng.standard_normal((n, 2))
    for start in range(0, n, int(FS)):
        noise[start + 100 : start + 112] += 3.0 * np.where(np.arange(12) % 2, 1.0, -1.0)[:, None]
    return noise


def _noisy_blocks(config: QualityConfig, x: np.ndarray, t0: float) -> int:
    quality = QualityMonitor(FS, 2, config=config)
    verdicts = quality.update(x.astype(np.float32))
    return sum("noise" in v.reasons.get(0, ()) for v in verdicts if v.start >= t0)


def test_noise_reference_flags_bursty_noise_the_block_percentile_misses():
    ecg = synthetic_ecg(duration=40.0, heart_rate=70, seed=11).signal
    x = ecg.copy()
    x[int(20 * FS) :] += _bursty_noise(20.0, 0)
    assert _noisy_blocks(QualityConfig(noise_reference_blocks=0), x, 22.0) <= 3  # the burst raises its own denominator
    assert _noisy_blocks(QualityConfig(noise_reference_blocks=8), x, 22.0) == 18  # every block from the third of the noise on


def test_noise_reference_learns_a_lasting_gain_change():
    ecg = synthetic_ecg(duration=60.0, heart_rate=70, seed=12).signal
    x = ecg.copy()
    x[int(20 * FS) :] *= 4.0  # a gain change, no noise
    assert _noisy_blocks(QualityConfig(noise_reference_blocks=8), x, 0.0) == 0
    quality = QualityMonitor(FS, 2, config=QualityConfig(noise_reference_blocks=8))
    quality.update(x.astype(np.float32))
    assert quality.reference is not None


class _Stub:
    """Stands in for the detector: beats every 0.8 s, then every 0.2 s (noise spikes) from 30 s, each final 0.3 s later."""

    decision_delay = 0.3

    def __init__(self) -> None:
        beats = list(np.arange(1.0, 30.0, 0.8)) + list(np.arange(30.0, 40.0, 0.2))
        self._beats = [int(round(t * FS)) for t in beats]
        self._seen = 0

    def process(self, chunk: np.ndarray) -> np.ndarray:
        self._seen += len(chunk)
        ready = [b for b in self._beats if b + self.decision_delay * FS <= self._seen]
        self._beats = self._beats[len(ready) :]
        return np.asarray(ready, dtype=np.int64)

    def flush(self) -> np.ndarray:
        out, self._beats = self._beats, []
        return np.asarray(out, dtype=np.int64)


class _ShortIsVentricular:
    """Labels a beat V when its pre-RR is below 0.3 s (as noise spikes labelled ventricular), else N."""

    sampling_rate, window_before, window_after, needs_post_rr, filtered = FS, 0.3, 0.5, False, True

    def classify(self, windows, rr):
        probs = np.zeros((len(windows), 5), np.float32)
        probs[np.arange(len(windows)), np.where(np.nan_to_num(rr["pre"], nan=1.0) < 0.3, 2, 0)] = 1.0
        return probs


def _vt_states(wait: bool) -> list[tuple[str, float]]:
    ecg = synthetic_ecg(duration=40.0, heart_rate=75, seed=13).signal
    x = ecg.copy()
    x[int(30 * FS) :] += 0.6 * np.random.default_rng(7).standard_normal((int(10 * FS), 2))
    config = PipelineConfig(alarms=AlarmConfig(vt_quality_wait=wait))
    pipeline = StreamingPipeline(FS, 2, _ShortIsVentricular(), detector=_Stub(), config=config)
    events = []
    for start in range(0, x.shape[0], int(FS)):
        events += pipeline.process(x[start : start + int(FS)], start)
    events += pipeline.flush()
    return [(e.state, e.decision_time) for e in events if isinstance(e, AlarmEvent) and e.kind == "VT"]


def test_vt_quality_wait_suppresses_a_run_at_the_onset_of_noise():
    states = _vt_states(wait=False)
    assert states and states[0][0] == "start" and states[0][1] < 31.5  # raised before the noise verdict
    held = _vt_states(wait=True)
    assert "start" not in [s for s, _ in held] and "suppressed" in [s for s, _ in held]


def _gap_then_small_waves(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 10-s gap (NaN) at 20 s, then a small wave (a quarter of the R amplitude) midway between beats."""
    ecg = synthetic_ecg(duration=50.0, heart_rate=70, rr_jitter=0.02, noise_mv=0.0, seed=seed)
    x = ecg.signal.astype(np.float64).copy()
    r = ecg.r_peaks
    amplitude = float(np.median(x[r[r < 20 * FS], 0]))
    t = np.arange(x.shape[0])
    for a, b in zip(r[:-1], r[1:]):
        if a > 30 * FS:
            x[:, 0] += 0.25 * amplitude * np.exp(-0.5 * ((t - (a + b) // 2) / (0.01 * FS)) ** 2)
    x[int(20 * FS) : int(30 * FS)] = np.nan
    return x, r


def _after(beats: np.ndarray) -> np.ndarray:
    return beats[(beats > 30.5 * FS) & (beats < 45 * FS)]


def test_detector_keeps_its_levels_through_a_gap_and_relearns_after_it():
    """Before: search-back decayed the QRS level all through the gap, so small waves after it passed as beats."""
    x, truth = _gap_then_small_waves(14)
    counts = {}
    for relearn in (None, 1.0):
        detector = OnlineQRSDetector(FS, QRSDetectorConfig(relearn_gap_s=relearn))
        beats = np.concatenate([detector.process(x[i : i + 360, 0]) for i in range(0, x.shape[0], 360)] + [detector.flush()])
        counts[relearn] = len(_after(beats))
    assert counts[1.0] == len(_after(truth)) < counts[None]


def test_pipeline_hands_the_detector_the_gap_as_missing_samples():
    from ecgbench.streaming.classifier import PriorClassifier
    from ecgbench.streaming.events import BeatEvent

    x, truth = _gap_then_small_waves(14)
    pipeline = StreamingPipeline(FS, 2, PriorClassifier(FS))
    events = []
    for start in range(0, x.shape[0], int(FS)):
        events += pipeline.process(x[start : start + int(FS)], start)
    events += pipeline.flush()
    beats = np.array([e.sample for e in events if isinstance(e, BeatEvent)])
    assert len(_after(beats)) == len(_after(truth))


def test_a_streamed_models_record_takes_the_models_training_seed(tmp_path):
    """The streaming board averages a trained model over its seeds, so the record's seed is the model's."""
    import json

    from ecgbench.streaming.runrecord import classifier_identity, run_seed

    folder = tmp_path / "beats-interpatient" / "20260101T000000Z-cnn1d-seed2"
    folder.mkdir(parents=True)
    (folder / "model.keras").write_bytes(b"weights")
    (folder / "normalizer.json").write_text("{}")
    record = {"schema_version": 1, "run_id": folder.name, "task": "beats-interpatient", "seed": 2, "submission": {"name": "cnn1d"},
              "artifacts": {"folder": folder.name, "files": {}}}  # fmt: skip
    (folder.parent / f"{folder.name}.json").write_text(json.dumps(record))
    _, training = classifier_identity(str(folder.parent / f"{folder.name}.json"), tmp_path)
    assert training["model_run"] == folder.name and training["model_seed"] == 2
    assert run_seed(training) == 2 and run_seed(training, default=7) == 2
    _, builtin = classifier_identity("rules", tmp_path)
    assert "model_seed" not in builtin
    assert run_seed(builtin) == 0 and run_seed(builtin, default=7) == 7


def _run_states(x: np.ndarray, alarms: AlarmConfig) -> list[str]:
    pipeline = StreamingPipeline(FS, 2, _ShortIsVentricular(), detector=_Stub(), config=PipelineConfig(alarms=alarms))
    events = []
    for start in range(0, x.shape[0], int(FS)):
        events += pipeline.process(x[start : start + int(FS)], start)
    events += pipeline.flush()
    return [e.state for e in events if isinstance(e, AlarmEvent) and e.kind == "VT"]


def test_vt_run_psqi_suppresses_a_run_in_broadband_noise_before_any_block_verdict():
    """The run's own pSQI judges it when the alarm is due: no block or median lag at the noise onset."""
    x = synthetic_ecg(duration=40.0, heart_rate=75, seed=13).signal.copy()
    x[int(30 * FS) :] += 0.6 * np.random.default_rng(7).standard_normal((int(10 * FS), 2))
    assert _run_states(x, AlarmConfig())[0] == "start"  # raised before the block verdicts flag the noise
    states = _run_states(x, AlarmConfig(vt_run_psqi=0.55))
    assert "start" not in states and "suppressed" in states
    clean = synthetic_ecg(duration=40.0, heart_rate=75, seed=13).signal
    assert _run_states(clean, AlarmConfig(vt_run_psqi=0.55))[0] == "start"  # the same run on a clean signal alarms


def test_a_vt_alarm_followed_by_a_fault_is_marked_unreliable():
    from ecgbench.streaming import faults

    clean = synthetic_ecg(duration=40.0, heart_rate=75, seed=13).signal
    states = _run_states(faults.gap(clean, FS, 33.0, 3.0), AlarmConfig())
    assert states[:2] == ["start", "unreliable"]
    assert "unreliable" not in _run_states(clean, AlarmConfig())
    assert "unreliable" not in _run_states(faults.gap(clean, FS, 33.0, 3.0), AlarmConfig(vt_unreliable_window=None))


def test_bas_sqi_flags_baseline_wander_from_a_cold_start():
    ecg = synthetic_ecg(duration=60.0, heart_rate=70, seed=4).signal
    t = np.arange(ecg.shape[0]) / FS
    wander = np.where(t >= 30.0, 1.0, 0.0)[:, None] * np.sin(2 * np.pi * 0.25 * t)[:, None]
    config = QualityConfig(baseline_min=0.5)
    clean = QualityMonitor(FS, 2, config=config).update(ecg.astype(np.float32))
    assert all(v.good for v in clean)
    verdicts = QualityMonitor(FS, 2, config=config).update((ecg + wander).astype(np.float32))
    flagged = [v.start for v in verdicts if "baseline" in v.reasons.get(0, ())]
    assert flagged and 30.0 <= flagged[0] <= 34.0 and not [s for s in flagged if s < 30.0]
    start = QualityMonitor(FS, 2, config=config).update((ecg + np.sin(2 * np.pi * 0.25 * t)[:, None]).astype(np.float32))
    assert [v.start for v in start if "baseline" in v.reasons.get(0, ())][0] == 4.0  # judged from sqi_min_window (5 s) on


def _emg_like(seconds: float, seed: int) -> np.ndarray:
    """Muscle-like noise: white noise high-passed at 20 Hz (EMG's band), 0.4 mV RMS."""
    from scipy import signal as sps

    white = np.random.default_rng(seed).standard_normal((int(seconds * FS), 2))
    emg = sps.sosfilt(sps.butter(4, 20.0, "high", fs=FS, output="sos"), white, axis=0)
    return 0.4 * emg / emg.std()


def test_emg_like_noise_raises_the_quality_alarm_and_no_vt_with_the_default_chain():
    """Noise spikes labelled ventricular at the onset of EMG-like noise: the default run check suppresses them."""
    x = synthetic_ecg(duration=40.0, heart_rate=75, seed=13).signal.copy()
    x[int(30 * FS) :] += _emg_like(10.0, 3)
    assert _run_states(x, AlarmConfig(vt_run_psqi=None))[0] == "start"  # the previous default raised VT
    states = _run_states(x, AlarmConfig())
    assert "start" not in states and "suppressed" in states
    pipeline = StreamingPipeline(FS, 2, _ShortIsVentricular(), detector=_Stub())
    events = [e for start in range(0, x.shape[0], int(FS)) for e in pipeline.process(x[start : start + int(FS)], start)]
    assert [e for e in events if isinstance(e, AlarmEvent) and e.kind == "signal_quality" and e.state == "start" and e.time >= 30.0]


def test_baseline_wander_raises_the_quality_alarm_but_keeps_the_rr_intervals():
    from ecgbench.streaming.classifier import RuleClassifier

    ecg = synthetic_ecg(duration=50.0, heart_rate=70, rr_jitter=0.01, seed=8)
    t = np.arange(ecg.signal.shape[0]) / FS
    x = ecg.signal + (t >= 20.0)[:, None] * 1.0 * np.sin(2 * np.pi * 0.3 * t)[:, None]
    pipeline = StreamingPipeline(FS, 2, RuleClassifier(FS))
    pres: list[float] = []
    classify = pipeline.classifier.classify

    def spy(windows, rr, **kw):
        pres.extend(rr["pre"].tolist())
        return classify(windows, rr, **kw)

    pipeline.classifier.classify = spy
    events = [e for start in range(0, x.shape[0], int(FS)) for e in pipeline.process(x[start : start + int(FS)], start)]
    quality = [e for e in events if isinstance(e, AlarmEvent) and e.kind == "signal_quality" and e.state == "start"]
    assert quality and 20.0 <= quality[0].time <= 24.0 and "baseline" in quality[0].evidence["reasons"]["0"]
    assert not np.isnan(pres[1:]).any()  # wander moves the baseline, not the beats: no RR restart
