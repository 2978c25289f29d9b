"""The VF and asystole alarms of the streaming chain on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.records.synthetic import synthetic_ecg
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.streaming.classifier import RuleClassifier
from ecgbench.streaming.events import AlarmEvent
from ecgbench.streaming.pipeline import PipelineConfig
from ecgbench.streaming.track import stream_array
from ecgbench.streaming.vf_alarm import VFAlarm

FS = 360.0


def _vf(seconds: float, seed: int = 0) -> np.ndarray:
    """A coarse VF-like oscillation: 4.5 Hz, slowly wandering phase, 0.8 mV, two leads."""
    t = np.arange(int(seconds * FS)) / FS
    x = 0.8 * np.sin(2 * np.pi * 4.5 * t + 0.5 * np.sin(2 * np.pi * 0.3 * t)) + 0.05 * np.random.default_rng(seed).standard_normal(t.size)
    return np.stack([x, 0.7 * x], axis=1).astype(np.float32)


def _alarms(events, kind):
    return [e for e in events if isinstance(e, AlarmEvent) and e.kind == kind]


def _run(signal, **alarm_options):
    return stream_array(signal, FS, RuleClassifier(), PipelineConfig(alarms=AlarmConfig(**alarm_options)))


def test_vf_alarm_on_a_vf_stretch_and_not_on_sinus_rhythm():
    ecg = synthetic_ecg(fs=FS, duration=60, seed=1).signal
    events = _run(np.concatenate([ecg, _vf(30), ecg]))
    vf = _alarms(events, "VF")
    assert [e.state for e in vf] == ["start", "end"]
    start, end = vf
    assert 60.0 < start.decision_time <= 68.0  # within one 8-s window of the onset at 60 s
    assert 52.0 <= start.time <= 60.0  # dated at the start of the first VF window
    assert 88.0 <= end.time <= 100.0
    assert "tcsc_pct" in start.evidence and start.evidence["window_s"] == 8.0
    assert not _alarms(_run(np.concatenate([ecg, ecg])), "VF")  # 2 min of sinus rhythm: no VF alarm


def test_vf_alarm_off_and_bad_method():
    ecg = synthetic_ecg(fs=FS, duration=30, seed=1).signal
    assert not _alarms(_run(np.concatenate([ecg, _vf(30)]), vf_method=None), "VF")
    with pytest.raises(ConfigError, match="vf_method"):
        AlarmConfig(vf_method="spectral")


def test_vf_alarm_suppressed_on_a_missing_stretch_and_open_at_the_end():
    ecg = synthetic_ecg(fs=FS, duration=30, seed=1).signal
    gap = _vf(30)
    gap[2 * int(FS) : 3 * int(FS)] = np.nan  # a dropped second inside the VF
    vf = _alarms(_run(np.concatenate([ecg, gap])), "VF")
    assert vf[0].state == "suppressed" and vf[0].evidence["reason"] == "signal_quality"
    assert [e.state for e in vf[1:]] == ["start", "end"]  # alarms once the windows are clean; closed at the stream's end
    assert vf[1].decision_time >= 30 + 3 + 8 - 1e-6 and vf[-1].time == pytest.approx(60.0)


class _Quality:
    def __init__(self, bad_reasons):
        self.bad_reasons = bad_reasons

    def bad_fraction(self, t0, t1, reasons=None):
        return 1.0 if reasons is not None and set(reasons) & set(self.bad_reasons) else 0.0


def test_noise_flags_but_does_not_suppress_a_vf_alarm():
    alarm = VFAlarm(FS, AlarmConfig())
    changes = alarm.update(_vf(10)[:, 0], _Quality(("noise",)))
    assert [c.state for c in changes] == ["start"] and changes[0].evidence["noisy"] is True
    flat = VFAlarm(FS, AlarmConfig())
    assert [c.state for c in flat.update(_vf(10)[:, 0], _Quality(("flat",)))] == ["suppressed"]


def test_asystole_alarm_after_four_seconds_without_qrs():
    ecg = synthetic_ecg(fs=FS, duration=30, seed=2, noise_mv=0.0).signal
    pause = np.zeros((int(10 * FS), 2), np.float32) + 0.05 * np.sin(2 * np.pi * 0.2 * np.arange(int(10 * FS)) / FS)[:, None].astype(np.float32)
    events = _run(np.concatenate([ecg, pause, ecg]))
    asystole = _alarms(events, "asystole")
    assert asystole and asystole[0].state == "start"
    assert asystole[0].evidence["threshold_s"] == 4.0
    assert 30.0 + 3.0 <= asystole[0].time <= 30.0 + 4.5  # the last beat before the pause + 4 s
    assert not _alarms(_run(np.concatenate([ecg, ecg])), "asystole")


def test_organized_rhythm_needs_enough_regular_beats_at_a_moderate_rate():
    from ecgbench.streaming.vf_alarm import organized_rhythm

    regular = np.arange(0, 8, 0.8)  # 75 bpm
    assert organized_rhythm(regular, 0.1, 150.0)
    assert not organized_rhythm(regular[:4], 0.1, 150.0)  # four beats are too few
    assert not organized_rhythm(np.arange(0, 8, 0.3), 0.1, 150.0)  # 200 bpm: faster than the veto's rate
    irregular = np.cumsum(np.random.default_rng(0).uniform(0.3, 1.2, 10))
    assert not organized_rhythm(irregular, 0.1, 150.0)


def test_the_veto_silences_a_vf_window_with_an_organized_rhythm():
    config = AlarmConfig(vf_veto_irregularity=0.1, vf_veto_max_rate=150.0)
    peaks = [(int(t * FS), int(t * FS) + 50) for t in np.arange(0.3, 10, 0.8)]
    vetoed = VFAlarm(FS, config)
    assert vetoed.update(_vf(10)[:, 0], _Quality(()), peaks) == []
    assert [c.state for c in VFAlarm(FS, config).update(_vf(10)[:, 0], _Quality(()), [])] == ["start"]


def test_vf_alarm_and_veto_do_not_depend_on_the_chunk_length():
    ecg = synthetic_ecg(fs=FS, duration=40, seed=3).signal
    signal = np.concatenate([ecg, _vf(20), ecg])

    def vf(chunk):
        events = stream_array(signal, FS, RuleClassifier(), PipelineConfig(), chunk=chunk)
        return [(e.state, round(e.time, 6), e.evidence.get("vetoed")) for e in _alarms(events, "VF")]

    assert vf(1.0) and vf(1.0) == vf(0.37) == vf(2.5)


def test_asystole_is_not_hidden_by_the_spectral_quality_indices():
    """A pause without QRS complexes fails basSQI by construction; it must still raise asystole, not a quality fault.

    Here baseline wander (0.3 Hz, 1 mV) runs through the whole recording, so the baseline index
    already flags the beats before the pause as well as the pause itself.
    """
    ecg = synthetic_ecg(fs=FS, duration=30, seed=3, noise_mv=0.0).signal
    n = int(20 * FS)
    signal = np.concatenate([ecg, np.zeros((n, 2), np.float32), ecg])
    t = np.arange(len(signal)) / FS
    signal = (signal + np.sin(2 * np.pi * 0.3 * t)[:, None]).astype(np.float32)
    events = _run(signal)
    starts = [a for a in _alarms(events, "asystole") if a.state == "start"]
    assert starts and 33.0 <= starts[0].time <= 34.5
    ends = [a for a in _alarms(events, "asystole") if a.state == "end"]
    assert ends and ends[0].time >= 49.0  # held through the pause, not ended by a quality verdict
    hidden = _run(signal, asystole_quality_reasons=("baseline", "flat"))  # counting the baseline index as a fault …
    assert not [a for a in _alarms(hidden, "asystole") if a.state == "start"]  # … hides the asystole: the gate matters
