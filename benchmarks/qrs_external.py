"""QRS detection away from the clean MIT-BIH records: LUDB, and the MIT-BIH noise stress test.

Every detector runs in the same process on the same signals, so the comparison survives a loaded
machine: ecgbench's online detector (fed ``--chunk-s`` seconds at a time, as in the stream),
wfdb's XQRS and NeuroKit2's default. Detections are scored beat by beat with the EC57/bxb rules
(:func:`ecgbench.evaluation.compare_record`, 150-ms window) and pooled into gross Se / +P.

1. **LUDB** (``--ludb``): every record in ``<data-dir>/ludb/data`` (the shared copy holds 1–100
   of LUDB's 200; 500 Hz, 10 s, 12 leads; recordings no ecgbench detector setting was chosen on). Each ``--leads`` lead (default II) is
   detected at its native rate and scored against the cardiologists' QRS peaks (``N``) of that
   lead's annotation file, inside its annotated span only (LUDB leaves the first and last beats
   unannotated, :func:`ecgbench.records.ludb.annotated_span`): references and detections outside
   it are not counted. No learning period: a 10-s record has none to spare.
2. **Noise stress test** (``--nst``): MIT-BIH records 118 and 119, the NSTDB's clean records, with
   NSTDB ``bw`` (baseline wander) and ``ma`` (muscle artefact) noise added by
   :func:`ecgbench.data.noise_stress.noise_stress` (WFDB ``nst``'s calibration and protocol: clean
   for 5 min, then 2 min noisy / 2 min clean) at 24, 18, 12, 6, 0 and -6 dB. The first lead is
   detected and scored against the records' reference annotations after the 5-min learning period
   (bxb's default for the NSTDB), noisy and clean segments together. The SNR calibration uses the
   beats WFDB's ``map1`` calls normal (:func:`ecgbench.data.noise_stress.nst_normal_beats`).
   NSTDB's third noise, ``em`` (electrode motion, EC57's choice), is not in the shared data.

Usage::

    python benchmarks/qrs_external.py                       # both checks, three detectors
    python benchmarks/qrs_external.py --ludb --leads ii,v1,v5 --methods ecgbench,xqrs
    python benchmarks/qrs_external.py --nst --snr 12,6,0 --json

Quick scope (``--quick``): the first 20 LUDB records (lead II) and the noise stress test at 6 dB
only (clean, ``bw`` and ``ma``), all three detectors: a smoke check of the same code, not the
published figure.

References
----------
Kalyakulina AI et al. LUDB: A New Open-Access Validation Tool for Electrocardiogram Delineation
Algorithms. IEEE Access 8:186181-186190 (2020).
Moody GB, Muldrow WE, Mark RG. A noise stress test for arrhythmia detectors. Computers in
Cardiology 11:381-384 (1984).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ecgbench.data.noise import NSTDB_NOISE_KINDS
from ecgbench.data.noise_stress import NST_START_S, noise_stress, nst_normal_beats
from ecgbench.evaluation import compare_record, score_records
from ecgbench.paths import database_dir, shared_data_dir
from ecgbench.records import read_annotations, read_record
from ecgbench.records.ludb import LUDB_LEADS, read_ludb_waves
from ecgbench.signal import QRS_METHODS, OnlineQRSDetector, detect_qrs

#: The NSTDB's clean records (its noisy records are 118e24 … 119e_6).
NST_RECORDS = ("118", "119")
#: The NSTDB's SNRs, dB.
NST_SNRS_DB = (24.0, 18.0, 12.0, 6.0, 0.0, -6.0)
#: LUDB records (the first N) and SNR (dB) of the quick scope.
QUICK_LUDB_RECORDS, QUICK_SNR_DB = 20, 6.0


def detect(method: str, x: np.ndarray, fs: float, chunk_s: float) -> tuple[np.ndarray, float]:
    """R peaks of one lead and the detector's CPU seconds; ecgbench runs chunk by chunk (streaming)."""
    cpu = time.process_time()
    if method == "ecgbench":
        detector = OnlineQRSDetector(fs)
        step = max(1, int(round(chunk_s * fs)))
        peaks = np.concatenate([*(detector.process(x[i : i + step]) for i in range(0, x.size, step)), detector.flush()])
    else:
        peaks = detect_qrs(x, fs, method=method)
    return np.asarray(peaks, dtype=np.int64), time.process_time() - cpu


def inside(samples: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    """The samples within ``span`` (first and last annotated sample, inclusive)."""
    samples = np.asarray(samples, dtype=np.int64)
    return samples[(samples >= span[0]) & (samples <= span[1])]


def ludb_records(ludb_dir: Path) -> list[str]:
    """LUDB record names with a header in ``ludb_dir/data``, in numeric order."""
    names = [path.stem for path in (ludb_dir / "data").glob("*.hea")]
    if not names:
        sys.exit(f"no LUDB record in {ludb_dir / 'data'}; pass the folder holding data/ with --ludb-dir")
    return sorted(names, key=int)


def gross(comparisons: list) -> dict:
    """Pooled QRS Se / +P (percent) and counts of a list of record comparisons."""
    qrs = score_records(comparisons, exclude_paced=False).gross["qrs"]
    return {key: qrs[key] for key in ("se", "ppv", "tp", "fn", "fp")} | {"n_records": len(comparisons)}


def run_ludb(ludb_dir: Path, leads: list[str], methods: list[str], chunk_s: float, progress, max_records: int | None = None) -> dict:
    """Score every method on every LUDB record (the first ``max_records``) and lead; return pooled figures per lead and method."""
    records = ludb_records(ludb_dir)[:max_records]
    data = ludb_dir / "data"
    comparisons = {(lead, m): [] for lead in leads for m in methods}
    cpu = dict.fromkeys(methods, 0.0)
    signal_s = 0.0
    task = progress.add_task("LUDB", total=len(records))
    for name in records:
        rec = read_record(name, data)
        names = [n.lower() for n in rec.lead_names]
        for lead in leads:
            if lead not in names:
                sys.exit(f"LUDB record {name} has no lead {lead!r} (leads: {', '.join(rec.lead_names)}); choose --leads among them")
            waves, span = read_ludb_waves(name, data, lead)
            reference = inside(waves["qrs"].peak, span)
            x = rec.signal[:, names.index(lead)].astype(np.float64)
            signal_s += rec.duration
            for method in methods:
                peaks, took = detect(method, x, rec.fs, chunk_s)
                cpu[method] += took
                test = inside(peaks, span)
                comparisons[(lead, method)].append(
                    compare_record(f"{name}.{lead}", reference, ["N"] * reference.size, test, ["N"] * test.size, rec.fs)
                )
        progress.advance(task)
    return {
        "records": len(records),
        "signal_s": signal_s,
        "leads": {lead: {m: gross(comparisons[(lead, m)]) for m in methods} for lead in leads},
        "per_record_errors": {
            f"{lead}/{m}": {c.record: c.fn + c.fp for c in comparisons[(lead, m)] if c.fn + c.fp}
            for lead in leads for m in methods
        },  # fmt: skip
        "cpu_x_realtime": {m: signal_s / max(cpu[m], 1e-9) for m in methods},
    }


def run_nst(mitdb: Path, nstdb: Path, snrs: list[float], methods: list[str], chunk_s: float, progress) -> dict:
    """Score every method on 118/119 with each noise and SNR (and clean); return pooled figures."""
    noises = {kind: read_record(kind, nstdb) for kind in NSTDB_NOISE_KINDS}
    results: dict = {}
    task = progress.add_task("noise stress test", total=len(NST_RECORDS) * (1 + len(noises) * len(snrs)))
    cases = [("clean", None)] + [(kind, snr) for kind in noises for snr in snrs]
    comparisons = {(kind, snr, m): [] for kind, snr in cases for m in methods}
    gains = {}
    for name in NST_RECORDS:
        rec = read_record(name, mitdb)
        ref = read_annotations(name, mitdb)
        normal = nst_normal_beats(ref.sample, ref.symbol)
        for kind, snr in cases:
            if snr is None:
                x = rec.signal[:, 0].astype(np.float64)
            else:
                noise = noises[kind]
                if noise.fs != rec.fs:
                    sys.exit(f"noise record {kind} is at {noise.fs:g} Hz, record {name} at {rec.fs:g} Hz")
                mixed = noise_stress(rec.signal, normal, noise.signal, rec.fs, snr)
                x = mixed.signal[:, 0]
                gains[f"{name}/{kind}/{snr:g}"] = float(mixed.gain[0])
            for method in methods:
                peaks, _ = detect(method, x, rec.fs, chunk_s)
                comparisons[(kind, snr, method)].append(
                    compare_record(name, ref.sample, ref.symbol, peaks, ["N"] * peaks.size, rec.fs,
                                   learning_period=NST_START_S, ref_subtype=ref.subtype, n_samples=rec.n_samples)
                )  # fmt: skip
            progress.advance(task)
    for kind, snr in cases:
        key = "clean" if snr is None else f"{kind} {snr:g} dB"
        results[key] = {m: gross(comparisons[(kind, snr, m)]) for m in methods}
    return {"records": list(NST_RECORDS), "cases": results, "lead0_gain": gains}


def _cell(figures: dict) -> str:
    return f"{figures['se']:.2f} / {figures['ppv']:.2f}"


def print_tables(result: dict, methods: list[str], console) -> None:
    from rich.table import Table

    if "ludb" in result:
        ludb = result["ludb"]
        table = Table(title=f"QRS detection on LUDB ({ludb['records']} records, 10 s, 500 Hz; inside the annotated spans): "
                            "Se / +P (%), FN+FP")  # fmt: skip
        table.add_column("lead")
        for m in methods:
            table.add_column(m + (f" (stream {result['chunk_s']:g} s)" if m == "ecgbench" else ""), justify="right")
        for lead, row in ludb["leads"].items():
            table.add_row(lead, *(f"{_cell(row[m])}  ({row[m]['fn']}+{row[m]['fp']})" for m in methods))
        console.print(table)
        speed = ", ".join(f"{m} {v:,.0f}×" for m, v in ludb["cpu_x_realtime"].items())
        console.print(f"CPU speed (signal time / detector CPU time, this process): {speed}")
    if "nst" in result:
        nst = result["nst"]
        table = Table(title=f"Noise stress test, records {' + '.join(nst['records'])} (first lead, scored after 5 min): "
                            "Se / +P (%)")  # fmt: skip
        table.add_column("noise, SNR")
        for m in methods:
            table.add_column(m, justify="right")
        for case, row in nst["cases"].items():
            table.add_row(case, *(_cell(row[m]) for m in methods))
        console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ludb", action="store_true", help="run the LUDB check (default: both checks)")
    parser.add_argument("--nst", action="store_true", help="run the noise stress test (default: both checks)")
    parser.add_argument("--leads", default="ii", help=f"LUDB leads, comma list of {', '.join(LUDB_LEADS)} (default ii)")
    parser.add_argument("--snr", default=",".join(f"{s:g}" for s in NST_SNRS_DB), help="noise stress SNRs in dB, comma list")
    parser.add_argument("--methods", default=",".join(QRS_METHODS), help=f"comma list of {', '.join(QRS_METHODS)}")
    parser.add_argument("--chunk-s", type=float, default=1.0, help="ecgbench streaming chunk length, s (default 1)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data root with mitdb/, nstdb/, ludb/ (default ../shared/data)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_LUDB_RECORDS} LUDB records, lead II, {QUICK_SNR_DB:g} dB only (a smoke check)")
    args = parser.parse_args()
    if args.quick:
        args.leads, args.snr = "ii", f"{QUICK_SNR_DB:g}"

    from rich.console import Console
    from rich.progress import Progress

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    bad = [m for m in methods if m not in QRS_METHODS]
    leads = [lead.strip().lower() for lead in args.leads.split(",") if lead.strip()]
    if bad or not methods:
        sys.exit(f"unknown method(s) {bad}; valid: {', '.join(QRS_METHODS)}")
    if any(lead not in LUDB_LEADS for lead in leads):
        sys.exit(f"unknown LUDB lead in {leads}; valid: {', '.join(LUDB_LEADS)}")
    try:
        snrs = [float(s) for s in args.snr.split(",") if s.strip()]
    except ValueError:
        sys.exit(f"--snr takes a comma list of numbers in dB (got {args.snr!r})")
    both = not (args.ludb or args.nst)
    root = args.data_dir or shared_data_dir() or database_dir("mitdb").parent
    for folder, wanted in (("ludb", both or args.ludb), ("mitdb", both or args.nst), ("nstdb", both or args.nst)):
        if wanted and not (Path(root) / folder).is_dir():
            sys.exit(f"{Path(root) / folder} not found; pass --data-dir (a folder holding {folder}/)")
    result: dict = {"methods": methods, "chunk_s": args.chunk_s}
    with Progress(console=Console(stderr=True), transient=True) as progress:
        if both or args.ludb:
            result["ludb"] = run_ludb(Path(root) / "ludb", leads, methods, args.chunk_s, progress,
                                      QUICK_LUDB_RECORDS if args.quick else None)  # fmt: skip
        if both or args.nst:
            result["nst"] = run_nst(Path(root) / "mitdb", Path(root) / "nstdb", snrs, methods, args.chunk_s, progress)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print_tables(result, methods, Console(width=180))


if __name__ == "__main__":
    main()
