"""The streaming pipeline with the real ecgbench.signal components: chunk invariance, faults, alarms."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.records.synthetic import synthetic_ecg, write_synthetic_record
from ecgbench.streaming.classifier import RuleClassifier
from ecgbench.streaming.events import AlarmEvent, BeatEvent
from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
from ecgbench.streaming.source import RecordSource

FS = 360.0


def _run(signal: np.ndarray, chunk_s: float, drop: set[int] = frozenset(), pipeline=None):
    pipeline = pipeline or StreamingPipeline(FS, signal.shape[1], RuleClassifier(FS))
    n = int(round(chunk_s * FS))
    events = []
    for k, start in enumerate(range(0, signal.shape[0], n)):
        if k in drop:
            continue
        events += pipeline.process(signal[start : start + n], start)
    events += pipeline.flush()
    return events, pipeline


def _beats(events):
    return [(e.sample, e.label) for e in events if isinstance(e, BeatEvent)]


def test_chunk_size_invariance_one_second_vs_whole_record(tmp_path):
    write_synthetic_record(tmp_path, "inv", duration=90.0, symbols="NNNNVNNSNNNNNVVVNN", heart_rate=80, seed=4)
    signal = RecordSource("inv", tmp_path, FS).signal
    whole, _ = _run(signal, 90.0)
    for chunk in (1.0, 0.37):
        assert _beats(_run(signal, chunk)[0]) == _beats(whole)
    labels = [label for _, label in _beats(whole)]
    assert len(labels) >= 110 and "V" in labels and "N" in labels


def test_chunk_invariance_holds_for_the_test_double_too(double_components):
    ecg = synthetic_ecg(duration=30.0, symbols="NNNV", seed=5)

    def make():
        filt, detector = double_components(FS)
        return StreamingPipeline(FS, 2, RuleClassifier(FS), detector=detector, filter=filt)

    assert _beats(_run(ecg.signal, 1.0, pipeline=make())[0]) == _beats(_run(ecg.signal, 30.0, pipeline=make())[0])


def _detected_after(events, ecg, t_from: float, t_to: float) -> float:
    """Fraction of reference beats in [t_from, t_to) s with a detected beat within 150 ms."""
    detected = np.array([e.sample for e in events if isinstance(e, BeatEvent)])
    ref = ecg.r_peaks[(ecg.r_peaks >= t_from * FS) & (ecg.r_peaks < t_to * FS)]
    hits = [np.any(np.abs(detected - r) <= 0.15 * FS) for r in ref]
    return float(np.mean(hits)) if hits else float("nan")


def _quality_starts(events):
    return [e for e in events if isinstance(e, AlarmEvent) and e.kind == "signal_quality" and e.state == "start"]


FAULTS = {
    "nan_burst": (20.0, 22.0),
    "flat_10s": (20.0, 30.0),
    "saturation": (20.0, 25.0),
    "amplitude_x10": (20.0, 60.0),
    "dropped_chunks": (20.0, 23.0),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faults_raise_quality_flag_and_detection_recovers_within_5_s(fault):
    ecg = synthetic_ecg(duration=60.0, heart_rate=75, seed=7)
    x = ecg.signal.copy()
    a, b = (int(t * FS) for t in FAULTS[fault])
    drop: set[int] = set()
    if fault == "nan_burst":
        x[a:b] = np.nan
    elif fault == "flat_10s":
        x[a:b] = x[a]
    elif fault == "saturation":
        x[a:b] = np.clip(8.0 * x[a:b], -5.12, 5.12)
    elif fault == "amplitude_x10":
        x[a:] *= 10.0
    else:
        drop = {20, 21, 22}  # 1-s chunks 20-22 never arrive
    events, _ = _run(x, 1.0, drop)
    starts = _quality_starts(events)
    assert any(FAULTS[fault][0] - 1.0 <= e.time <= FAULTS[fault][0] + 1.0 for e in starts), starts
    recovered_from = FAULTS[fault][1] + 5.0 if fault != "amplitude_x10" else FAULTS[fault][0] + 5.0
    assert _detected_after(events, ecg, recovered_from, 59.0) == 1.0
    assert _detected_after(events, ecg, 2.0, FAULTS[fault][0] - 1.0) == 1.0
    asystole = [e for e in events if isinstance(e, AlarmEvent) and e.kind == "asystole"]
    assert asystole == []  # the pause comes from a bad lead, not the heart


def test_real_pause_raises_asystole_and_vt_run_raises_vt():
    ecg = synthetic_ecg(duration=40.0, heart_rate=70, noise_mv=0.02, seed=8)
    x = ecg.signal.copy()
    a, b = int(15 * FS), int(21 * FS)
    rng = np.random.default_rng(0)
    x[a:b] = 0.03 * rng.standard_normal((b - a, 2))  # asystole: 6 s of low-level noise, lead still on
    events, _ = _run(x, 1.0)
    kinds = [(e.kind, e.state) for e in events if isinstance(e, AlarmEvent)]
    assert ("asystole", "start") in kinds and ("asystole", "end") in kinds
    vt = synthetic_ecg(duration=40.0, heart_rate=70, symbols=["N"] * 20 + ["V"] * 8 + ["N"] * 20, rr_jitter=0.0, seed=9)
    events, _ = _run(vt.signal, 1.0)
    alarms = [e for e in events if isinstance(e, AlarmEvent) and e.kind == "VT"]
    assert alarms and alarms[0].state == "start"


def test_algorithmic_latency_is_bounded_with_small_chunks():
    ecg = synthetic_ecg(duration=30.0, seed=10)
    events, pipeline = _run(ecg.signal, 0.1)
    latency = np.array([e.latency for e in events if isinstance(e, BeatEvent) and e.time > 3.0])  # after learning
    assert latency.size >= 30 and pipeline.latency.summary().beats >= latency.size
    # decision needs the 0.5-s post-R window and the detector's commit delay, plus at most one chunk
    assert 0.5 <= latency.min() and np.percentile(latency, 99) <= 1.0


class _RecordingClassifier:
    """A classifier that needs the post-RR interval and records every (R-relative) input it is given."""

    sampling_rate, window_before, window_after, needs_post_rr, filtered = FS, 0.3, 0.5, True, False

    def __init__(self) -> None:
        self.posts: list[float] = []

    def classify(self, windows, rr):
        self.posts += list(np.asarray(rr["post"], dtype=float))
        probs = np.zeros((len(windows), 5), np.float32)
        probs[:, 0] = 1.0
        return probs


def test_post_rr_after_a_long_pause_is_the_same_for_every_chunk_length():
    """The post-RR timeout is a signal-time rule: a beat before a 3-s pause gets post = NaN in 1-s
    chunks and in one whole-record chunk alike (it used to be known only in the latter)."""
    ecg = synthetic_ecg(duration=40.0, heart_rate=75, symbols="N", seed=6)
    signal = ecg.signal.copy()
    pause = slice(int(20.0 * FS), int(23.0 * FS))  # ~3 beats removed: the RR over the pause is ~3.8 s
    signal[pause] = signal[pause] * 0.0 + signal[pause.start]
    runs = {}
    for chunk in (1.0, 0.25, 40.0):
        clf = _RecordingClassifier()
        pipeline = StreamingPipeline(FS, 2, clf, config=PipelineConfig(provisional_labels=False))
        events, _ = _run(signal, chunk, pipeline=pipeline)
        runs[chunk] = (_beats(events), clf.posts)
    for chunk in (1.0, 0.25):
        assert runs[chunk][0] == runs[40.0][0]
        np.testing.assert_array_equal(runs[chunk][1], runs[40.0][1])  # NaN positions included
    posts = np.asarray(runs[40.0][1])
    assert np.isnan(posts).sum() >= 2  # the beat before the pause and the last beat of the stream
    assert np.nanmax(posts) < PipelineConfig().post_rr_timeout
