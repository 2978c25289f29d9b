"""The alarms-vfdb scorer on hand-made rhythm annotations and alarm events (seconds, no data needed)."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.records.rhythm import RhythmInterval
from ecgbench.streaming.alarm_scoring import (
    aha_window_counts,
    alarm_spans,
    episode_delays,
    episodes,
    first_alarm_delay,
    judge_alarms,
    pooled_percent_ci,
    score_record,
    shockable_at,
    summarise,
)
from ecgbench.streaming.events import AlarmEvent

FS = 100.0


def _iv(start_s, end_s, label):
    return RhythmInterval(int(start_s * FS), int(end_s * FS), label)


#: 0-100 s N, 100-120 VT, 120-130 VFL, 130-150 VF (one VF episode with the VFL), 150-200 N,
#: 200-240 NOISE, 240-260 ASYS, 260-400 N.
INTERVALS = [_iv(0, 100, "N"), _iv(100, 120, "VT"), _iv(120, 130, "VFL"), _iv(130, 150, "VF"), _iv(150, 200, "N"),
             _iv(200, 240, "NOISE"), _iv(240, 260, "ASYS"), _iv(260, 400, "N")]  # fmt: skip
N_SAMPLES = int(400 * FS)


def _ev(kind, state, time, decision):
    return AlarmEvent(kind, state, time, decision)


ALARMS = [
    _ev("VT", "start", 100.5, 102.0),   # VT episode, delay 2 s
    _ev("VF", "start", 118.0, 126.0),   # VF episode (starts 120), delay 6 s
    _ev("VT", "end", 122.0, 123.0),
    _ev("VF", "end", 150.0, 151.0),
    _ev("VT", "suppressed", 160.0, 161.0),  # not an alarm
    _ev("VT", "start", 170.0, 171.0),   # false, outside NOISE
    _ev("VT", "end", 172.0, 177.0),
    _ev("VF", "start", 205.0, 213.0),   # false, raised in NOISE
    _ev("VF", "end", 214.0, 215.0),
    _ev("asystole", "start", 244.0, 244.0),  # ASYS episode, delay 4 s
    _ev("asystole", "end", 262.0, 262.0),
    _ev("asystole", "start", 300.0, 300.0),  # false asystole, open until the end
]  # fmt: skip


def test_episodes_merge_adjacent_vf_rhythms():
    assert episodes(INTERVALS, FS, ("VF", "VFL", "VFIB")).tolist() == [[120.0, 150.0]]
    assert episodes(INTERVALS, FS, ("VT",)).tolist() == [[100.0, 120.0]]
    assert episodes(INTERVALS, FS, ("AFIB",)).shape == (0, 2)


def test_alarm_spans_pair_starts_and_ends_and_skip_suppressed():
    assert alarm_spans(ALARMS, "VT", 400.0) == [(100.5, 122.0, 102.0), (170.0, 172.0, 171.0)]
    assert alarm_spans(ALARMS, "asystole", 400.0)[-1] == (300.0, 400.0, 300.0)


def test_first_alarm_delay_counts_decision_time_grace_and_active_alarms():
    assert first_alarm_delay(ALARMS, ("VT",), 100.0, 130.0) == 2.0
    assert first_alarm_delay(ALARMS, ("VF",), 120.0, 160.0) == 6.0
    assert first_alarm_delay(ALARMS, ("VT",), 120.0, 160.0) == 0.0  # VT alarm active at the VF onset
    assert first_alarm_delay(ALARMS, ("VF",), 100.0, 125.0) is None  # raised after the grace
    assert first_alarm_delay(ALARMS, ("VT",), 160.0, 165.0) is None  # a suppressed alarm detects nothing


def test_episode_delays_rows():
    rows = episode_delays(np.array([[100.0, 120.0], [300.0, 310.0]]), ALARMS, ("VT",), grace=10.0)
    assert rows == [{"onset": 100.0, "duration": 20.0, "delay": 2.0}, {"onset": 300.0, "duration": 10.0, "delay": None}]


def test_judge_alarms_true_false_and_noise():
    truth = {"VT": np.array([[100.0, 120.0]]), "VF": np.array([[120.0, 150.0]]), "asystole": np.array([[240.0, 260.0]])}
    rows = judge_alarms(ALARMS, truth, np.array([[200.0, 240.0]]), 400.0)
    verdicts = [(r["kind"], r["onset"], r["true"], r["in_noise"]) for r in rows]
    assert verdicts == [("VT", 100.5, True, False), ("VF", 118.0, True, False), ("VT", 170.0, False, False),
                        ("VF", 205.0, False, True), ("asystole", 244.0, True, False), ("asystole", 300.0, False, False)]  # fmt: skip


def test_shockable_at_follows_decision_times():
    called = shockable_at(ALARMS, np.array([101.0, 102.0, 122.9, 124.0, 150.5, 151.0, 176.0, 213.0, 215.0]))
    assert called.tolist() == [False, True, True, False, True, False, True, True, False]  # 123-126: neither alarm shown


def test_aha_windows_on_hand_made_record():
    counts = aha_window_counts(INTERVALS, N_SAMPLES, FS, ALARMS)
    # 8-s windows ending at 8, 16, … 400 s. VT: [96,104) is 4 s N + 4 s VT, a tie that goes to the rhythm at
    # its end (VT); windows ending 104, 112, 120 are all called (VT shown from 102 to 123): 3/3.
    assert counts["vt_se"] == (3, 3)
    # VF (VFL counts as VF): windows ending 128, 136, 144, 152 (6 s VF of 8); VF shown 126-151: 3/4.
    assert counts["vf_se"] == (3, 4)
    # The other 43 windows (NOISE and ASYS included) are non-shockable; the false VT shown 171-177 covers the end 176.
    assert counts["nonshock_sp"] == (42, 43)


def test_pooled_percent_ci_is_pooled_and_seeded():
    value, low, high = pooled_percent_ci(np.array([9, 1]), np.array([10, 10]), 2000, 0)
    assert value == 50.0 and 0.0 <= low < value < high <= 100.0
    assert pooled_percent_ci(np.array([9, 1]), np.array([10, 10]), 2000, 0) == (value, low, high)
    assert np.isnan(pooled_percent_ci(np.array([0]), np.array([0]), 10, 0)[0])


def test_summarise_pools_records():
    score = score_record("r1", INTERVALS, N_SAMPLES, FS, ALARMS)
    metrics = summarise([score, score], n_resamples=100, seed=0)
    assert metrics["vt.se"]["value"] == 100.0 and metrics["vt.episodes"]["value"] == 2
    assert metrics["vf.se"]["value"] == 100.0 and metrics["vf.median_delay_s"]["value"] == 6.0
    assert metrics["vt_shockable.se"]["value"] == 100.0
    assert metrics["asystole.se"]["value"] == 100.0 and metrics["asystole.median_delay_s"]["value"] == 4.0
    assert metrics["vtvf.median_delay_s"]["value"] == pytest.approx(4.0)
    hours_out = 2 * (400 - 40) / 3600.0
    assert metrics["vtvf.false_alarms"]["value"] == 2  # one false VT per record; the false VF was raised in NOISE
    assert metrics["vtvf.false_per_hour"]["value"] == pytest.approx(2 / hours_out)
    assert metrics["vtvf.alarms_in_noise"]["value"] == 2 and metrics["vf.alarms_in_noise"]["value"] == 2
    assert metrics["asystole.false_per_hour"]["value"] == pytest.approx(2 / hours_out)
    assert metrics["aha.vf_se"]["value"] == 75.0 and metrics["aha.vf_se"]["ci_low"] is not None
