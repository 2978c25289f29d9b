"""Unit tests of the streaming building blocks: ring buffer, resampler, sources, alarms, quality, latency."""

from __future__ import annotations

import io

import numpy as np
import pytest
from scipy import signal as sps

from ecgbench.errors import ConfigError, CorruptDataError
from ecgbench.records.synthetic import write_synthetic_record
from ecgbench.streaming.alarms import AlarmConfig, RhythmMonitor
from ecgbench.streaming.buffers import SampleRing
from ecgbench.streaming.clock import Pacer
from ecgbench.streaming.events import AlarmEvent, AnnotationCollector, BeatEvent
from ecgbench.streaming.latency import LogHistogram
from ecgbench.streaming.monitor import braille_trace
from ecgbench.streaming.quality import QualityMonitor
from ecgbench.streaming.source import RecordSource, StdinSource, StreamResampler, concatenate


def test_ring_buffer_wraps_grows_and_refuses_overwritten_samples():
    ring = SampleRing(5, 2)
    data = np.arange(24, dtype=np.float32).reshape(12, 2)
    for k in range(0, 12, 3):
        ring.append(data[k : k + 3])
    # 5 samples of history are kept beyond the largest chunk (3): capacity 8, bounded
    assert (ring.capacity, ring.start, ring.end) == (8, 4, 12)
    np.testing.assert_array_equal(ring.get(4, 12), data[4:12])
    with pytest.raises(IndexError):
        ring.get(3, 8)
    ring.append(np.zeros((9, 2), np.float32))  # larger than capacity: grows, keeps the history
    assert ring.capacity >= 14 and ring.end == 21
    np.testing.assert_array_equal(ring.get(10, 12), data[10:12])


@pytest.mark.parametrize(("up", "down"), [(18, 25), (25, 18), (1, 2), (360, 500)])
def test_stream_resampler_equals_resample_poly_on_the_whole_signal(up, down):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3001, 2))
    resampler = StreamResampler(up, down)
    pieces, i = [], 0
    while i < x.shape[0]:
        k = int(rng.integers(1, 400))
        pieces.append(resampler.process(x[i : i + k]))
        i += k
    pieces.append(resampler.flush())
    np.testing.assert_allclose(np.concatenate(pieces), sps.resample_poly(x, up, down, axis=0), atol=1e-5)


def test_record_source_resamples_and_chunks(tmp_path):
    write_synthetic_record(tmp_path, "r250", fs=250.0, duration=10.0, seed=2)
    source = RecordSource("r250", tmp_path, sampling_rate=360.0, chunk_duration=0.5)
    chunks = list(source)
    assert source.fs == 360.0 and source.source_fs == 250.0
    assert [c.start for c in chunks[:3]] == [0, 180, 360]
    assert sum(c.signal.shape[0] for c in chunks) == 3600
    chained = list(concatenate([source, source]))
    assert chained[-1].stop == 7200 and chained[len(chunks)].start == 3600


def test_stdin_source_int16_and_csv():
    raw = (np.arange(20, dtype="<i2").reshape(10, 2) * 200).tobytes()
    chunks = list(StdinSource(10.0, 2, "int16", gain=200.0, chunk_duration=0.4, stream=io.BytesIO(raw)))
    assert [c.signal.shape[0] for c in chunks] == [4, 4, 2]
    np.testing.assert_allclose(chunks[0].signal[1], [2.0, 3.0])
    text = io.BytesIO(b"1,2\n3,4\n\n5,6\n")
    chunks = list(StdinSource(10.0, 2, "csv", gain=1.0, chunk_duration=0.2, stream=text))
    np.testing.assert_allclose(np.concatenate([c.signal for c in chunks]), [[1, 2], [3, 4], [np.nan, np.nan], [5, 6]])
    with pytest.raises(CorruptDataError, match="line 1"):
        list(StdinSource(10.0, 3, "csv", chunk_duration=1.0, stream=io.BytesIO(b"1,2\n"), max_bad_lines=0))
    with pytest.raises(ConfigError, match="stdin format"):
        StdinSource(10.0, 2, "wav")


def _feed(monitor: RhythmMonitor, times, labels):
    changes = []
    for t, label in zip(times, labels):
        changes += monitor.on_beat(float(t), label)
    return changes


def test_vt_alarm_needs_three_fast_ventricular_beats():
    times = np.cumsum([0.8] * 5 + [0.45] * 4 + [0.8] * 3)
    labels = ["N"] * 5 + ["V"] * 4 + ["N"] * 3
    changes = _feed(RhythmMonitor(), times, labels)
    assert [(c.kind, c.state) for c in changes] == [("VT", "start"), ("VT", "end")]
    assert changes[0].time == pytest.approx(times[5])
    assert changes[1].evidence["run_length"] == 4
    slow = np.cumsum([0.8] * 5 + [0.9] * 4 + [0.8] * 3)  # 67 bpm idioventricular: no VT alarm
    assert _feed(RhythmMonitor(), slow, labels) == []
    couplet = ["N"] * 5 + ["V", "V", "N", "N"] + ["N"] * 3
    assert _feed(RhythmMonitor(), times, couplet) == []


def test_af_alarm_on_irregular_rr_not_on_regular_or_bigeminy():
    rng = np.random.default_rng(0)
    regular = np.cumsum(0.8 + 0.01 * rng.standard_normal(60))
    irregular = regular[-1] + np.cumsum(0.7 * (1 + 0.3 * rng.standard_normal(60)).clip(0.5, 1.6))
    back = irregular[-1] + np.cumsum(0.8 + 0.01 * rng.standard_normal(40))
    times = np.concatenate([regular, irregular, back])
    median = AlarmConfig(af_method="median")
    changes = [c for c in _feed(RhythmMonitor(median), times, ["N"] * times.size) if c.kind == "AF"]
    assert [c.state for c in changes] == ["start", "end"]
    assert regular[-1] - 12 * 0.8 <= changes[0].time <= irregular[20]  # onset dated back to the first crossing window
    assert irregular[-1] <= changes[1].time <= back[15]
    bigeminy = np.cumsum(np.tile([0.55, 1.05], 40))  # ventricular bigeminy: V beats break the RR chain
    assert _feed(RhythmMonitor(median), bigeminy, ["V", "N"] * 40) == []


def test_asystole_raised_after_four_seconds_and_suppressed_when_lead_is_bad():
    monitor = RhythmMonitor(AlarmConfig(asystole=4.0))
    _feed(monitor, [1.0, 2.0, 3.0], ["N"] * 3)
    assert monitor.check_pause(6.9, quality_bad=0.0) == []
    start = monitor.check_pause(7.1, quality_bad=0.0)
    assert [(c.kind, c.state, c.time) for c in start] == [("asystole", "start", 7.0)]
    end = monitor.on_beat(9.0, "N")
    assert [(c.kind, c.state) for c in end] == [("asystole", "end")]
    quiet = RhythmMonitor()
    _feed(quiet, [1.0, 2.0], ["N", "N"])
    assert quiet.check_pause(20.0, quality_bad=0.9) == []


def test_quality_monitor_flags_each_fault_and_recovers():
    fs = 100.0
    t = np.arange(int(40 * fs)) / fs
    x = (0.5 * np.sin(2 * np.pi * 1.2 * t)).astype(np.float32)[:, None]
    x[500:700] = np.nan  # NaN burst 5-7 s
    x[1000:2000] = 0.25  # flat 10-20 s
    x[2500:2600] = 6.0  # saturation 25-26 s
    monitor = QualityMonitor(fs, 1)
    changes = []
    for k in range(0, x.shape[0], 37):  # odd chunking
        for verdict in monitor.update(x[k : k + 37]):
            change = monitor.record(verdict)
            if change:
                changes.append((change, verdict.reasons))
    starts = [(c[0][1], c[1][0]) for c in changes if c[0][0] == "start"]
    assert [s[0] for s in starts] == [5.0, 10.0, 25.0]
    assert "nan" in starts[0][1] and "flat" in starts[1][1] and "saturation" in starts[2][1]
    assert not monitor.in_fault


def test_log_histogram_percentiles_within_one_percent():
    values = np.random.default_rng(1).uniform(0.1, 1.0, 10_000)
    hist = LogHistogram()
    hist.add(values)
    for q in (50, 99):
        assert hist.percentile(q) == pytest.approx(np.percentile(values, q), rel=0.012)
    assert hist.max == values.max() and hist.count == values.size


def test_pacer_waits_for_signal_time_at_speed():
    now = [0.0]
    slept = []
    pacer = Pacer(4.0, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    pacer.wait_until(0.0)
    pacer.wait_until(2.0)
    assert slept == [pytest.approx(0.5)]
    Pacer(0).wait_until(100.0)  # unpaced: returns at once
    with pytest.raises(ConfigError):
        Pacer(-1)


def test_annotation_collector_writes_rhythm_with_vt_over_af(tmp_path):
    from ecgbench.records import read_annotations

    collector = AnnotationCollector()
    collector.add([BeatEvent(360, 1.0, "N", 0.9, 1.5), BeatEvent(720, 2.0, "V", 0.8, 2.5)], 360.0)
    collector.add([AlarmEvent("AF", "start", 1.0, 3.0), AlarmEvent("VT", "start", 2.0, 3.0),
                   AlarmEvent("VT", "end", 3.0, 4.0), AlarmEvent("AF", "end", 4.0, 5.0)], 360.0)  # fmt: skip
    collector.write("x", tmp_path, 360.0)
    ann = read_annotations("x", tmp_path, "stream")
    rhythm = [(int(s), a) for s, y, a in zip(ann.sample, ann.symbol, ann.aux_note) if y == "+"]
    assert rhythm == [(360, "(AFIB"), (720, "(VT"), (1080, "(AFIB"), (1440, "(N")]
    assert list(ann.symbol[ann.symbol != "+"]) == ["N", "V"]


def test_braille_trace_has_requested_size_and_draws_the_spike():
    values = np.zeros(200)
    values[100] = 1.0
    lines = braille_trace(values, width=20, height=3)
    assert len(lines) == 3 and all(len(line) == 20 for line in lines)
    assert lines[0][10] != chr(0x2800) and lines[0][0] == chr(0x2800)


def test_multi_lead_filter_equals_streaming_filter_per_lead():
    from ecgbench.signal.filters import StreamingFilter
    from ecgbench.streaming.pipeline import MultiLeadFilter

    x = np.random.default_rng(4).standard_normal((2000, 2)) + 1.5
    reference = [StreamingFilter(360.0), StreamingFilter(360.0)]
    multi = MultiLeadFilter(reference[0].sos, 2)
    for k in range(0, 2000, 333):
        out = multi.process(x[k : k + 333])
        for lead in range(2):
            np.testing.assert_allclose(out[:, lead], reference[lead].process(x[k : k + 333, lead]), atol=1e-9)


def test_classifier_factory_fresh_rules_per_stream_one_model_load(monkeypatch):
    from ecgbench.streaming import classifier as module

    make = module.classifier_factory("rules")
    assert make() is not make()  # RuleClassifier keeps a per-stream template
    loads = []
    sentinel = object()
    monkeypatch.setattr(module, "load_classifier", lambda spec, fs=360.0, results_dir=None: loads.append(spec) or sentinel)
    make = module.classifier_factory("cnn1d")
    assert make() is sentinel and make() is sentinel and loads == ["cnn1d"]


def test_classifier_factory_pickles_as_its_settings_and_reloads_once_on_the_worker(monkeypatch):
    import pickle

    from ecgbench.streaming import classifier as module

    loads = []
    monkeypatch.setattr(module, "load_classifier", lambda spec, fs=360.0, results_dir=None: loads.append(spec) or object())
    make = module.classifier_factory("cnn1d", results_dir="/shared/results")
    shipped = pickle.loads(pickle.dumps(make))  # what a Beam worker receives: no model inside
    assert shipped._loaded is None and make._loaded is not None
    assert (shipped.spec, shipped.results_dir) == ("cnn1d", "/shared/results")
    shipped(), shipped()
    assert loads == ["cnn1d", "cnn1d"]  # once in the launcher (fail early), once on the worker
