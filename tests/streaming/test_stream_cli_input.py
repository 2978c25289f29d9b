"""``ecgbench stream``: --leads checked against the record, pacing without a TTY, stdin gaps and garbage."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.records.synthetic import synthetic_ecg, write_synthetic_record

runner = CliRunner()


def test_leads_beyond_the_record_is_an_error(tmp_path):
    write_synthetic_record(tmp_path, "two", duration=5.0)
    result = runner.invoke(app, ["stream", str(tmp_path / "two"), "--leads", "3", "--speed", "0"])
    assert result.exit_code == 2 and "has 2 leads" in result.output and "--leads 3" in result.output
    result = runner.invoke(app, ["stream", str(tmp_path / "two"), "--leads", "1", "--speed", "0"])
    assert result.exit_code == 0, result.output


def test_without_a_tty_the_default_speed_is_as_fast_as_possible(tmp_path, monkeypatch):
    import ecgbench.streaming.clock as clock

    speeds = []

    class Recording(clock.Pacer):
        def __init__(self, speed=1.0, *args, **kwargs):
            speeds.append(speed)
            super().__init__(speed, *args, **kwargs)

    monkeypatch.setattr(clock, "Pacer", Recording)
    write_synthetic_record(tmp_path, "fast", duration=5.0)
    result = runner.invoke(app, ["stream", str(tmp_path / "fast")])
    assert result.exit_code == 0, result.output
    assert speeds == [0.0]
    runner.invoke(app, ["stream", str(tmp_path / "fast"), "--speed", "50"])
    assert speeds[-1] == 50.0


def test_stdin_csv_gap_keeps_the_timeline_and_garbage_is_reported():
    ecg = synthetic_ecg(duration=30.0, heart_rate=60, rr_jitter=0.0, seed=7)
    lines = [f"{a:.4f},{b:.4f}" for a, b in ecg.signal]
    gap = slice(int(10 * 360), int(20 * 360))
    lines[gap] = [""] * (gap.stop - gap.start)  # 10 s of blank lines: missing samples
    lines[int(25 * 360)] = "garbage"
    text = ("\n".join(lines) + "\n").encode()
    result = runner.invoke(app, ["stream", "-", "--format", "csv", "--gain", "1", "--fs", "360"], input=text)
    assert result.exit_code == 0, result.output
    beats = [json.loads(x) for x in result.stdout.splitlines() if '"beat"' in x]
    times = np.array([b["time"] for b in beats])
    assert not np.any((times > 10.3) & (times < 19.7))  # nothing in the gap
    late = ecg.r_peaks[ecg.r_peaks > 21 * 360] / 360.0
    assert all(np.min(np.abs(times - t)) < 0.1 for t in late)  # beats after the gap on the original timeline
    assert "line 9001" in result.output and "garbage" in result.output
