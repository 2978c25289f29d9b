"""The VF detector (``ecgbench.signal.vf_detection``) on fixed 8-s windows: DS1 thresholds, VFDB figures.

The rule is in ``experiments/vf_detector/README.md`` (committed before any VFDB run):

    python benchmarks/vf_detector.py --ds1           # MIT-BIH DS1 only: the thresholds at 99 % non-shockable Sp
    python benchmarks/vf_detector.py                 # VFDB: VF Se, VT Se, non-shockable Sp (record bootstrap)

Both print Rich tables (``--json`` for JSON). Windows, labels and groups as in the rule: lead 0 at
the record's own rate, 8-s windows every 8 s, the rhythm covering at least half of a window, AHA
groups from :func:`ecgbench.records.vfdb.aha_group` (MIT-BIH ``VFL`` is VF). About 10 s for DS1
and 10 s for VFDB on one core.

Quick scope (``--quick``): the VFDB figures on its first six records (418-423) instead of 22 (with
``--ds1``: DS1 as in full): a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import json as json_module
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ecgbench.evaluation.bootstrap import resample_weights
from ecgbench.evaluation.rhythm import EpisodeCounts, vf_episode_stats, vf_episodes
from ecgbench.paths import shared_data_dir
from ecgbench.records import DS1, read_annotations, read_record, rhythm_intervals, rhythm_windows
from ecgbench.records.lists import VFDB_RECORDS
from ecgbench.records.vfdb import aha_group
from ecgbench.signal import vf_detection
from ecgbench.signal.vf_detection import STEP_S, WINDOW_S, vf_features

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
N_RESAMPLES, SEED, CONFIDENCE = 2000, 0, 0.95
#: Percentiles of DS1's non-shockable windows that set the thresholds (rule step 3).
TCSC_PERCENTILE, LEAKAGE_PERCENTILE = 99.0, 1.0
#: VFDB records of the quick scope.
QUICK_RECORDS = VFDB_RECORDS[:6]


def record_windows(folder: Path, record: str) -> dict[str, np.ndarray]:
    """Features and AHA group of every labelled 8-s window of one record (lead 0), plus every window's
    features (``all_*``), the reference VF episodes and the record's length for the episode report."""
    rec = read_record(record, folder)
    annotations = read_annotations(record, folder)
    ends, tcsc, leak = vf_features(rec.signal[:, 0], rec.fs, WINDOW_S, STEP_S)
    labelled = rhythm_windows(rhythm_intervals(annotations, rec.n_samples), rec.n_samples, rec.fs, WINDOW_S, STEP_S)
    length = int(round(WINDOW_S * rec.fs))
    group = dict(zip((labelled.start + length).tolist(), (aha_group(r) for r in labelled.rhythm.tolist())))
    keep = np.array([int(e) in group for e in ends], dtype=bool)
    return {
        "tcsc": tcsc[keep],
        "leakage": leak[keep],
        "group": np.array([group[int(e)] for e in ends[keep]], dtype="<U8"),
        "all_end": ends, "all_tcsc": tcsc, "all_leakage": leak, "length": int(round(WINDOW_S * rec.fs)),
        "fs": rec.fs, "n_samples": rec.n_samples,
        "ref_vf": vf_episodes(annotations.sample, annotations.symbol, annotations.aux_note, rec.n_samples),
    }  # fmt: skip


def episode_figures(per_record: dict[str, dict], method: str, threshold: float) -> dict:
    """VF episode Se/+P and duration Se/+P (epicmp -V) of the detector's merged VF windows, pooled."""
    total = EpisodeCounts()
    for w in per_record.values():
        flagged = decisions({"tcsc": w["all_tcsc"], "leakage": w["all_leakage"]}, method, threshold)
        test = []
        for end in w["all_end"][flagged].tolist():
            start = end - w["length"]
            if test and start <= test[-1][1]:
                test[-1][1] = end
            else:
                test.append([start, end])
        total = total + vf_episode_stats(w["ref_vf"], np.asarray(test, np.int64).reshape(-1, 2), 0, w["n_samples"], w["fs"])
    return total.figures()


def decisions(windows: dict[str, np.ndarray], method: str, threshold: float) -> np.ndarray:
    """VF decision per window for one method at one threshold (as :func:`vf_detection.detect_vf`)."""
    if method == "tcsc":
        return windows["tcsc"] > threshold
    return np.nan_to_num(windows["leakage"], nan=np.inf) < threshold


#: Figure → (groups in the denominator, True if a VF decision counts as correct).
FIGURES: dict[str, tuple[tuple[str, ...], bool]] = {
    "VF Se": (("VF",), True),
    "VT Se": (("VT",), True),
    "non-shockable Sp (NOISE counted)": (("NONSHOCK", "NOISE"), False),
    "non-shockable Sp (without NOISE)": (("NONSHOCK",), False),
}


def figure_table(per_record: dict[str, dict], method: str, threshold: float) -> dict[str, dict]:
    """Pooled figures with record-bootstrap percentile intervals: {figure: {estimate, low, high, correct, windows}}."""
    records = list(per_record)
    weights = resample_weights(len(records), N_RESAMPLES, SEED)
    out = {}
    for name, (groups, positive) in FIGURES.items():
        correct, total = np.zeros(len(records)), np.zeros(len(records))
        for k, record in enumerate(records):
            w = per_record[record]
            mask = np.isin(w["group"], groups)
            flagged = decisions(w, method, threshold)[mask]
            correct[k] = np.count_nonzero(flagged if positive else ~flagged)
            total[k] = mask.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates = 100.0 * (weights @ correct) / (weights @ total)
        defined = replicates[np.isfinite(replicates)]
        alpha = (1 - CONFIDENCE) / 2
        low, high = np.quantile(defined, [alpha, 1 - alpha]) if defined.size else (np.nan, np.nan)
        estimate = 100.0 * correct.sum() / total.sum() if total.sum() else float("nan")
        out[name] = {
            "estimate": float(estimate), "low": float(low), "high": float(high),
            "correct": int(correct.sum()), "windows": int(total.sum()), "records": int(np.count_nonzero(total)),
        }  # fmt: skip
    return out


def _table(title: str, rows: dict[str, dict[str, dict]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("detector")
    for name in FIGURES:
        table.add_column(name, justify="right")
    for label, figures in rows.items():
        table.add_row(
            label,
            *(
                f"{f['estimate']:.1f} [{f['low']:.1f}, {f['high']:.1f}]\n{f['correct']}/{f['windows']} ({f['records']} rec)"
                for f in figures.values()
            ),
        )
    table.caption = f"8-s windows every 8 s, lead 0; 95 % intervals from {N_RESAMPLES} record-bootstrap resamples (seed {SEED})"
    return table


@app.command()
def main(
    ds1: Annotated[bool, typer.Option("--ds1", help="Choose the thresholds on MIT-BIH DS1 (rule step 3) instead.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Folder holding mitdb/ and vfdb/ (default ../shared/data).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="VFDB's first six records only (a smoke check).")] = False,
) -> None:
    """Print the DS1 threshold choice (--ds1) or the VFDB figures of the DS1-chosen detector."""
    root = data_dir or shared_data_dir()
    if root is None:
        raise typer.BadParameter("no data: pass --data-dir (the folder holding mitdb/ and vfdb/)")
    console = Console(width=160)
    if ds1:
        per_record = {r: record_windows(root / "mitdb", r) for r in DS1}
        pool = {k: np.concatenate([w[k] for w in per_record.values()]) for k in ("tcsc", "leakage", "group")}
        non_shockable = pool["group"] == "NONSHOCK"
        thresholds = {
            "tcsc": float(np.percentile(pool["tcsc"][non_shockable], TCSC_PERCENTILE, method="higher")),
            "leakage": float(np.nanpercentile(pool["leakage"][non_shockable], LEAKAGE_PERCENTILE, method="lower")),
        }
        rows = {f"{m} (threshold {t:.4g})": figure_table(per_record, m, t) for m, t in thresholds.items()}
        if json:
            print(json_module.dumps({"database": "mitdb DS1", "thresholds": thresholds, "figures": rows}, indent=2))
            return
        console.print(_table("MIT-BIH DS1: thresholds at 99 % non-shockable specificity (VF = record 207's VFL only)", rows))
        return
    thresholds = {"tcsc": vf_detection.TCSC_THRESHOLD, "leakage": vf_detection.LEAKAGE_THRESHOLD}
    if not all(np.isfinite(list(thresholds.values()))):
        raise typer.BadParameter("the DS1 thresholds are not set in ecgbench.signal.vf_detection; run --ds1 first")
    records = QUICK_RECORDS if quick else VFDB_RECORDS
    per_record = {r: record_windows(root / "vfdb", r) for r in records}
    labels = {m: f"{m} (threshold {t:.4g}){' — primary' if m == 'tcsc' else ''}" for m, t in thresholds.items()}
    rows = {labels[m]: figure_table(per_record, m, t) for m, t in thresholds.items()}
    episodes = {labels[m]: episode_figures(per_record, m, t) for m, t in thresholds.items()}
    if json:
        print(json_module.dumps({"database": "vfdb", "thresholds": thresholds, "figures": rows, "episodes": episodes}, indent=2))
        return
    console.print(_table(f"VFDB ({len(records)} records): AHA shockable-rhythm statistics of the DS1-chosen VF detector", rows))
    table = Table(title="VFDB VF episodes (epicmp -V semantics, whole records, gross)", title_justify="left")
    for name in ("detector", "episode Se", "episode +P", "duration Se", "duration +P", "TP/FN (Se)", "TP/FP (+P)", "ref / test VF (s)"):
        table.add_column(name, justify="left" if name == "detector" else "right")
    for label, e in episodes.items():
        table.add_row(
            label, *(f"{e[k]:.1f}" for k in ("episode_se", "episode_ppv", "duration_se", "duration_ppv")),
            f"{e['tp_se']}/{e['fn']}", f"{e['tp_ppv']}/{e['fp']}", f"{e['ref_duration_s']:.0f} / {e['test_duration_s']:.0f}",
        )  # fmt: skip
    console.print(table)


if __name__ == "__main__":
    app()
