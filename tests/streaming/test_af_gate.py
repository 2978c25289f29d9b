"""The AF gate: S calls inside the rhythm monitor's AF state become N, causally, and nothing else changes."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records import AAMI_CLASSES
from ecgbench.streaming.af_gate import af_state_before_each_beat, gate_supraventricular

FS = 360.0
N, S, V = (AAMI_CLASSES.index(name) for name in ("N", "S", "V"))


def _rhythm(seed: int = 0) -> np.ndarray:
    """Beat times (s): 120 regular beats at 75 bpm, 300 AF-like beats (RR uniform 0.35-1.05 s), 120 regular beats."""
    rng = np.random.default_rng(seed)
    rr = np.concatenate([np.full(120, 0.8), rng.uniform(0.35, 1.05, 300), np.full(120, 0.8)])
    return np.cumsum(rr)


def _probabilities(n: int, seed: int = 1) -> np.ndarray:
    """Every fourth beat called S (p 0.7), every seventh V (p 0.8), the rest N."""
    p = np.full((n, len(AAMI_CLASSES)), 0.05)
    p[:, N] = 0.8
    p[::4] = [0.2, 0.7, 0.04, 0.03, 0.03]
    p[::7] = [0.1, 0.05, 0.8, 0.03, 0.02]
    return p / p.sum(axis=1, keepdims=True)


def test_af_state_is_entered_in_the_irregular_stretch_only_and_is_causal():
    times = _rhythm()
    labels = ["N"] * times.size
    state = af_state_before_each_beat(times, labels)
    assert not state[:120].any() and state[120:420].mean() > 0.5  # the 32-beat dwell delays the onset
    assert not state[-40:].any()  # and the offset: regular again well before the end
    for cut in (150, 260, 430):  # the state before beat i never depends on beat i or later
        np.testing.assert_array_equal(af_state_before_each_beat(times[:cut], labels[:cut]), state[:cut])


def test_gate_moves_s_to_n_in_af_and_keeps_everything_else():
    times = _rhythm()
    probabilities = _probabilities(times.size)
    record = np.full(times.size, "201")
    sample = np.round(times * FS).astype(np.int64)
    gated, in_af = gate_supraventricular(probabilities, record, sample, FS)
    assert in_af.any() and not in_af.all()
    np.testing.assert_array_equal(gated[~in_af], probabilities[~in_af])
    np.testing.assert_allclose(gated[in_af, S], 0.0)
    np.testing.assert_allclose(gated[in_af, N], probabilities[in_af, N] + probabilities[in_af, S])
    np.testing.assert_array_equal(gated[:, [V, 3, 4]], probabilities[:, [V, 3, 4]])
    np.testing.assert_allclose(gated.sum(axis=1), 1.0)
    was_s = probabilities.argmax(axis=1) == S
    assert (gated.argmax(axis=1)[in_af & was_s] == N).all() and (gated.argmax(axis=1)[~in_af & was_s] == S).all()


def test_gate_handles_records_apart_and_in_any_row_order():
    times = _rhythm()
    probabilities = _probabilities(times.size)
    sample = np.round(times * FS).astype(np.int64)
    # a second record, regular throughout: its S calls stay
    regular = np.round(np.cumsum(np.full(200, 0.8)) * FS).astype(np.int64)
    record = np.concatenate([np.full(times.size, "a"), np.full(200, "b")])
    both = np.concatenate([probabilities, _probabilities(200)])
    samples = np.concatenate([sample, regular])
    gated, in_af = gate_supraventricular(both, record, samples, FS)
    assert not in_af[record == "b"].any()
    order = np.random.default_rng(3).permutation(len(both))
    shuffled, shuffled_af = gate_supraventricular(both[order], record[order], samples[order], FS)
    np.testing.assert_array_equal(shuffled, gated[order])
    np.testing.assert_array_equal(shuffled_af, in_af[order])


def test_gate_refuses_bad_input():
    with pytest.raises(ConfigError, match=r"\[n, 5\] probabilities"):
        gate_supraventricular(np.ones((3, 4)) / 4, np.array(["a"] * 3), np.arange(3), FS)
    with pytest.raises(ConfigError, match="increasing beat times"):
        af_state_before_each_beat(np.array([1.0, 1.0, 2.0]), ["N"] * 3)


class _CallsEverythingS:
    """RuleClassifier's interface; every beat S at p 0.6 (N 0.4). ``af_gate`` as a saved model's recipe would set it."""

    def __init__(self, af_gate: bool) -> None:
        from ecgbench.streaming.classifier import RuleClassifier

        inner = RuleClassifier(FS)
        for name in ("sampling_rate", "window_before", "window_after", "needs_post_rr", "filtered"):
            setattr(self, name, getattr(inner, name))
        self.af_gate = af_gate

    def classify(self, windows, rr):
        probs = np.zeros((len(windows), len(AAMI_CLASSES)))
        probs[:, N], probs[:, S] = 0.4, 0.6
        return probs


class _UnsureVEveryFifth(_CallsEverythingS):
    """Every fifth beat it classifies is V at p 0.45 (N 0.3, S 0.25): in AF the gate shows it as N."""

    def __init__(self, af_gate: bool) -> None:
        super().__init__(af_gate)
        self.count = 0

    def classify(self, windows, rr):
        probs = super().classify(windows, rr)
        for i in range(len(windows)):
            if self.count % 5 == 4:
                probs[i] = [0.3, 0.25, 0.45, 0.0, 0.0]
            self.count += 1
        return probs


def test_stream_applies_the_gate_only_for_a_gated_model_and_only_in_af():
    from ecgbench.records.synthetic import synthetic_ecg
    from ecgbench.streaming.events import AlarmEvent, BeatEvent
    from ecgbench.streaming.pipeline import StreamingPipeline

    ecg = synthetic_ecg(fs=FS, duration=300.0, heart_rate=95.0, rr_jitter=0.3, seed=5)
    runs = {}
    for gate in (False, True):
        pipeline = StreamingPipeline(FS, ecg.signal.shape[1], _CallsEverythingS(gate))
        events = [e for start in range(0, ecg.signal.shape[0], 360) for e in pipeline.process(ecg.signal[start : start + 360], start)]
        events += pipeline.flush()
        af = [e.time for e in events if isinstance(e, AlarmEvent) and e.kind == "AF" and e.state == "start"]
        runs[gate] = ([(e.time, e.label) for e in events if isinstance(e, BeatEvent)], af)
    (plain, plain_af), (gated, gated_af) = runs[False], runs[True]
    assert plain_af == gated_af and len(plain_af) == 1  # the gate never changes the rhythm monitor
    assert {label for _, label in plain} == {"S"}
    assert [t for t, _ in plain] == [t for t, _ in gated]
    onset = plain_af[0]
    assert {label for t, label in gated if t < onset} == {"S"}  # the AF onset is dated back, the gate is causal
    assert sum(label == "N" for _, label in gated) > 0.5 * len(gated)


def test_a_saved_models_recipe_decides_the_stream_gate(tmp_path):
    import json

    from ecgbench.errors import CorruptDataError
    from ecgbench.streaming.model_adapter import _recipe_af_gate

    assert _recipe_af_gate(tmp_path) is False  # a model folder without a recipe: no gate
    (tmp_path / "recipe.json").write_text(json.dumps({"options": {"context": "previous_beat"}}))
    assert _recipe_af_gate(tmp_path) is False
    (tmp_path / "recipe.json").write_text(json.dumps({"wrappers": {"af_gate": {}}}))
    assert _recipe_af_gate(tmp_path) is True
    (tmp_path / "recipe.json").write_text(json.dumps({"options": {"af_gate": True}}))  # artefacts saved before wrappers
    assert _recipe_af_gate(tmp_path) is True
    (tmp_path / "recipe.json").write_text(json.dumps({"options": {"af_gate": 1}}))
    with pytest.raises(ConfigError, match="options.af_gate must be true or false"):
        _recipe_af_gate(tmp_path)
    (tmp_path / "recipe.json").write_text("{not json")
    with pytest.raises(CorruptDataError, match="unreadable recipe beside the model"):
        _recipe_af_gate(tmp_path)


def test_stream_gate_changes_shown_labels_only_never_the_rhythm_monitor():
    from ecgbench.records.synthetic import synthetic_ecg
    from ecgbench.streaming.events import AlarmEvent, BeatEvent
    from ecgbench.streaming.pipeline import StreamingPipeline

    ecg = synthetic_ecg(fs=FS, duration=300.0, heart_rate=95.0, rr_jitter=0.3, seed=5)
    runs = {}
    for gate in (False, True):
        pipeline = StreamingPipeline(FS, ecg.signal.shape[1], _UnsureVEveryFifth(gate))
        fed, on_beat = [], pipeline.rhythm.on_beat

        def spy(time, label, *args, fed=fed, on_beat=on_beat):
            fed.append(label)
            return on_beat(time, label, *args)

        pipeline.rhythm.on_beat = spy
        events = [e for start in range(0, ecg.signal.shape[0], 360) for e in pipeline.process(ecg.signal[start : start + 360], start)]
        events += pipeline.flush()
        alarms = [(e.kind, e.state, e.time) for e in events if isinstance(e, AlarmEvent)]
        runs[gate] = ([e.label for e in events if isinstance(e, BeatEvent)], alarms, fed)
    (plain, plain_alarms, plain_fed), (gated, gated_alarms, gated_fed) = runs[False], runs[True]
    assert gated_fed == plain_fed == plain  # the monitor gets the classifier's own labels, gate or not
    assert plain_alarms == gated_alarms and any(kind == "AF" for kind, _, _ in plain_alarms)
    changed = [(a, b) for a, b in zip(plain, gated, strict=True) if a != b]
    assert ("V", "N") in changed and set(changed) <= {("V", "N"), ("S", "N")}


def test_gate_keeps_the_32_beat_dwell_from_the_first_beat_whatever_the_streams_cold_start_dwell():
    """The gate's monitor settings are its own: a record starting in AF is gated later than the live stream's cold start."""
    from ecgbench.streaming.alarms import AlarmConfig

    rng = np.random.default_rng(3)
    times = np.cumsum(rng.uniform(0.35, 1.05, 200))  # AF-like from the first beat
    probabilities = np.tile([0.6, 0.3, 0.04, 0.03, 0.03], (times.size, 1))  # every beat called N
    record = np.full(times.size, "203")
    sample = np.round(times * FS).astype(np.int64)
    cold = af_state_before_each_beat(times, ["N"] * times.size, AlarmConfig(af_start_dwell=8))
    whole = af_state_before_each_beat(times, ["N"] * times.size, AlarmConfig(af_start_dwell=None))
    first_cold, first_whole = np.flatnonzero(cold)[0], np.flatnonzero(whole)[0]
    assert first_cold < first_whole  # the live stream's cold-start dwell decides sooner
    _, in_af = gate_supraventricular(probabilities, record, sample, FS)
    np.testing.assert_array_equal(in_af, whole)
    _, in_af_cold = gate_supraventricular(probabilities, record, sample, FS, config=AlarmConfig(af_start_dwell=8))
    np.testing.assert_array_equal(in_af_cold, cold)
