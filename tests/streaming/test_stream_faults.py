"""The streaming chain under faults: gaps, flat lines, saturation, noise, garbage on stdin, cold start."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ecgbench.errors import ConfigError, CorruptDataError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.streaming import faults
from ecgbench.streaming.alarms import AlarmConfig, RhythmMonitor
from ecgbench.streaming.classifier import RuleClassifier
from ecgbench.streaming.events import AlarmEvent, BeatEvent
from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
from ecgbench.streaming.quality import QualityConfig, QualityMonitor
from ecgbench.streaming.source import StdinSource

FS = 360.0


def _stream(signal: np.ndarray, config: PipelineConfig | None = None, chunk_s: float = 1.0) -> list:
    pipeline = StreamingPipeline(FS, signal.shape[1], RuleClassifier(FS), config=config)
    n = int(round(chunk_s * FS))
    events: list = []
    for start in range(0, signal.shape[0], n):
        events += pipeline.process(signal[start : start + n], start)
    return events + pipeline.flush()


def _labels_after(events: list, t0: float, t1: float) -> str:
    return "".join(e.label for e in events if isinstance(e, BeatEvent) and t0 < e.time <= t1)


def _alarms(events: list, kind: str) -> list[tuple[str, float]]:
    return [(e.state, e.time) for e in events if isinstance(e, AlarmEvent) and e.kind == kind]


@pytest.mark.parametrize("kind", ["gap", "flat", "saturation"])
def test_no_premature_labels_after_a_fault(kind):
    """The RR context restarts after the fault: its long interval never makes normal beats 'premature' (S)."""
    ecg = synthetic_ecg(duration=60.0, heart_rate=75, rr_jitter=0.01, seed=1)
    x = faults.inject(ecg.signal, FS, faults.Fault(kind, 20.0, 10.0))
    events = _stream(x)
    assert "S" not in _labels_after(events, 30.0, 45.0)
    assert ("start", 20.0) in _alarms(events, "signal_quality")


def test_rr_interval_across_a_gap_is_not_handed_to_the_classifier():
    ecg = synthetic_ecg(duration=40.0, heart_rate=60, rr_jitter=0.0, seed=2)
    x = faults.gap(ecg.signal, FS, 15.0, 5.0)
    pipeline = StreamingPipeline(FS, 2, RuleClassifier(FS))
    seen: list[tuple[float, float]] = []
    classify = pipeline.classifier.classify

    def spy(windows, rr, **kw):
        seen.extend(zip(rr["pre"].tolist(), rr["local"].tolist()))
        return classify(windows, rr, **kw)

    pipeline.classifier.classify = spy
    for start in range(0, x.shape[0], 360):
        pipeline.process(x[start : start + 360], start)
    pipeline.flush()
    pres = np.array([p for p, _ in seen])
    locals_ = np.array([loc for _, loc in seen])
    assert np.nanmax(pres) < 1.5  # no 5-s interval
    assert np.nanmax(locals_) < 1.5  # nor in the local mean
    assert 1 <= np.isnan(pres[1:]).sum() <= 3  # restarts only at the gap (beats at its edges)


def test_vt_alarm_suppressed_while_quality_is_bad():
    monitor = RhythmMonitor(AlarmConfig())
    changes = []
    for k, t in enumerate(np.arange(0.0, 3.0, 0.4)):
        changes += monitor.on_beat(float(t), "V", vt_quality_bad=True)
    assert [c.state for c in changes if c.kind == "VT"] == ["suppressed"]
    assert not monitor.vt.active
    good = RhythmMonitor(AlarmConfig())
    changes = []
    for t in np.arange(0.0, 3.0, 0.4):
        changes += good.on_beat(float(t), "V")
    assert [c.state for c in changes if c.kind == "VT"] == ["start"]


def test_broadband_noise_raises_the_quality_alarm_not_vt():
    ecg = synthetic_ecg(duration=90.0, heart_rate=70, seed=3)
    x = ecg.signal.copy()
    rng = np.random.default_rng(0)
    a, b = int(30 * FS), int(60 * FS)
    x[a:b] += 0.6 * rng.standard_normal((b - a, 2))  # heavy broadband noise, lead on
    events = _stream(x)
    quality = _alarms(events, "signal_quality")
    assert quality and 30.0 <= quality[0][1] <= 34.0
    assert not [s for s, _ in _alarms(events, "VT") if s == "start"]
    off = _stream(x, PipelineConfig(alarms=AlarmConfig(vt_quality_guard=None), quality=QualityConfig(noise_ratio=None)))
    assert [s for s, _ in _alarms(off, "VT") if s == "start"]  # without the checks the noise raises VT


def test_random_int16_bytes_raise_no_vt_alarm():
    raw = np.random.default_rng(5).integers(-32767, 32767, size=(int(40 * FS), 2), dtype=np.int16).tobytes()
    source = StdinSource(FS, 2, "int16", gain=200.0, chunk_duration=1.0, stream=io.BytesIO(raw))
    pipeline = StreamingPipeline(FS, 2, RuleClassifier(FS))
    events: list = []
    for piece in source:
        events += pipeline.process(piece.signal, piece.start)
    events += pipeline.flush()
    assert not [s for s, _ in _alarms(events, "VT") if s == "start"]
    assert _alarms(events, "signal_quality")


def test_noise_index_leaves_clean_ecg_and_low_level_asystole_alone():
    quality = QualityMonitor(FS, 2)
    ecg = synthetic_ecg(duration=20.0, heart_rate=70, seed=4).signal
    rng = np.random.default_rng(1)
    pause = 0.03 * rng.standard_normal((int(10 * FS), 2))
    verdicts = quality.update(np.concatenate([ecg, pause]).astype(np.float32))
    assert all(v.good for v in verdicts)


def test_stdin_csv_blank_lines_and_gap_markers_keep_the_timeline():
    text = b"1,2\n3,4\n\n5,6\n#gap 3\n7,8\n"
    source = StdinSource(10.0, 2, "csv", gain=1.0, chunk_duration=10.0, stream=io.BytesIO(text))
    signal = np.concatenate([c.signal for c in source])
    assert signal.shape == (8, 2)
    np.testing.assert_array_equal(np.isnan(signal[:, 0]), [0, 0, 1, 0, 1, 1, 1, 0])
    np.testing.assert_allclose(signal[[0, 1, 3, 7]], [[1, 2], [3, 4], [5, 6], [7, 8]])
    assert source.missing_samples == 4 and not source.warnings


def test_stdin_csv_timestamps_fill_a_jump():
    text = b"0.0,1,2\n0.1,3,4\n0.5,5,6\n"
    source = StdinSource(10.0, 2, "csv", gain=1.0, chunk_duration=10.0, stream=io.BytesIO(text), timestamps=True)
    signal = np.concatenate([c.signal for c in source])
    assert signal.shape == (6, 2) and np.isnan(signal[2:5]).all()
    np.testing.assert_allclose(signal[5], [5, 6])


def test_stdin_garbage_lines_are_reported_skipped_and_limited():
    text = b"1,2\nhello\n3\n5,6\n"
    source = StdinSource(10.0, 2, "csv", gain=1.0, chunk_duration=10.0, stream=io.BytesIO(text))
    signal = np.concatenate([c.signal for c in source])
    assert signal.shape == (4, 2) and np.isnan(signal[1:3]).all()
    assert len(source.warnings) == 2 and "line 2" in source.warnings[0] and "line 3" in source.warnings[1]
    with pytest.raises(CorruptDataError, match="more than 1 garbage lines"):
        list(StdinSource(10.0, 2, "csv", chunk_duration=1.0, stream=io.BytesIO(text), max_bad_lines=1))
    with pytest.raises(ConfigError, match="--timestamps needs --format csv"):
        StdinSource(10.0, 2, "int16", timestamps=True)


def test_stdin_int16_missing_value_and_trailing_partial_frame():
    raw = np.array([[1, 2], [-32768, 5], [7, 8]], dtype="<i2").tobytes() + b"\x01"
    source = StdinSource(10.0, 2, "int16", gain=1.0, chunk_duration=10.0, stream=io.BytesIO(raw))
    signal = np.concatenate([c.signal for c in source])
    assert signal.shape == (3, 2) and np.isnan(signal[1]).all()
    assert source.warnings and "--leads" in source.warnings[0]


def test_rules_template_relearns_after_odd_first_beats():
    """Start-up beats that differ from the patient's normal beats must not freeze the template."""
    clf = RuleClassifier(FS)
    ecg = synthetic_ecg(duration=12.0, heart_rate=60, rr_jitter=0.0, noise_mv=0.0, seed=0)
    r = int(ecg.r_peaks[3])
    window = ecg.signal[r - 108 : r + 180].astype(np.float32)
    odd = -window  # e.g. a filter start-up transient: narrow, on time, but of the opposite shape
    rr = {"pre": np.array([1.0]), "post": np.array([np.nan]), "local": np.array([1.0]), "average": np.array([1.0])}
    for _ in range(5):
        clf.classify(odd[None], rr)
    labels = [int(clf.classify(window[None], rr)[0].argmax()) for _ in range(30)]
    assert labels[-20:] == [0] * 20  # N once the normal beats outnumber the odd ones in the median


def test_suppressed_vt_alarms_are_reported_and_judged():
    from ecgbench.records.io import Annotations
    from ecgbench.streaming.events import AnnotationCollector
    from ecgbench.streaming.latency import LatencyTracker
    from ecgbench.streaming.track import StreamedRecord, suppressed_vt_alarms

    times = np.array([1.0, 2.0, 3.0, 10.0, 10.4, 10.8, 11.2, 20.0])
    symbols = np.array(["N", "N", "N", "V", "V", "V", "V", "N"])
    reference = Annotations("x", "atr", np.round(times * FS).astype(np.int64), symbols, ("",) * 8, FS)
    collector = AnnotationCollector()
    collector.add([AlarmEvent("VT", "suppressed", 10.0, 11.0, {}), AlarmEvent("VT", "suppressed", 15.0, 16.0, {})], FS)
    streamed = StreamedRecord("x", FS, int(25 * FS), collector, 1.0, LatencyTracker())
    rows = suppressed_vt_alarms(streamed, reference)
    assert [r["true"] for r in rows] == [True, False]
    assert collector.alarm_intervals("VT", until=25.0) == []  # a suppressed alarm is no alarm


def _beats_to_af(config: AlarmConfig, seed: int = 0) -> int | None:
    from ecgbench.streaming.alarms import PetrenasAFDetector

    detector = PetrenasAFDetector(config)
    rng = np.random.default_rng(seed)
    t = 0.0
    for k in range(200):
        rr = float(rng.uniform(0.4, 1.0))  # AF-like: fast and irregular
        t += rr
        change = detector.update(t, rr)
        if change is not None and change.state == "start":
            return k
    return None


def test_af_start_dwell_shortens_only_the_cold_start():
    slow = _beats_to_af(AlarmConfig(af_start_dwell=None))
    fast = _beats_to_af(AlarmConfig(af_start_dwell=8))
    assert slow is not None and fast is not None and fast <= slow - 20 and fast <= 3 + 8 + 8 + 2
    with pytest.raises(ConfigError, match="af_start_dwell"):
        AlarmConfig(af_start_dwell=0)
    assert _beats_to_af(AlarmConfig(af_dwell=4, af_start_dwell=8)) <= fast  # never longer than af_dwell


def test_recent_noise_check_sees_the_last_second_before_its_block_is_judged():
    quality = QualityMonitor(FS, 2)
    ecg = synthetic_ecg(duration=10.0, heart_rate=70, seed=6).signal.astype(np.float32)
    quality.update(ecg)
    assert not quality.recent_noisy()
    rng = np.random.default_rng(2)
    burst = ecg[: int(1.5 * FS)] + 0.6 * rng.standard_normal((int(1.5 * FS), 2)).astype(np.float32)
    verdicts = quality.update(burst)
    assert quality.recent_noisy() and all(v.good for v in verdicts)  # the block median has not flagged it yet


def test_recent_noise_check_does_not_depend_on_the_chunk_length():
    rng = np.random.default_rng(3)
    ecg = synthetic_ecg(duration=6.0, heart_rate=70, seed=6).signal.astype(np.float32)
    ecg[int(4.5 * FS) :] += 0.6 * rng.standard_normal((ecg.shape[0] - int(4.5 * FS), 2)).astype(np.float32)
    answers = []
    for n in (360, 97, 1000):
        quality = QualityMonitor(FS, 2)
        for start in range(0, ecg.shape[0], n):
            quality.update(ecg[start : start + n])
        answers.append((quality.recent_noisy(), quality.noise_index(quality._tail)))
    assert answers[0][0] and all(a == answers[0] for a in answers)


def test_faults_give_the_same_beats_and_alarms_for_one_second_chunks_and_the_whole_record():
    """Quality blocks are 1 s: with chunks of whole blocks the RR restarts and VT suppression are chunk-invariant."""
    ecg = synthetic_ecg(duration=60.0, heart_rate=80, symbols="NNNNV", seed=9)
    x = faults.gap(ecg.signal, FS, 12.3, 4.0)
    x = faults.flat(x, FS, 25.6, 6.0)
    rng = np.random.default_rng(4)
    x[int(40 * FS) : int(50 * FS)] += 0.5 * rng.standard_normal((int(10 * FS), 2))

    def summary(events):
        return ([(e.sample, e.label) for e in events if isinstance(e, BeatEvent)],
                sorted((e.kind, e.state, round(e.time, 3)) for e in events if isinstance(e, AlarmEvent)))  # fmt: skip

    assert summary(_stream(x, chunk_s=1.0)) == summary(_stream(x, chunk_s=60.0))


def test_record_100_gap_and_heavy_muscle_noise(mitdb_dir, nstdb_dir):
    """Issue 29's cases on the real record: 10 s of NaN, and 3x NSTDB ma noise over 60-120 s."""
    from ecgbench.records.io import read_record

    x = read_record("100", mitdb_dir).signal.astype(np.float64)[: int(400 * FS)]
    after_gap = _labels_after(_stream(faults.gap(x, FS, 300.0, 10.0)), 310.0, 320.0)
    assert "S" not in after_gap  # was 9 S beats
    noisy = x.copy()
    ma = read_record("ma", nstdb_dir).signal.astype(np.float64)
    noisy[int(60 * FS) : int(120 * FS)] += 3.0 * ma[: int(60 * FS)]
    events = _stream(noisy)
    assert [t for s, t in _alarms(events, "signal_quality") if s == "start" and 60 <= t < 120]
    assert not [s for s, _ in _alarms(events, "VT") if s == "start"]  # was 7 false VT alarms
