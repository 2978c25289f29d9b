"""The streaming track on real MIT-BIH records (DS1 only; DS2 is the benchmark's test split)."""

from __future__ import annotations

import pytest

from ecgbench.streaming.classifier import RuleClassifier
from ecgbench.streaming.track import alarm_delays, score_stream, stream_record


@pytest.mark.slow
def test_record_119_detection_and_ventricular_beats(mitdb_dir):
    streamed = stream_record("119", mitdb_dir, RuleClassifier(360.0), chunk=1.0)
    figures = score_stream(streamed, mitdb_dir).figures()
    assert figures["qrs"]["se"] >= 99.5 and figures["qrs"]["ppv"] >= 99.5
    assert figures["veb"]["se"] >= 95.0 and figures["veb"]["ppv"] >= 95.0
    assert streamed.latency.summary().algorithmic_p99 <= 2.0  # 1-s chunks: ≤ 1 chunk + 0.5-s window + detector


@pytest.mark.slow
def test_record_205_every_vt_episode_alarmed(mitdb_dir):
    streamed = stream_record("205", mitdb_dir, RuleClassifier(360.0), chunk=1.0)
    vt = alarm_delays(streamed, mitdb_dir)["VT"]
    assert len(vt) == 6 and all(d["delay"] is not None and d["delay"] <= 5.0 for d in vt)
