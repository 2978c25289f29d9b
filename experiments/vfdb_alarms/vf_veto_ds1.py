"""DS1-only choice of the VF alarm's organized-rhythm veto (``AlarmConfig.vf_veto_irregularity`` / ``vf_veto_max_rate``).

For each of the 22 DS1 records (never DS2, SVDB or VFDB), lead 0 at 360 Hz goes through the
chain's own VF alarm (:class:`ecgbench.streaming.vf_alarm.VFAlarm`: TCSC at its DS1 threshold,
8-s windows every 1 s) fed with the chain's online QRS detector's beats, once per veto setting;
the VF alarms are scored with the task's scorer (:mod:`ecgbench.streaming.alarm_scoring`): VF
episodes alarmed (record 207's ventricular flutter), false VF alarms per hour, and the AHA window
VF Se and non-shockable Sp of the VF alarm alone. The signal-quality suppression is left out (the
DS1 records are clean; the chain applies it). The rule is in ``experiments/vfdb_alarms/README.md``.

    python -m experiments.vfdb_alarms.vf_veto_ds1 [--data-dir ../shared/data] [--json]
"""

from __future__ import annotations

import dataclasses
import json as json_module
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ecgbench.paths import shared_data_dir
from ecgbench.records import DS1, read_annotations, read_record, rhythm_intervals
from ecgbench.signal.qrs_online import OnlineQRSDetector
from ecgbench.streaming.alarm_scoring import score_record, summarise
from ecgbench.streaming.alarms import AlarmConfig
from ecgbench.streaming.events import AlarmEvent
from ecgbench.streaming.vf_alarm import VFAlarm

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

#: The grid of the rule: (irregularity at most, mean rate at most bpm); (None, …) is no veto.
SETTINGS: tuple[tuple[float | None, float], ...] = ((None, 150.0),) + tuple(
    (r, rate) for r in (0.05, 0.10, 0.20) for rate in (120.0, 150.0, 180.0)
)


class _Clean:
    """Quality view that never reports a fault (the study leaves suppression out)."""

    def bad_fraction(self, t0, t1, reasons=None):  # noqa: D102 - protocol
        return 0.0


def _peaks(lead: np.ndarray, fs: float) -> list[tuple[int, int]]:
    """The online detector's beats of the whole lead as (R peak, commit) samples, fed in 1-s chunks."""
    detector = OnlineQRSDetector(fs)
    out: list[tuple[int, int]] = []
    step = int(round(fs))
    for start in range(0, lead.size, step):
        beats = detector.process(lead[start : start + step])
        out += [(int(r), max(int(c), int(r))) for r, c in zip(beats.tolist(), detector.last_commits.tolist(), strict=True)]
    out += [(int(r), lead.size) for r in detector.flush().tolist()]
    return out


def vf_events(lead: np.ndarray, fs: float, peaks: list[tuple[int, int]], config: AlarmConfig) -> list[AlarmEvent]:
    """The VF alarm's events over a whole lead (1-s chunks), with the beats committed so far at each chunk."""
    alarm = VFAlarm(fs, config)
    events: list[AlarmEvent] = []
    step = int(round(fs))
    commits = np.array([c for _, c in peaks], dtype=np.int64)
    r_peaks = np.array([r for r, _ in peaks], dtype=np.int64)
    for start in range(0, lead.size, step):
        stop = min(start + step, lead.size)
        lo = int(np.searchsorted(r_peaks, stop - 2 * alarm.detector.length))  # older beats are never needed
        known = [p for p, c in zip(peaks[lo:], commits[lo:].tolist()) if c <= stop]
        for change in alarm.update(lead[start:stop], _Clean(), known):
            events.append(AlarmEvent(change.kind, change.state, change.time, stop / fs, change.evidence))
    end = alarm.close(lead.size / fs)
    if end is not None:
        events.append(AlarmEvent(end.kind, end.state, end.time, lead.size / fs, end.evidence))
    return events


@app.command()
def main(
    data_dir: Annotated[Path | None, typer.Option(help="Folder holding mitdb/ (default ../shared/data).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print DS1's VF-alarm figures for every veto setting of the rule."""
    root = data_dir or shared_data_dir()
    if root is None:
        raise typer.BadParameter("no data: pass --data-dir (the folder holding mitdb/)")
    inputs = []
    for record in DS1:
        rec = read_record(record, root / "mitdb")
        lead = rec.signal[:, 0].astype(np.float64)
        inputs.append((record, rec, lead, _peaks(lead, rec.fs), rhythm_intervals(read_annotations(record, root / "mitdb"), rec.n_samples)))
    rows = {}
    for irregularity, rate in SETTINGS:
        config = dataclasses.replace(AlarmConfig(), vf_veto_irregularity=irregularity, vf_veto_max_rate=rate)
        scores = [score_record(r, iv, rec.n_samples, rec.fs, vf_events(lead, rec.fs, peaks, config)) for r, rec, lead, peaks, iv in inputs]
        m = summarise(scores, n_resamples=0)
        label = "no veto" if irregularity is None else f"irregularity <= {irregularity:g}, rate <= {rate:g} bpm"
        rows[label] = {k: m[k]["value"] for k in ("vf.episodes", "vf.detected", "vf.median_delay_s", "vf.false_alarms", "vf.false_per_hour",
                                                  "aha.vf_se", "aha.nonshock_sp")}  # fmt: skip
    if json:
        print(json_module.dumps(rows, indent=2))
        return
    table = Table(title="DS1 (22 records): VF alarm by organized-rhythm veto (VF = record 207's VFL only)", title_justify="left")
    for name in ("veto", "VF episodes alarmed", "VF delay p50 (s)", "false VF alarms", "false VF /h", "AHA VF Se", "AHA non-shockable Sp (VF alarm only)"):
        table.add_column(name, justify="left" if name == "veto" else "right")
    for label, f in rows.items():
        table.add_row(label, f"{f['vf.detected']:.0f}/{f['vf.episodes']:.0f}", f"{f['vf.median_delay_s']:.2f}", f"{f['vf.false_alarms']:.0f}",
                      f"{f['vf.false_per_hour']:.2f}", f"{f['aha.vf_se']:.1f}", f"{f['aha.nonshock_sp']:.2f}")  # fmt: skip
    Console(width=160).print(table)


if __name__ == "__main__":
    app()
