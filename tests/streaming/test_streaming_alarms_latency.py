"""VT and AF alarm criteria, provisional labels (latency), and the ONNX inference backend."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records.io import Annotations
from ecgbench.records.symbols import AAMI_CLASSES
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.streaming.alarms import AlarmConfig, RhythmMonitor
from ecgbench.streaming.classifier import RuleClassifier
from ecgbench.streaming.events import AlarmEvent, AnnotationCollector, BeatEvent, ProvisionalBeatEvent
from ecgbench.streaming.latency import LatencyTracker
from ecgbench.streaming.pipeline import StreamingPipeline
from ecgbench.streaming.track import StreamedRecord, reference_ventricular_intervals, vt_alarm_truth

FS = 360.0


def _stream(signal: np.ndarray, classifier, chunk_s: float = 1.0):
    pipeline = StreamingPipeline(FS, signal.shape[1], classifier)
    n = int(round(chunk_s * FS))
    events = []
    for start in range(0, signal.shape[0], n):
        events += pipeline.process(signal[start : start + n], start)
    return events + pipeline.flush(), pipeline


def _vt_starts(events):
    return [e for e in events if isinstance(e, AlarmEvent) and e.kind == "VT" and e.state == "start"]


def _feed(times, labels, config: AlarmConfig | None = None):
    monitor = RhythmMonitor(config)
    changes = []
    for t, label in zip(times, labels):
        changes += monitor.on_beat(float(t), label)
    return changes


# --- VT ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("run", "base_bpm", "alarms"), [(4, 97.5, True), (3, 58.5, False)])
def test_synthetic_record_four_beat_run_at_150_bpm_alarms_three_at_90_does_not(run, base_bpm, alarms):
    # synthetic_ecg spaces consecutive V beats at 0.65 x the base RR: 97.5 bpm -> 150 bpm, 58.5 -> 90 bpm
    symbols = ["N"] * 25 + ["V"] * run + ["N"] * 25
    ecg = synthetic_ecg(duration=45.0, heart_rate=base_bpm, symbols=symbols, rr_jitter=0.0, seed=11)
    events, _ = _stream(ecg.signal, RuleClassifier(FS))
    v_times = ecg.r_peaks[ecg.symbols == "V"][:run] / FS
    labels = {round(e.time, 1): e.label for e in events if isinstance(e, BeatEvent)}
    assert sum(labels.get(round(t, 1)) == "V" for t in v_times) == run  # the chain labels the run V
    starts = _vt_starts(events)
    if alarms:
        assert len(starts) == 1 and abs(starts[0].time - v_times[0]) < 0.05
        assert starts[0].decision_time - v_times[0] <= 5.0  # the issue-7 delay target
        assert starts[0].evidence["rate_bpm"] == pytest.approx(150.0, abs=3.0)
    else:
        assert starts == []


def test_vt_rate_is_also_checked_over_the_last_beats_of_a_run():
    # a long coupling inside the run, then fast: the whole run averages 100 bpm, its last 3 beats 133 bpm
    rr = [0.8] * 6 + [0.5, 0.9, 0.45, 0.45] + [0.8] * 4
    times = np.cumsum(rr)
    labels = ["N"] * 6 + ["V"] * 4 + ["N"] * 4
    changes = _feed(times, labels)
    assert [(c.kind, c.state) for c in changes] == [("VT", "start"), ("VT", "end")]
    assert changes[0].time == pytest.approx(times[6])  # the onset is the run's first beat
    assert changes[0].evidence["run_length"] == 4 and changes[0].evidence["last_beats_rate_bpm"] == pytest.approx(133.3, abs=0.1)
    three_slow = np.cumsum([0.8] * 6 + [0.5, 0.667, 0.667] + [0.8] * 4)  # 3 beats at 90 bpm: no VT
    assert _feed(three_slow, ["N"] * 6 + ["V"] * 3 + ["N"] * 4) == []


def test_fusion_beats_count_in_a_ventricular_run_as_in_the_ec57_run_scorer():
    times = np.cumsum([0.8] * 6 + [0.4] * 3 + [0.8] * 4)
    assert [c.kind for c in _feed(times, ["N"] * 6 + ["V", "F", "V"] + ["N"] * 4)] == ["VT", "VT"]
    assert _feed(times, ["N"] * 6 + ["V", "N", "V"] + ["N"] * 4) == []
    assert _feed(times, ["N"] * 6 + ["V", "F", "V"] + ["N"] * 4, AlarmConfig(vt_labels="V")) == []


def test_vt_probability_lets_a_run_beat_labelled_n_count_only_above_the_threshold():
    times = np.cumsum([0.8] * 6 + [0.4] * 4 + [0.8] * 4)
    labels = ["N"] * 6 + ["V", "N", "V", "V"] + ["N"] * 4
    p_ventricular = [0.01] * 6 + [0.9, 0.35, 0.8, 0.9] + [0.01] * 4

    def feed(config):
        monitor = RhythmMonitor(config)
        return [c for t, label, p in zip(times, labels, p_ventricular) for c in monitor.on_beat(float(t), label, 0.0, p)]

    assert feed(AlarmConfig()) == []  # labels alone: the N splits the run into 1 + 2 beats
    assert feed(AlarmConfig(vt_probability=0.4)) == []  # 0.35 is below the operating point
    changes = feed(AlarmConfig(vt_probability=0.3))
    assert [(c.kind, c.state) for c in changes] == [("VT", "start"), ("VT", "end")]
    assert changes[0].time == pytest.approx(times[6]) and changes[0].evidence["run_length"] == 3
    monitor = RhythmMonitor(AlarmConfig(vt_probability=0.3))  # an unknown probability (NaN) never counts
    assert not monitor.is_ventricular_for_vt("N") and monitor.is_ventricular_for_vt("F")


class _UnsureOfV:
    """RuleClassifier whose V beats come out as N at argmax with p(V) = 0.35 (a hesitant model)."""

    def __init__(self) -> None:
        self.inner = RuleClassifier(FS)
        for name in ("sampling_rate", "window_before", "window_after", "needs_post_rr", "filtered"):
            setattr(self, name, getattr(self.inner, name))

    def classify(self, windows, rr):
        probs = np.asarray(self.inner.classify(windows, rr), dtype=np.float64)
        v = probs.argmax(axis=1) == AAMI_CLASSES.index("V")
        probs[v] = [0.6, 0.05, 0.35, 0.0, 0.0]
        return probs


def test_pipeline_hands_the_classifier_v_plus_f_probability_to_the_vt_rule():
    from ecgbench.streaming.pipeline import PipelineConfig

    symbols = ["N"] * 25 + ["V"] * 4 + ["N"] * 25
    ecg = synthetic_ecg(duration=45.0, heart_rate=97.5, symbols=symbols, rr_jitter=0.0, seed=11)
    runs = {}
    for probability in (None, 0.3, 0.4):
        pipeline = StreamingPipeline(FS, 2, _UnsureOfV(), config=PipelineConfig(alarms=AlarmConfig(vt_probability=probability)))
        events = [e for start in range(0, ecg.signal.shape[0], 360) for e in pipeline.process(ecg.signal[start : start + 360], start)]
        events += pipeline.flush()
        runs[probability] = ([(e.time, e.label) for e in events if isinstance(e, BeatEvent)], _vt_starts(events))
    assert runs[None][0] == runs[0.3][0] == runs[0.4][0]  # beat labels (and so EC57 beat figures) unchanged
    assert "V" not in {label for _, label in runs[None][0]}
    assert runs[None][1] == [] and runs[0.4][1] == []
    v_first = ecg.r_peaks[ecg.symbols == "V"][0] / FS
    assert len(runs[0.3][1]) == 1 and abs(runs[0.3][1][0].time - v_first) < 0.05


# --- AF ---------------------------------------------------------------------------------------

MEDIAN = AlarmConfig(af_method="median")


def _rhythm(rng, kind: str, beats: int) -> np.ndarray:
    """RR intervals (s): sinus, AF (irregular), ventricular bigeminy or trigeminy (coupling 0.5 s)."""
    if kind == "sinus":
        return 0.8 + 0.01 * rng.standard_normal(beats)
    if kind == "af":
        return rng.uniform(0.4, 1.0, beats)
    pattern = {"bigeminy": [0.5, 1.1], "trigeminy": [0.8, 0.5, 1.1]}[kind]
    return np.resize(pattern, beats) + 0.01 * rng.standard_normal(beats)


def _af_changes(rr: np.ndarray, labels=None, config: AlarmConfig | None = None):
    times = np.cumsum(rr)
    return [c for c in _feed(times, labels or ["N"] * times.size, config) if c.kind == "AF"], times


def test_petrenas_is_the_default_and_alarms_on_af_with_its_causal_lag():
    assert AlarmConfig().af_method == "petrenas" and AlarmConfig().af_skip_ventricular and AlarmConfig().af_dwell == 32
    rng = np.random.default_rng(5)
    rr = np.concatenate([_rhythm(rng, "sinus", 200), _rhythm(rng, "af", 200), _rhythm(rng, "sinus", 200)])
    changes, times = _af_changes(rr)
    assert [c.state for c in changes] == ["start", "end"]
    # forward-only averaging (alpha = 0.02): the decision lags the change by tens of beats, not hundreds
    assert times[199] < changes[0].time < times[199 + 80] and times[399] < changes[1].time < times[399 + 80]
    assert changes[0].evidence["irregularity"] > 0.725 >= changes[1].evidence["irregularity"]


@pytest.mark.parametrize("kind", ["sinus", "bigeminy", "trigeminy"])
def test_petrenas_ignores_regular_bigeminal_and_trigeminal_rr_without_any_labels(kind):
    rng = np.random.default_rng(6)
    rr = _rhythm(rng, kind, 400)
    changes, _ = _af_changes(rr, config=AlarmConfig(af_skip_ventricular=False))
    assert changes == []
    # trigeminy's median-filtered RR is flat; bigeminy's is only reordered, so its irregularity is
    # high and the bigeminy gate is what holds it back
    monitor = RhythmMonitor(AlarmConfig(af_skip_ventricular=False))
    for t in np.cumsum(rr):
        monitor.on_beat(float(t), "N")
    gated = monitor.af._m_bar / monitor.af._trend > 0.725 > monitor.af.irregularity
    assert gated == (kind == "bigeminy")


def test_petrenas_skips_intervals_next_to_v_beats_only_when_asked():
    # sinus with frequent ventricular couplets at random coupling: irregular RR that is not AF (isolated
    # PVCs alone are removed by the 3-point median filter; couplets are not)
    rng = np.random.default_rng(7)
    rr, labels = [], []
    for _ in range(150):
        first, second = rng.uniform(0.35, 0.6, 2)
        rr += [0.8 + 0.01 * rng.standard_normal(), first, second, 2.4 - first - second]
        labels += ["N", "V", "V", "N"]
    rr = np.asarray(rr)
    assert [c.state for c in _af_changes(rr, labels, AlarmConfig(af_skip_ventricular=False))[0]][:1] == ["start"]
    assert _af_changes(rr, labels)[0] == []


def test_petrenas_survives_gaps_missed_beats_and_nan_intervals():
    rng = np.random.default_rng(8)
    rr = _rhythm(rng, "sinus", 300)
    rr[[50, 120, 121, 200]] = [1.6, 3.5, 0.1, 1.6]  # missed beats, a gap, a double detection
    times = np.cumsum(rr)
    monitor = RhythmMonitor()
    changes = []
    for k, t in enumerate(times):
        changes += monitor.on_beat(float(t), "N")
        if k == 150:
            monitor.last_beat_time = float("nan")  # a stream restart: the next interval is unknown
    assert [c for c in changes if c.kind == "AF"] == [] and np.isfinite(monitor.af.irregularity)


def test_petrenas_dwell_drops_brief_crossings_and_dates_a_kept_change_at_its_first_beat():
    rng = np.random.default_rng(5)
    sinus = 0.8 + 0.01 * rng.standard_normal(200)
    for burst, kept in ((60, False), (80, True)):
        rr = np.concatenate([sinus, rng.uniform(0.4, 1.0, burst), sinus])
        times = np.cumsum(rr)
        seen = {}
        for dwell in (1, 32):
            monitor = RhythmMonitor(AlarmConfig(af_dwell=dwell))
            seen[dwell] = [(c.state, c.time, k) for k, t in enumerate(times) for c in monitor.on_beat(float(t), "N") if c.kind == "AF"]
        # without a dwell both bursts cross eta; the 60-beat one only for a few beats
        assert [s for s, _, _ in seen[1]] == ["start", "end"]
        if not kept:
            assert seen[32] == []
            continue
        assert [(s, t) for s, t, _ in seen[32]] == [(s, t) for s, t, _ in seen[1]]  # same onset/offset times
        assert all(k32 - k1 == 31 for (_, _, k1), (_, _, k32) in zip(seen[1], seen[32]))  # decided 31 beats later


def test_alarm_config_rejects_an_unknown_af_method():
    with pytest.raises(ConfigError, match="af_method"):
        AlarmConfig(af_method="magic")
    with pytest.raises(ConfigError, match="af_alpha"):
        AlarmConfig(af_alpha=1.0)
    with pytest.raises(ConfigError, match="af_dwell"):
        AlarmConfig(af_dwell=0)
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(ConfigError, match="vt_probability"):
            AlarmConfig(vt_probability=bad)
    for bad in ("VX", ""):
        with pytest.raises(ConfigError, match="vt_labels"):
            AlarmConfig(vt_labels=bad)


def test_af_onset_and_offset_point_to_the_change_not_to_the_confirming_beat():
    rng = np.random.default_rng(3)
    regular = np.cumsum(0.8 + 0.005 * rng.standard_normal(40))
    irregular = regular[-1] + np.cumsum((0.7 * (1 + 0.35 * rng.standard_normal(50))).clip(0.35, 1.4))
    back = irregular[-1] + np.cumsum(0.8 + 0.005 * rng.standard_normal(40))
    times = np.concatenate([regular, irregular, back])
    changes = [c for c in _feed(times, ["N"] * times.size, MEDIAN) if c.kind == "AF"]
    assert [c.state for c in changes] == ["start", "end"]
    onset, offset = regular[-1], irregular[-1]
    # within 6 beats of the true change (the confirmation completes about 13 beats later)
    assert irregular[0] - 1e-9 <= changes[0].time <= irregular[5] and changes[0].evidence["confirm_beats"] == 8
    assert onset < changes[0].time and irregular[-3] <= changes[1].time <= back[5]
    assert offset - 3 * 0.8 < changes[1].time


# --- provisional labels -----------------------------------------------------------------------


class PostRRProbe:
    """A stateless classifier that needs the post-RR interval: N when it is known, S when not."""

    sampling_rate = FS
    window_before = 0.3
    window_after = 0.5
    needs_post_rr = True
    filtered = True

    def __init__(self) -> None:
        self.batches: list[int] = []

    def classify(self, windows, rr):
        self.batches.append(len(windows))
        probs = np.zeros((len(windows), 5), np.float32)
        probs[:, 0] = np.where(np.isfinite(rr["post"]), 0.9, 0.1)
        probs[:, 1] = 1.0 - probs[:, 0]
        return probs


def test_provisional_label_comes_first_and_never_reaches_annotations_or_alarms():
    ecg = synthetic_ecg(duration=40.0, heart_rate=60, rr_jitter=0.0, seed=12)
    probe = PostRRProbe()
    events, pipeline = _stream(ecg.signal, probe, 0.25)
    provisional = {e.sample: e for e in events if isinstance(e, ProvisionalBeatEvent)}
    final = {e.sample: e for e in events if isinstance(e, BeatEvent)}
    assert len(final) >= 35 and len(provisional) >= 0.9 * (len(final) - 1)
    last = max(final)  # classified at the end of the stream, with no next beat
    assert all(e.label == "N" for k, e in final.items() if k != last) and all(e.label == "S" for e in provisional.values())
    order = {id(e): k for k, e in enumerate(events)}
    for sample, early in provisional.items():
        assert order[id(early)] < order[id(final[sample])]
        assert early.latency < final[sample].latency  # at 60 bpm the next beat comes 1 s later
        assert 0.5 <= early.latency <= 0.5 + 0.25 + 0.5  # window + one chunk + the detector's commit delay
    assert max(probe.batches) <= 3 and len(probe.batches) <= 40 / 0.25 + 1  # one batched call per chunk at most
    summary = pipeline.latency.summary()
    # only the last beat's final label (no next beat either) equals its provisional one
    assert summary.provisional_beats == len(provisional) and summary.provisional_agreement == pytest.approx(100.0 / len(provisional))
    assert summary.first_label_p99 < summary.algorithmic_p99
    collector = AnnotationCollector()
    collector.add(events, FS)
    samples, labels = collector.beats()
    assert samples.tolist() == sorted(final) and set(labels[:-1].tolist()) == {"N"}
    assert provisional[next(iter(provisional))].to_dict()["type"] == "provisional_beat"


def test_final_labels_do_not_depend_on_chunking_with_provisional_labels_on():
    ecg = synthetic_ecg(duration=30.0, heart_rate=75, symbols="NNNNV", seed=13)

    def finals(chunk):
        events, _ = _stream(ecg.signal, PostRRProbe(), chunk)
        return [(e.sample, e.label) for e in events if isinstance(e, BeatEvent)]

    assert finals(1.0) == finals(0.1) == finals(30.0)


class HistoryProbe(PostRRProbe):
    """A look-ahead classifier that keeps a history of the beats it has finally labelled (as a beat context does)."""

    takes_provisional = True

    def __init__(self) -> None:
        super().__init__()
        self.finals = 0
        self.provisional_calls = 0

    def classify(self, windows, rr, provisional=0):
        assert provisional in (0, 1) and (provisional == 0 or not np.isfinite(rr["post"][-1]))
        self.finals += len(windows) - provisional
        self.provisional_calls += provisional
        return super().classify(windows, rr)


def test_a_classifier_that_takes_provisional_is_told_which_windows_are_provisional():
    ecg = synthetic_ecg(duration=30.0, heart_rate=60, rr_jitter=0.0, seed=12)
    probe = HistoryProbe()
    events, _ = _stream(ecg.signal, probe, 0.25)
    finals = [e for e in events if isinstance(e, BeatEvent)]
    provisional = [e for e in events if isinstance(e, ProvisionalBeatEvent)]
    assert len(provisional) >= 20 and probe.provisional_calls == len(provisional)
    assert probe.finals == len(finals)  # each beat enters the history once, with its final label


def test_latency_tracker_merges_first_label_histograms_and_agreement():
    a, b = LatencyTracker(), LatencyTracker()
    a.add_first_label([0.6, 0.7])
    a.add_agreement(True)
    b.add_first_label([0.8])
    b.add_agreement(False)
    a.merge(b)
    s = a.summary()
    assert s.provisional_beats == 2 and s.provisional_agreement == 50.0
    assert s.first_label_p99 == pytest.approx(0.8, rel=0.02)
    assert np.isnan(LatencyTracker().summary().provisional_agreement)


# --- ONNX backend -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    signal = keras.Input(shape=(288, 2), name="signal")
    rr = keras.Input(shape=(7,), name="rr")
    x = keras.layers.Conv1D(4, 9, strides=4, activation="relu")(signal)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Concatenate()([x, rr])
    out = keras.layers.Dense(5, activation="softmax")(x)
    return keras.Model({"signal": signal, "rr": rr}, out)


def test_onnx_backend_equals_tensorflow_on_stream_sized_batches(tiny_model):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tf2onnx")
    from ecgbench.streaming.model_adapter import _compiled_predict, _onnx_predict

    rng = np.random.default_rng(0)
    via_tf, via_onnx = _compiled_predict(tiny_model, 2, 7), _onnx_predict(tiny_model, 2, 7)
    for batch in (1, 2, 7):
        inputs = {"signal": rng.standard_normal((batch, 288, 2)).astype(np.float32), "rr": rng.standard_normal((batch, 7)).astype(np.float32)}
        expected = via_tf(inputs)
        assert expected.shape == (batch, 5)
        np.testing.assert_allclose(via_onnx(inputs), expected, atol=1e-5)


def test_unknown_backend_is_a_clear_error():
    from ecgbench.streaming.model_adapter import load_model_classifier

    with pytest.raises(ConfigError, match="backend"):
        load_model_classifier("cnn1d", backend="torch")


def test_rhythm_annotations_follow_signal_time_when_an_onset_is_dated_back():
    # AF is confirmed (and dated back to 3.5 s) only after a VT run inside it ended at 7.4 s
    collector = AnnotationCollector()
    collector.add([AlarmEvent("VT", "start", 6.0, 6.5), AlarmEvent("VT", "end", 7.4, 7.5),
                   AlarmEvent("AF", "start", 3.5, 15.0), AlarmEvent("AF", "end", 20.0, 30.0)], 100.0)  # fmt: skip
    samples, symbols, aux = collector.annotations()
    assert list(zip(samples.tolist(), aux)) == [(350, "(AFIB"), (600, "(VT"), (740, "(AFIB"), (2000, "(N")]
    assert symbols == ["+"] * 4


def _reference(beats: str, rr_s: float = 0.5, rhythm: tuple[tuple[float, str], ...] = ()) -> Annotations:
    """Reference annotations at 100 Hz: ``beats`` one symbol every ``rr_s`` s, plus rhythm changes."""
    rows = [(int(round((k + 1) * rr_s * 100)), symbol, "") for k, symbol in enumerate(beats)]
    rows += [(int(round(t * 100)), "+", label) for t, label in rhythm]
    rows.sort(key=lambda row: row[0])
    sample, symbol, aux = zip(*rows)
    return Annotations("x", "atr", np.array(sample, np.int64), np.array(symbol, "<U2"), tuple(aux), 100.0)


def _streamed(alarms: list[AlarmEvent], seconds: float = 20.0) -> StreamedRecord:
    collector = AnnotationCollector()
    collector.add(alarms, 100.0)
    return StreamedRecord("x", 100.0, int(seconds * 100), collector, 1.0, LatencyTracker())


def test_reference_ventricular_intervals_are_runs_of_three_and_vt_episodes():
    # beats at 0.5 s steps: a couplet at 2.0-2.5 s, a run of three at 5.0-6.0 s (V, F, V), a VT episode 15-18 s
    ref = _reference("NNNVVNNNNVFVNNNNNNNNNNNNNNNNNNNN", rhythm=((0.1, "(N"), (15.0, "(VT"), (18.0, "(N")))
    np.testing.assert_allclose(reference_ventricular_intervals(ref, 2000, 100.0), [[5.0, 6.0], [15.0, 18.0]])


def test_vt_alarms_without_a_reference_run_are_false_alarms():
    ref = _reference("NNNVVNNNNVFVNNNNNNNNNNNNNNNNNNNN", rhythm=((0.1, "(N"), (15.0, "(VT"), (18.0, "(N")))
    alarms = [
        AlarmEvent("VT", "start", 2.0, 3.0), AlarmEvent("VT", "end", 3.0, 3.0),  # on the couplet only: false
        AlarmEvent("VT", "start", 5.5, 6.5), AlarmEvent("VT", "end", 6.5, 6.5),  # inside the run: true
        AlarmEvent("VT", "start", 16.0, 17.0),  # never ends: lasts to the record's end, inside the episode
    ]  # fmt: skip
    rows = vt_alarm_truth(_streamed(alarms), ref)
    assert [row["true"] for row in rows] == [False, True, True]
    assert rows[-1]["end"] == 20.0


def test_alarm_intervals_pair_like_the_rhythm_annotations():
    collector = AnnotationCollector()
    collector.add([AlarmEvent("VT", "start", 2.0, 2.5), AlarmEvent("VT", "start", 2.2, 2.7),  # repeated start: ignored
                   AlarmEvent("AF", "start", 1.0, 9.0), AlarmEvent("VT", "end", 3.0, 3.1),
                   AlarmEvent("VT", "end", 4.0, 4.1),  # end with nothing open: ignored
                   AlarmEvent("VT", "start", 8.0, 8.5)], 100.0)  # fmt: skip
    assert collector.alarm_intervals("VT", until=20.0) == [(2.0, 3.0), (8.0, 20.0)]
    assert collector.alarm_intervals("AF", until=20.0) == [(1.0, 20.0)]


def test_false_vt_alarms_per_hour_count_over_the_streamed_hours():
    from ecgbench.streaming.track import TrackResult

    streams = [_streamed([], seconds=1800.0), _streamed([], seconds=5400.0)]  # two hours of signal in all
    rows = [{"true": True}, {"true": False}, {"true": False}, {"true": False}]
    metrics = TrackResult(_FakeEc57(), {}, LatencyTracker(), streams, 1.0, rows).metrics()
    assert (metrics["vt_alarm.raised"], metrics["vt_alarm.false"]) == (4.0, 3.0)
    assert metrics["vt_alarm.false_per_hour"] == pytest.approx(1.5)


class _FakeEc57:
    """The gross figures ``TrackResult.metrics`` reads, all zero."""

    zero = {"se": 0.0, "ppv": 0.0, "f1": 0.0}
    gross = {"qrs": zero, "veb": zero, "sveb": zero, "runs": dict.fromkeys(("couplet", "short_run", "long_run"), zero)}


def test_vt_rule_check_reports_the_fastest_stretch_the_detector_checks_and_its_verdict():
    from ecgbench.streaming.alarms import AlarmConfig
    from ecgbench.streaming.track import vt_rule_check

    config = AlarmConfig(vt_min_beats=3, vt_min_rate=100.0)
    rate, alarmed = vt_rule_check(np.array([0.0, 0.5, 1.0]), config)
    assert rate == pytest.approx(120.0) and alarmed
    rate, alarmed = vt_rule_check(np.array([0.0, 0.7, 1.4]), config)
    assert rate == pytest.approx(60 * 2 / 1.4) and not alarmed  # 85.7 bpm: below the rule
    rate, alarmed = vt_rule_check(np.array([0.0, 1.0, 2.0, 2.4, 2.8]), config)
    assert rate == pytest.approx(150.0) and alarmed  # speeds up at its end
    assert vt_rule_check(np.array([0.0, 0.4]), config) == (0.0, False)
    # One threshold, one verdict: 120 bpm is under a 130-bpm rule.
    assert vt_rule_check(np.array([0.0, 0.5, 1.0]), AlarmConfig(vt_min_beats=3, vt_min_rate=130.0))[1] is False


def test_vt_onsets_slower_than_the_rule_are_flagged_and_counted_apart():
    from ecgbench.streaming.track import TrackResult, alarm_delays

    # two annotated VT episodes: three V at 0.5 s steps (120 bpm), later three V at 0.8 s steps (75 bpm)
    beats = "NNNN" + "VVV" + "N" * 10 + "VVV" + "NNNN"
    rows = [(int(round(t * 100)), s, "") for t, s in zip(np.cumsum([0.5] * 4 + [0.5] * 3 + [0.8] * 10 + [0.8] * 3 + [0.8] * 4), beats)]
    rows += [(5, "+", "(N"), (240, "+", "(VT"), (360, "+", "(N"), (1100, "+", "(VT"), (1450, "+", "(N")]
    rows.sort(key=lambda row: row[0])
    sample, symbol, aux = zip(*rows)
    ref = Annotations("x", "atr", np.array(sample, np.int64), np.array(symbol, "<U2"), tuple(aux), 100.0)
    alarms = [AlarmEvent("VT", "start", 2.5, 3.5), AlarmEvent("VT", "end", 3.6, 3.7)]
    delays = alarm_delays(_streamed(alarms), ".", reference=ref)["VT"]
    assert [(row["rate_bpm"], row["meets_rule"], row["delay"] is not None) for row in delays] == [(120.0, True, True), (75.0, False, False)]
    metrics = TrackResult(_FakeEc57(), {"VT": delays}, LatencyTracker(), [_streamed([])], 1.0, []).metrics()
    assert (metrics["vt_alarm.onsets"], metrics["vt_alarm.onsets_meeting_rule"], metrics["vt_alarm.alarmed_meeting_rule"]) == (2, 1, 1)
