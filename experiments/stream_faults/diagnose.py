"""Where the default chain's false VT alarms fall under noise, and which noise faults go unflagged (DS1 only).

Streams DS1 records (never DS2: this chooses settings) under the fault conditions of
``benchmarks/stream_faults.py`` with the default chain and the ``rules`` classifier (1-s chunks),
and writes one JSON line per record and condition to ``--out``:

* every VT alarm the rule raised or the quality check suppressed: onset, decision time, whether
  it is true (:func:`ecgbench.streaming.track.vt_alarm_truth` of the raised ones; the same overlap
  test for the suppressed ones), the fault it falls in or after, and where it lies against the
  signal-quality alarm (``outside``: no fault within 10 s before it; ``before_flag``: in a fault
  before its first flagged block; ``flagged``: inside a signal-quality alarm; ``unflagged_gap``:
  in a fault after a flag ended; ``after_offset``: within 10 s after the fault's end), and the
  signal-quality indices of :mod:`ecgbench.signal.sqi` on the detection lead over the run
  (0.5 s before its first beat to 0.5 s after the beat that completed it, at least 2 s: the
  window of ``AlarmConfig.vt_run_psqi``) and over the last 2, 5 and 10 s before the decision;
* per 1-s block of the detection lead: the chain's noise index (the 3-block median the quality
  monitor compares with ``noise_ratio``) and pSQI, basSQI and kSQI over the 5 and 10 s ending at
  the block's end (causal windows), so a block-level threshold can be evaluated offline;
* the faults of at least 5 s, flagged or not; the quality alarm's intervals; for the clean
  condition, the alarmable VT onsets and their alarm delays.

``python -m experiments.stream_faults.diagnose run --out /tmp/diag.jsonl [--records 203,207] [--conditions clean,ma0,ma6,bw12,ma12]``
``python -m experiments.stream_faults.diagnose report /tmp/diag.jsonl``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from benchmarks.stream_faults import AFTER_S, MIN_FLAGGED_S, fault_spans, inject_condition
from ecgbench.data.noise_stress import nst_normal_beats
from ecgbench.records import DS1
from ecgbench.records.io import read_annotations, read_record
from ecgbench.signal import sqi
from ecgbench.streaming.classifier import classifier_factory
from ecgbench.streaming.events import AlarmEvent, AnnotationCollector, BeatEvent
from ecgbench.streaming.latency import LatencyTracker
from ecgbench.streaming.pipeline import PipelineConfig
from ecgbench.streaming.quality import QualityConfig
from ecgbench.streaming.track import (StreamedRecord, alarm_delays, reference_ventricular_intervals, stream_array,
                                      vt_alarm_truth)  # fmt: skip

#: Trailing windows (s) of the block-level indices.
BLOCK_WINDOWS = (5, 10)


def noise_index_blocks(lead: np.ndarray, fs: float, config: QualityConfig) -> np.ndarray:
    """The quality monitor's noise index per 1-s block and its median over ``noise_blocks`` (causal, as streamed)."""
    from scipy import signal as sps

    sos = sps.butter(2, config.noise_highpass, "high", fs=fs, output="sos")
    high = np.abs(sps.sosfilt(sos, np.nan_to_num(lead)))
    n = int(round(config.block * fs))
    blocks = high[: (high.size // n) * n].reshape(-1, n)
    level, top = np.median(blocks, axis=1), np.percentile(blocks, 99, axis=1)
    index = np.where((top > 0) & (level > config.noise_floor_mv), level / np.where(top > 0, top, 1), 0.0)
    k = config.noise_blocks
    med = np.array([np.median(index[max(0, i - k + 1) : i + 1]) if i >= k - 1 else np.nan for i in range(index.size)])
    return med


def block_sqis(lead: np.ndarray, fs: float, window_s: float) -> dict[str, np.ndarray]:
    """pSQI, basSQI and kSQI over the ``window_s`` s ending at each 1-s block's end (NaN until a full window)."""
    from numpy.lib.stride_tricks import sliding_window_view

    n, w = int(round(fs)), int(round(window_s * fs))
    blocks = lead.size // n
    out = {name: np.full(blocks, np.nan) for name in ("psqi", "bas", "k")}
    if lead.size < w:
        return out
    views = sliding_window_view(lead, w)[::n]  # window starting at each block start
    first = int(round(window_s)) - 1  # the block whose end closes the first full window
    k = min(views.shape[0], blocks - first)
    views = views[:k]
    out["psqi"][first : first + k] = sqi.psqi(views, fs)
    out["bas"][first : first + k] = sqi.bas_sqi(views, fs)
    out["k"][first : first + k] = sqi.ksqi(views)
    return out


def window_sqis(lead: np.ndarray, fs: float, t0: float, t1: float) -> dict[str, float]:
    """The indices of ``lead`` over ``[t0, t1]`` s (NaN for a window shorter than 0.5 s)."""
    a, b = max(0, int(round(t0 * fs))), min(lead.size, int(round(t1 * fs)))
    if b - a < int(0.5 * fs):
        return {"psqi": np.nan, "bas": np.nan, "k": np.nan}
    x = lead[a:b]
    return {"psqi": float(sqi.psqi(x, fs)), "bas": float(sqi.bas_sqi(x, fs)), "k": float(sqi.ksqi(x))}


def beat_agreement(lead: np.ndarray, fs: float, beats: np.ndarray, t0: float, t1: float) -> float:
    """bSQI over ``[t0, t1]`` s: the stream's beats against wfdb's ``xqrs_detect`` run on that window alone.

    The last 0.5 s are left out of the comparison (a beat there may not be committed yet).
    """
    from ecgbench.signal.qrs import detect_qrs

    a, b = max(0, int(round(t0 * fs))), min(lead.size, int(round(t1 * fs)))
    if b - a < int(5 * fs):
        return float("nan")
    stop = b - int(0.5 * fs)
    other = a + detect_qrs(lead[a:b], fs, method="xqrs")
    return sqi.bsqi(beats[(beats >= a) & (beats < stop)], other[other < stop], fs)


def place(t: float, spans: list[tuple[float, float]], quality: list[tuple[float, float]]) -> tuple[int | None, str]:
    """The fault a time falls in or after (index) and where it lies against the quality alarm."""
    for k, (a, b) in enumerate(spans):
        if a <= t <= b + AFTER_S:
            if any(qa <= t <= qb for qa, qb in quality):
                return k, "flagged"
            if t > b:
                return k, "after_offset"
            flags = [max(qa, a) for qa, qb in quality if qa < b and qb > a]
            return k, "before_flag" if not flags or t < min(flags) else "unflagged_gap"
    return None, "outside"


def stream_one(record: str, condition: str, data_dir: Path, config: PipelineConfig, make, noises: dict) -> dict:
    rec = read_record(record, data_dir / "mitdb")
    reference = read_annotations(record, data_dir / "mitdb")
    fs, signal = rec.fs, rec.signal.astype(np.float64)
    x = inject_condition(condition, signal, fs, nst_normal_beats(reference.sample, reference.symbol), noises)
    events = stream_array(x, fs, make(), config, 1.0)
    n = signal.shape[0]
    collector = AnnotationCollector()
    collector.add(events, fs)
    streamed = StreamedRecord(record, fs, n, collector, 1.0, LatencyTracker(), config.alarms)
    spans = fault_spans(condition, n, fs)
    quality = collector.alarm_intervals("signal_quality", until=n / fs)
    truth = {row["onset"]: row["true"] for row in vt_alarm_truth(streamed, reference)}
    ventricular = reference_ventricular_intervals(reference, n, fs, config.alarms)
    lead = x[:, config.detection_lead]
    beats = np.array([e.sample for e in events if isinstance(e, BeatEvent)], dtype=np.int64)
    vt = []
    last_beat = 0.0
    for e in events:
        if isinstance(e, BeatEvent):
            last_beat = e.time  # a VT change follows the beat that completed its run
        if not (isinstance(e, AlarmEvent) and e.kind == "VT" and e.state in ("start", "suppressed")):
            continue
        onset = round(e.time, 3)
        true = truth.get(onset) if e.state == "start" else bool(np.any((ventricular[:, 0] <= e.time + 0.15) & (ventricular[:, 1] >= e.time - 0.15)))
        fault, where = place(e.time, spans, quality)
        row = {"state": e.state, "onset": onset, "decision": round(e.decision_time, 3), "true": true, "fault": fault,
               "where": where, "where_decision": place(e.decision_time, spans, quality)[1],
               "run": window_sqis(lead, fs, min(e.time - 0.5, last_beat + 0.5 - 2.0), last_beat + 0.5)}  # fmt: skip
        for w in (2, 5, 10):
            row[f"last{w}"] = window_sqis(lead, fs, e.decision_time - w, e.decision_time)
        if e.state == "start":  # the raised alarms only (xqrs is slow; the suppressed ones need no further check)
            row["bsqi10"] = beat_agreement(lead, fs, beats, e.decision_time - 10.0, e.decision_time)
        vt.append(row)
    blocks = {"noise3": noise_index_blocks(lead, fs, config.quality)}
    for w in BLOCK_WINDOWS:
        blocks.update({f"{k}{w}": v for k, v in block_sqis(lead, fs, w).items()})
    out = {"record": record, "condition": condition, "fs": fs, "n": n, "spans": spans, "quality": quality, "vt": vt,
           "blocks": {k: [None if not np.isfinite(v) else round(float(v), 4) for v in a] for k, a in blocks.items()}}  # fmt: skip
    if condition == "clean":
        out["alarmable"] = [r for r in alarm_delays(streamed, data_dir / "mitdb", reference=reference)["VT"] if r.get("meets_rule")]
    return out


def run(args: argparse.Namespace) -> int:
    records = args.records.split(",") if args.records else list(DS1)
    if set(records) - set(DS1):
        print(f"diagnose: records {sorted(set(records) - set(DS1))} are not DS1 records; this study reads DS1 only", file=sys.stderr)
        return 2
    conditions = args.conditions.split(",")
    noises = {name: read_record(name, args.data_dir / "nstdb").signal.astype(np.float64) for name in ("bw", "ma")}
    make = classifier_factory("rules")
    config = PipelineConfig()
    with open(args.out, "a") as f:
        for record in records:
            for condition in conditions:
                f.write(json.dumps(stream_one(record, condition, args.data_dir, config, make, noises)) + "\n")
                f.flush()
            print(record, file=sys.stderr)
    return 0


def load(path: Path) -> list[dict]:
    """The diagnosis lines of ``run``."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def fault_hours(rows: list[dict]) -> float:
    return sum(b - a for r in rows for a, b in r["spans"]) / 3600.0


def where_table(rows: list[dict]) -> list[dict]:
    """Raised VT alarms per condition: true, false, and the false ones by where their onset lies."""
    out = []
    for condition in dict.fromkeys(r["condition"] for r in rows):
        sel = [r for r in rows if r["condition"] == condition]
        vt = [v for r in sel for v in r["vt"] if v["state"] == "start"]
        false = [v for v in vt if not v["true"]]
        row = {"condition": condition, "fault_h": round(fault_hours(sel), 2), "raised": len(vt), "false": len(false),
               "suppressed": sum(v["state"] == "suppressed" for r in sel for v in r["vt"])}  # fmt: skip
        for where in ("before_flag", "flagged", "unflagged_gap", "after_offset", "outside"):
            row[where] = sum(v["where"] == where for v in false)
            row[f"{where}@decision"] = sum(v["where_decision"] == where for v in false)
        lag = dip = 0
        ratio = QualityConfig().noise_ratio
        for r in sel:
            noise = block_values(r, "noise3")
            for v in r["vt"]:
                if v["state"] != "start" or v["true"]:
                    continue
                soon = noise[max(0, int(v["onset"] - 2)) : int(v["decision"]) + 3]  # verdicts up to 3 s after the decision
                lag += bool(np.any(soon > ratio))
                dip += not np.any(soon > ratio)
        row["noise_verdict_late"], row["noise_index_low"] = lag, dip
        out.append(row)
    return out


def block_values(r: dict, name: str) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in r["blocks"][name]], dtype=float)


def unflagged_faults(rows: list[dict], noise_ratio: float) -> list[dict]:
    """The faults of at least 5 s the quality alarm never flagged, with the indices' extremes inside them."""
    out = []
    for r in rows:
        for k, (a, b) in enumerate(r["spans"]):
            if b - a < MIN_FLAGGED_S or any(qa < b and qb > a for qa, qb in r["quality"]):
                continue
            i0, i1 = int(a), int(b)
            row = {"condition": r["condition"], "record": r["record"], "fault": k, "start_s": a,
                   "noise3_max": float(np.nanmax(block_values(r, "noise3")[i0:i1])), "noise_ratio": noise_ratio}  # fmt: skip
            for name in ("bas5", "bas10", "psqi5", "psqi10"):
                row[f"{name}_min"] = float(np.nanmin(block_values(r, name)[i0:i1]))
            out.append(row)
    return out


def block_flag_table(rows: list[dict], name: str, thresholds: list[float]) -> list[dict]:
    """A block-level index below a threshold: the clean blocks it flags (per hour) and the faults it flags (%)."""
    out = []
    for t in thresholds:
        row = {"index": name, "threshold": t}
        clean = [r for r in rows if r["condition"] == "clean"]
        flagged = sum(int(np.sum(block_values(r, name) < t)) for r in clean)
        hours = sum(r["n"] / r["fs"] for r in clean) / 3600.0
        row["clean_flagged_s_per_h"] = round(flagged / hours, 1) if hours else None
        row["clean_records_flagged"] = sum(bool(np.any(block_values(r, name) < t)) for r in clean)
        for condition in dict.fromkeys(r["condition"] for r in rows if r["condition"] != "clean"):
            faults = hit = either = 0
            for r in (r for r in rows if r["condition"] == condition):
                values = block_values(r, name)
                for a, b in r["spans"]:
                    if b - a >= MIN_FLAGGED_S:
                        faults += 1
                        alone = bool(np.any(values[int(a) : int(b)] < t))
                        hit += alone
                        either += alone or any(qa < b and qb > a for qa, qb in r["quality"])
            row[f"{condition}_pct"] = round(100.0 * hit / faults, 1) if faults else None
            row[f"{condition}_with_chain_pct"] = round(100.0 * either / faults, 1) if faults else None
        out.append(row)
    return out


def gate_table(rows: list[dict], feature: str, thresholds: list[float], below: bool = True) -> list[dict]:
    """A veto of raised VT alarms whose ``feature`` (``window.index``) is below (above) a threshold.

    Per threshold: the clean true alarms and alarmable onsets' alarms it would veto, the clean false
    alarms it removes, and the false alarms per fault hour left in every fault condition (a first
    look: a vetoed run may still alarm on a later beat, which only the stream shows).
    """
    window, index = feature.split(".")
    out = []
    for t in thresholds:
        def vetoed(v):
            value = v.get(window) if window == "bsqi10" else (v.get(window) or {}).get(index)
            return value is not None and np.isfinite(value) and (value < t if below else value > t)

        row = {"feature": feature, "threshold": t}
        clean = [r for r in rows if r["condition"] == "clean"]
        true = [(r, v) for r in clean for v in r["vt"] if v["state"] == "start" and v["true"]]
        row["clean_true_vetoed"] = f"{sum(vetoed(v) for _, v in true)}/{len(true)}"
        onsets = lost = 0
        for r in clean:
            for episode in r.get("alarmable", []):
                onsets += 1
                if episode["delay"] is None:
                    continue
                decided = episode["onset"] + episode["delay"]
                first = [v for v in r["vt"] if v["state"] == "start" and abs(v["decision"] - decided) < 0.01]
                lost += bool(first) and vetoed(first[0])
        row["clean_onsets_lost"] = f"{lost}/{onsets}"
        row["clean_false_removed"] = sum(vetoed(v) for r in clean for v in r["vt"] if v["state"] == "start" and not v["true"])
        for condition in dict.fromkeys(r["condition"] for r in rows if r["condition"] != "clean"):
            sel = [r for r in rows if r["condition"] == condition]
            left = sum(1 for r in sel for v in r["vt"] if v["state"] == "start" and not v["true"] and v["fault"] is not None and not vetoed(v))
            row[f"{condition}_false_per_fault_h"] = round(left / fault_hours(sel), 2)
        out.append(row)
    return out


def report(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    rows = load(args.path)
    console = Console(width=200)

    def show(title: str, table_rows: list[dict]) -> None:
        if not table_rows:
            console.print(f"{title}: none")
            return
        table = Table(title=title)
        for key in table_rows[0]:
            table.add_column(key)
        for row in table_rows:
            table.add_row(*["–" if v is None else f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.values()])
        console.print(table)

    show("Raised VT alarms by where their onset (and decision) lies", where_table(rows))
    show("Faults >= 5 s never flagged", unflagged_faults(rows, QualityConfig().noise_ratio))
    clean = [r for r in rows if r["condition"] == "clean"]
    hours = sum(r["n"] / r["fs"] for r in clean) / 3600.0
    console.print(f"clean: {hours:.2f} h; the chain's quality alarm: {sum(b - a for r in clean for a, b in r['quality']) / hours:.1f} s/h "
                  f"in {sum(len(r['quality']) for r in clean) / hours:.2f} alarms/h")  # fmt: skip
    true_psqi = [v["run"]["psqi"] for r in clean for v in r["vt"] if v["state"] == "start" and v["true"]]
    console.print(f"clean true VT alarms: {len(true_psqi)}, lowest run pSQI {min(true_psqi):.3f}" if true_psqi else "no clean true VT alarm")
    for name, thresholds in (("bas5", [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5]), ("bas10", [0.05, 0.1, 0.15, 0.2, 0.3, 0.5]),
                             ("psqi5", [0.35, 0.4, 0.45, 0.5, 0.55, 0.6]), ("psqi10", [0.35, 0.4, 0.45, 0.5, 0.55, 0.6])):  # fmt: skip
        show(f"Block flags by {name}", block_flag_table(rows, name, thresholds))
    for feature, thresholds, below in (("run.psqi", [0.3, 0.4, 0.5, 0.6, 0.7, 0.8], True), ("last2.psqi", [0.3, 0.35, 0.4, 0.45, 0.5], True),
                                       ("last5.psqi", [0.3, 0.35, 0.4, 0.45], True), ("last5.bas", [0.3, 0.5, 0.7], True),
                                       ("bsqi10.x", [0.5, 0.6, 0.7, 0.8, 0.9], True), ("run.k", [2.0, 2.5, 3.0], True)):  # fmt: skip
        show(f"VT veto by {feature}", gate_table(rows, feature, thresholds, below))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="Stream DS1 records and write the diagnosis lines.")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--records", help="Comma-separated DS1 records (default: all 22).")
    r.add_argument("--conditions", default="clean,ma0,ma6,bw12,ma12")
    r.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    rep = sub.add_parser("report", help="Print the diagnosis tables of a run's lines.")
    rep.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    return run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    sys.exit(main())
