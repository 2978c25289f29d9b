"""Why alarmable VT onsets went unalarmed in a committed stream run: a missed beat, a wrong label, or both.

For every annotated VT episode of a streaming run record (``alarm_delays.VT``) that the VT rule
could alarm from the reference beats (``meets_rule``) but that the stream did not alarm, this lists
the reference beats of the episode (onset to onset + duration, ± 150 ms), whether the stream
detected each one (paired as the EC57 scorer pairs beats: bxb's one-to-one rule, 150 ms window) and the label it
gave, and names the cause:

- ``detector``: a reference beat of the episode has no detected beat;
- ``label``: a detected beat of the episode carries a label outside the run's ``vt_labels``
  (V and F by default), so fewer than ``vt_min_beats`` consecutive ventricular labels remain;
- both, when both happen.

For a model with the AF gate (the recipe's ``af_gate`` wrapper), the saved labels are the gated ones shown to
the user, while the VT rule saw the classifier's own labels; inside AF a ``label`` cause may then be
the gate's doing. The script says so when the streamed model's run record declares it.
With ``--vt-probability x`` the rule also counted a beat whose p(V) + p(F) reached x; the saved
beats hold labels, not probabilities, so a ``label`` cause then means a beat outside ``vt_labels``
whose probability stayed below x too. The script prints x when the run set it.

It reads only the run record, its saved beats (``record``, ``sample``, ``predicted_label``) and the
reference annotations; nothing is streamed again. A diagnosis of test-set errors: it says where the
chain fails, it must not be used to choose a setting.

    python -m experiments.streaming_alarms.vt_misses [RUN] [--results-dir leaderboards/results] [--data-dir ../shared/data] [--json]

Without RUN: the newest committed DS2 stream of ``--model cnn1d`` at 1-s chunks.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

import numpy as np

from ecgbench.evaluation.matching import match_beats
from ecgbench.leaderboard.record import read_run_record
from ecgbench.leaderboard.store import resolve_run
from ecgbench.paths import database_dir, shared_data_dir
from ecgbench.records import AAMI_CLASSES, read_annotations
from ecgbench.records.symbols import aami_class, is_beat

#: EC57 beat-matching window, seconds.
MATCH_WINDOW_S = 0.15


@functools.lru_cache(maxsize=None)
def _reference_beats(record: str, directory: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """A record's reference beats: samples, symbols and sampling rate (read once per record)."""
    annotations = read_annotations(record, directory)
    beat = is_beat(annotations.symbol)
    return annotations.sample[beat], annotations.symbol[beat], annotations.fs


def episode_beats(saved: dict, episode: dict, directory: Path, vt_labels: str) -> dict:
    """The reference beats of one VT episode with the stream's matching beat and label, and the cause of the miss.

    Beats are paired as the EC57 scorer pairs them (:func:`ecgbench.evaluation.matching.match_beats`,
    bxb's one-to-one rule within :data:`MATCH_WINDOW_S`), over the whole record.
    """
    reference, symbols, fs = _reference_beats(episode["record"], Path(directory))
    mine = np.flatnonzero(saved["record"] == episode["record"])
    mine = mine[np.argsort(saved["sample"][mine], kind="stable")]
    match = match_beats(reference, saved["sample"][mine], int(round(MATCH_WINDOW_S * fs)))
    times = reference / fs
    start, end = episode["onset"] - MATCH_WINDOW_S, episode["onset"] + episode["duration"] + MATCH_WINDOW_S
    rows, missed, mislabelled = [], 0, 0
    for i in np.flatnonzero((times >= start) & (times <= end)):
        truth, j = aami_class(symbols[i]), int(match.ref_to_test[i])
        label = AAMI_CLASSES[int(saved["predicted_label"][mine[j]])] if j >= 0 else None
        rows.append({"time_s": round(float(times[i]), 3), "reference": truth, "stream": label})
        missed += label is None
        mislabelled += label is not None and truth in vt_labels and label not in vt_labels
    cause = " + ".join(name for name, count in (("detector", missed), ("label", mislabelled)) if count) or "neither"
    return {"record": episode["record"], "onset_s": episode["onset"], "rate_bpm": episode["rate_bpm"], "cause": cause,
            "beats_missed": missed, "ventricular_beats_mislabelled": mislabelled, "beats": rows}  # fmt: skip


def default_run(results_dir: str) -> Path:
    """The newest DS2 streaming record of the cnn1d baseline at 1-s chunks under ``results_dir``."""
    candidates = []
    for path in sorted((Path(results_dir) / "streaming").glob("*-stream-cnn1d-seed*.json")):
        run = read_run_record(path)
        if run["submission"]["name"] == "cnn1d" and run["recipe"].get("records") == "DS2" and run["recipe"].get("chunk_s") == 1.0:
            candidates.append(path)
    if not candidates:
        raise SystemExit(f"no DS2 stream of cnn1d under {results_dir}/streaming; run: ecgbench run stream --model cnn1d")
    return candidates[-1]  # run ids start with their UTC time, so the sorted order is the time order


def labels_are_af_gated(run: dict, results_dir: str) -> bool:
    """True when the streamed model's run record (``training.model_run``) declares the ``af_gate`` wrapper (either spelling)."""
    model_run = (run.get("training") or {}).get("model_run")
    if not model_run:
        return False
    model = read_run_record(resolve_run(model_run, results_dir))
    from ecgbench.runner.af_gate_wrapper import af_gate_of

    return af_gate_of(model.get("recipe") or {}, str(model_run))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", default=None, help="streaming run id or run-record path (default: see module notes)")
    parser.add_argument("--results-dir", default="leaderboards/results", help="results tree holding the run")
    parser.add_argument("--data-dir", default=None, help="raw PhysioNet data root holding mitdb/ (default $ECGBENCH_DATA_DIR)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    path = resolve_run(args.run, args.results_dir) if args.run else default_run(args.results_dir)
    run = read_run_record(path)
    if run["task"] != "streaming":
        raise SystemExit(f"{path} is a {run['task']} run; give a streaming run (ecgbench run stream)")
    with np.load(path.with_name(run["predictions"]["file"]), allow_pickle=False) as data:
        saved = {name: data[name] for name in ("record", "sample", "predicted_label")}
    directory = database_dir("mitdb", args.data_dir or shared_data_dir())
    vt_labels = run["recipe"]["alarms"]["vt_labels"]
    vt_probability = run["recipe"]["alarms"].get("vt_probability")
    unalarmed = [e for e in run["alarm_delays"].get("VT", []) if e.get("meets_rule") and e.get("delay") is None]
    results = [episode_beats(saved, episode, directory, vt_labels) for episode in unalarmed]
    gated = labels_are_af_gated(run, args.results_dir)
    if args.json:
        print(json.dumps({"run": run["run_id"], "vt_labels": vt_labels, "vt_probability": vt_probability, "labels_af_gated": gated,
                          "unalarmed": results}, indent=2))  # fmt: skip
        return 0
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title=f"{run['run_id']}: alarmable VT onsets not alarmed (reference → stream label, '-' = no detected beat)")
    for column in ("record", "onset (s)", "rate (bpm)", "cause", "beats of the episode"):
        table.add_column(column, justify="left" if column in ("record", "cause", "beats of the episode") else "right")
    for r in results:
        beats = " ".join(f"{b['reference']}→{b['stream'] or '-'}" for b in r["beats"])
        table.add_row(r["record"], f"{r['onset_s']:.1f}", f"{r['rate_bpm']:.1f}", r["cause"], beats)
    console.print(table)
    alarmable = sum(1 for e in run["alarm_delays"].get("VT", []) if e.get("meets_rule"))
    console.print(f"{len(results)} of {alarmable} alarmable onsets not alarmed; VT labels for the rule: {vt_labels}")
    if vt_probability is not None:
        console.print(f"The rule also counted beats with p({' + '.join(vt_labels)}) >= {vt_probability:g}: a beat labelled otherwise "
                      "that broke the run had a lower probability too.")  # fmt: skip
    if gated:
        console.print("The model has the AF gate: these are the gated labels shown, not the labels the VT rule saw (see module notes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
