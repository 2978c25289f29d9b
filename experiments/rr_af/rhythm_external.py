"""External check of a rhythm submission's AF detection on LUDB, recordings never used for any AF choice.

The submission (default ``rr-af``) is fitted exactly as ``ecgbench run baseline rr-af --task rhythm``
fits it: the same recipe and seed (:func:`ecgbench.runner.beat.load_with_recipe`), the same
10-s ``mitdb/rhythm`` splits (:func:`ecgbench.runner.rhythm_data.load_rhythm_track`), the same
selection on ``val`` and, when the recipe asks for it, the same refit on ``train ∪ val``
(:func:`ecgbench.runner.beat.fit_estimator`, the runner's own fit). The fitted model then
predicts the MIT-BIH ``test`` windows (a reference row that reproduces the committed run) and
one window per LUDB record.

LUDB window (:func:`ludb_window`): the whole 10-s record (exactly one 10-s rhythm window), lead
``ii`` → model lead 0 (MIT-BIH's MLII) and ``v1`` → lead 1, physical units checked to be mV,
resampled 500 → 360 Hz with :func:`scipy.signal.resample_poly` (ratio 18/25, 5000 → 3600
samples). No padding: a record whose resampled length is not the window length is an error.

Scoring: AF (LUDB ``Rhythms`` = "Atrial fibrillation"; atrial flutter counts as not AF) against
the rest, one decision per record from the arg-max class, as the leaderboard's ``af`` figures.
Se, Sp and +P carry exact Clopper–Pearson 95 % intervals (records are independent subjects here).

**Nothing is tuned on LUDB**: no threshold, no model or feature choice, no refit; LUDB labels
are read only to score. The figures are what they are.

Usage::

    python -m experiments.rr_af.rhythm_external --tfds-dir /work/tfds
    python -m experiments.rr_af.rhythm_external --tfds-dir /work/tfds --submission rr-af --ludb-dir ../shared/data/ludb --json

References
----------
Kalyakulina AI et al. LUDB: A New Open-Access Validation Tool for Electrocardiogram Delineation
Algorithms. IEEE Access 8:186181-186190 (2020).
Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the
binomial. Biometrika 26(4):404-413 (1934).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgbench.errors import ConfigError, CorruptDataError, DataNotFoundError
from ecgbench.models import BeatArrays
from ecgbench.records import RHYTHM_CLASSES, read_record

#: LUDB lead feeding each model lead: 0 ← lead II (MIT-BIH's MLII), 1 ← V1.
SOURCE_LEADS: tuple[str, ...] = ("ii", "v1")
#: Window length of the rhythm config scored (seconds); LUDB records are exactly this long.
WINDOW_S = 10.0
#: The model's sampling rate (Hz), the rhythm configs' (MIT-BIH).
TARGET_FS = 360.0
#: Physical unit the model's inputs are in.
UNITS = "mV"
#: LUDB ``Rhythms`` entry counted as AF (atrial flutter is not AF).
AF_RHYTHM = "Atrial fibrillation"
#: Prefix of LUDB record names in the arrays handed to ``predict``: keeps them apart from MIT-BIH
#: record names ("100") in any cache a submission keys by (record, sample).
RECORD_PREFIX = "ludb/"
#: Reference submission fitted the same way (the naive prior), when cheap.
REFERENCE = "prior"
CONFIDENCE = 0.95


# --------------------------------------------------------------------------------------------- LUDB input
def ludb_window(
    record: str,
    directory: str | os.PathLike,
    *,
    leads: tuple[str, ...] = SOURCE_LEADS,
    sampling_rate: float = TARGET_FS,
    window_s: float = WINDOW_S,
) -> np.ndarray:
    """One LUDB record as one rhythm window: ``[window_s·sampling_rate, len(leads)]`` float32, mV.

    Parameters
    ----------
    record : str
        LUDB record name (``"1"`` … ``"200"``).
    directory : path-like
        Folder holding ``<record>.hea``/``.dat`` (``ludb/data``).
    leads : tuple of str
        Source lead of each model lead, by name (case-insensitive): default II → 0, V1 → 1.
    sampling_rate : float
        Model sampling rate (Hz); the record is resampled with :func:`scipy.signal.resample_poly`
        at the exact rational ratio (:func:`ecgbench.signal.resample.resampling_ratio`).
    window_s : float
        Window length (seconds).

    Raises
    ------
    DataNotFoundError, CorruptDataError
        The record is missing or unreadable (:func:`ecgbench.records.read_record`), a lead is
        absent, a lead is not in mV, or the record is not ``window_s`` long (no padding, no crop).
    """
    from scipy.signal import resample_poly

    from ecgbench.signal.resample import resampling_ratio

    rec = read_record(record, directory)
    names = [name.lower() for name in rec.lead_names]
    columns = []
    for lead in leads:
        if lead.lower() not in names:
            raise CorruptDataError(f"record {record} in {directory} has no lead {lead!r} (leads: {', '.join(rec.lead_names)})")
        index = names.index(lead.lower())
        if rec.units[index] != UNITS:
            raise CorruptDataError(
                f"record {record} in {directory}: lead {rec.lead_names[index]} is in {rec.units[index]!r}, expected {UNITS!r}; "
                "fix the header's units or convert the signal to mV"
            )
        columns.append(index)
    up, down = resampling_ratio(rec.fs, sampling_rate)
    # padtype="line": resample_poly's default zero padding turns a baseline offset into an edge
    # step that the QRS detector could take for a beat; extending the end trends does not.
    signal = resample_poly(rec.signal[:, columns].astype(np.float64), up, down, axis=0, padtype="line")
    expected = int(round(window_s * sampling_rate))
    if signal.shape[0] != expected:
        raise CorruptDataError(
            f"record {record} in {directory} lasts {rec.duration:g} s ({signal.shape[0]} samples at {sampling_rate:g} Hz); "
            f"the model takes exactly {window_s:g}-s windows ({expected} samples) and records are neither padded nor cut"
        )
    return signal.astype(np.float32)


@dataclass(frozen=True)
class LudbLabel:
    """What ``ludb.csv`` says about one record's rhythm: ``Rhythms`` and ``Extrasystolies`` (newlines → "; ")."""

    rhythm: str
    extrasystoles: str

    @property
    def is_af(self) -> bool:
        """Whether the record is atrial fibrillation (flutter is not)."""
        return self.rhythm == AF_RHYTHM


def read_ludb_labels(csv_path: str | os.PathLike) -> dict[str, LudbLabel]:
    """``ludb.csv`` as record name → :class:`LudbLabel`; a file without the columns is a ``CorruptDataError``."""
    path = Path(csv_path)
    if not path.is_file():
        raise DataNotFoundError(f"{path} not found; pass the LUDB folder holding ludb.csv and data/ (--ludb-dir)")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    needed = {"ID", "Rhythms", "Extrasystolies"}
    if not rows or not needed <= set(rows[0]):
        raise CorruptDataError(f"{path} lacks the columns {', '.join(sorted(needed))}; use PhysioNet's LUDB v1.0.1 ludb.csv")

    def clean(text: str) -> str:
        return "; ".join(part.strip() for part in text.splitlines() if part.strip())

    return {row["ID"].strip(): LudbLabel(clean(row["Rhythms"]), clean(row["Extrasystolies"])) for row in rows}


def ludb_records(ludb_dir: Path, labels: dict[str, LudbLabel]) -> list[str]:
    """Records listed in ``ludb.csv`` whose header is in ``ludb_dir/data``, in numeric order."""
    present = sorted((name for name in labels if (ludb_dir / "data" / f"{name}.hea").is_file()), key=int)
    if not present:
        raise DataNotFoundError(f"no LUDB record of ludb.csv found in {ludb_dir / 'data'}; pass the LUDB folder (--ludb-dir)")
    return present


def ludb_arrays(ludb_dir: Path, records: list[str]) -> BeatArrays:
    """The LUDB windows as :class:`BeatArrays` for ``predict`` (labels -1, names ``ludb/<n>``, sample 0)."""
    windows = np.stack([ludb_window(name, ludb_dir / "data") for name in records])
    n = len(records)
    return BeatArrays(
        signal=windows,
        rr=np.zeros((n, 0), np.float32),
        label=np.full(n, -1, np.int64),
        record=np.asarray([RECORD_PREFIX + name for name in records]),
        sample=np.zeros(n, np.int64),
    )


def default_ludb_dir() -> Path:
    """``$ECGBENCH_DATA_DIR/ludb`` (or ``~/ecgbench_data/ludb``) when present, else ``../shared/data/ludb``."""
    from ecgbench.paths import database_dir, shared_data_dir

    candidate = database_dir("ludb")
    if candidate.is_dir():
        return candidate
    shared = shared_data_dir()
    if shared is not None and (shared / "ludb").is_dir():
        return shared / "ludb"
    raise DataNotFoundError(f"LUDB not found in {candidate} nor ../shared/data/ludb; pass --ludb-dir")


# --------------------------------------------------------------------------------------------- fit
@dataclass
class FittedSubmission:
    """A submission fitted by the rhythm runner's own code path."""

    name: str
    model: object
    spec: object
    report: object
    refit: dict | None
    chosen: object


def fit_like_runner(name: str, data) -> FittedSubmission:
    """Fit ``name`` as ``run_rhythm_benchmark`` does (prepare + :func:`fit_estimator`), on the already loaded ``data``.

    ``run_rhythm_benchmark`` loads the track after :func:`load_with_recipe` has seeded everything;
    estimator fits do not draw from the global generators in between, so loading once for both
    submissions changes nothing. Keras submissions are refused (their fit is not exposed).
    """
    from ecgbench.runner.beat import fit_estimator, load_with_recipe
    from ecgbench.runner.rhythm_data import check_subject_disjoint, rhythm_input_spec
    from ecgbench.runner.rhythm_refit import refit_requested

    loaded, recipe = load_with_recipe(name, None, None, False)
    if loaded.kind == "keras":
        raise ConfigError(f"submission {name!r} is a Keras model; this benchmark scores Submission-class (estimator) submissions")
    refit_requested(recipe)  # validates the option before the fit (raises on a non-boolean value)
    check_subject_disjoint(data)
    spec = rhythm_input_spec(data)
    selection_classes = tuple(int(c) for c in np.unique(data.val.label))
    start = time.perf_counter()
    model, report, refit = fit_estimator(loaded, spec, recipe, data, selection_classes)
    report.seconds = time.perf_counter() - start
    return FittedSubmission(name, model, spec, report, refit, getattr(model, "chosen", None))


def predict(fitted: FittedSubmission, arrays: BeatArrays) -> np.ndarray:
    """``[n, classes]`` probabilities, checked like the runner checks them."""
    from ecgbench.runner.beat import predict_estimator

    return predict_estimator(fitted.model, arrays, fitted.spec, fitted.name)


# --------------------------------------------------------------------------------------------- scoring
def proportion(k: int, n: int) -> dict:
    """``k/n`` in percent with its exact Clopper–Pearson 95 % interval (``None`` when ``n = 0``)."""
    from scipy.stats import binomtest

    if n == 0:
        return {"k": 0, "n": 0, "value": None, "ci_low": None, "ci_high": None}
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    return {"k": int(k), "n": int(n), "value": 100.0 * k / n, "ci_low": 100.0 * ci.low, "ci_high": 100.0 * ci.high}


def af_figures(true_af: np.ndarray, predicted_af: np.ndarray) -> dict:
    """AF-vs-rest Se, Sp and +P (percent, Clopper–Pearson intervals) of boolean arrays."""
    true_af, predicted_af = np.asarray(true_af, bool), np.asarray(predicted_af, bool)
    tp = int((true_af & predicted_af).sum())
    fp = int((~true_af & predicted_af).sum())
    fn = int((true_af & ~predicted_af).sum())
    tn = int((~true_af & ~predicted_af).sum())
    return {"se": proportion(tp, tp + fn), "sp": proportion(tn, tn + fp), "ppv": proportion(tp, tp + fp), "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def score_ludb(probabilities: np.ndarray, records: list[str], labels: dict[str, LudbLabel]) -> dict:
    """AF figures, the misclassified records and the predicted-class table of one submission on LUDB."""
    af = RHYTHM_CLASSES.index("AFIB")
    predicted = probabilities.argmax(axis=1)
    true_af = np.array([labels[r].is_af for r in records])
    figures = af_figures(true_af, predicted == af)
    wrong = [
        {"record": r, "rhythm": labels[r].rhythm, "extrasystoles": labels[r].extrasystoles or "-",
         "predicted": RHYTHM_CLASSES[int(p)], "p_af": round(float(probabilities[i, af]), 4)}
        for i, (r, p) in enumerate(zip(records, predicted.tolist(), strict=True)) if bool(true_af[i]) != (p == af)
    ]  # fmt: skip
    crosstab: dict[str, dict[str, int]] = {}
    for r, p in zip(records, predicted.tolist(), strict=True):
        row = crosstab.setdefault(labels[r].rhythm, {})
        row[RHYTHM_CLASSES[int(p)]] = row.get(RHYTHM_CLASSES[int(p)], 0) + 1
    distribution = {name: int((predicted == k).sum()) for k, name in enumerate(RHYTHM_CLASSES)}
    return {"af": figures, "misclassified": wrong, "predicted_by_rhythm": crosstab, "predicted": distribution,
            "p_af": [round(float(v), 4) for v in probabilities[:, af]]}  # fmt: skip


def score_windows(probabilities: np.ndarray, label: np.ndarray) -> dict:
    """AF-vs-rest figures of MIT-BIH test windows (windows are not independent: intervals left out)."""
    af = RHYTHM_CLASSES.index("AFIB")
    figures = af_figures(label == af, probabilities.argmax(axis=1) == af)
    for key in ("se", "sp", "ppv"):
        figures[key]["ci_low"] = figures[key]["ci_high"] = None
    return figures


def compare_with_run(probabilities: np.ndarray, test: BeatArrays, npz_path: str | os.PathLike) -> dict:
    """How far the refitted model's MIT-BIH test probabilities are from a committed run's ``.npz``."""
    path = Path(npz_path)
    if not path.is_file():
        raise DataNotFoundError(f"{path} not found; pass a run's prediction file (leaderboards/results/rhythm/<run>.npz)")
    saved = np.load(path)
    same_windows = np.array_equal(saved["record"].astype(str), test.record.astype(str)) and np.array_equal(saved["sample"], test.sample)
    if not same_windows or saved["probabilities"].shape != probabilities.shape:
        raise CorruptDataError(f"{path} holds other windows than the built mitdb/rhythm test split; compare a 10-s rhythm run")
    return {
        "file": str(path),
        "max_abs_difference": float(np.abs(saved["probabilities"].astype(np.float64) - probabilities).max()),
        "same_argmax": bool(np.array_equal(saved["probabilities"].argmax(axis=1), probabilities.argmax(axis=1))),
    }


# --------------------------------------------------------------------------------------------- output
def _cell(figure: dict) -> str:
    if figure["value"] is None:
        return "–"
    interval = "" if figure["ci_low"] is None else f" [{figure['ci_low']:.1f}, {figure['ci_high']:.1f}]"
    return f"{figure['value']:.1f}{interval} ({figure['k']}/{figure['n']})"


def print_tables(result: dict) -> None:
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="AF vs rest (arg-max class; %, exact 95 % CI, k/n)")
    for column in ("submission", "data", "Se", "Sp", "+P"):
        table.add_column(column)
    for row in result["rows"]:
        af = row["af"]
        table.add_row(row["submission"], row["data"], _cell(af["se"]), _cell(af["sp"]), _cell(af["ppv"]))
    console.print(table)
    console.print("MIT-BIH rows: 10-s windows, not independent, so no interval here (the run record has subject-bootstrap ones).")

    main = result["ludb"][result["submission"]]
    wrong = Table(title=f"{result['submission']}: misclassified LUDB records (AF vs rest)")
    for column in ("record", "LUDB rhythm", "extrasystoles", "predicted", "p_AF"):
        wrong.add_column(column)
    for row in main["misclassified"]:
        wrong.add_row(row["record"], row["rhythm"], row["extrasystoles"], row["predicted"], f"{row['p_af']:.3f}")
    console.print(wrong)

    present = [name for name in RHYTHM_CLASSES if main["predicted"][name]]
    dist = Table(title=f"{result['submission']}: predicted class by LUDB rhythm (records)")
    dist.add_column("LUDB rhythm")
    for name in present:
        dist.add_column(name, justify="right")
    for rhythm, row in sorted(main["predicted_by_rhythm"].items(), key=lambda item: -sum(item[1].values())):
        dist.add_row(rhythm, *(str(row.get(name, 0)) for name in present))
    dist.add_row("all", *(str(main["predicted"][name]) for name in present))
    console.print(dist)
    console.print(f"chosen on val: {result['chosen']}; fit {result['fit_seconds']:.0f} s (2 shared cores: timing noisy)")
    if result["reproduction"]:
        repro = result["reproduction"]
        console.print(f"MIT-BIH test vs {repro['file']}: max |Δp| {repro['max_abs_difference']:.3g}, same arg-max: {repro['same_argmax']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfds-dir", default=None, help="built TFDS datasets with mitdb/rhythm (default $ECGBENCH_TFDS_DIR)")
    parser.add_argument("--submission", default="rr-af", help="registry name or folder of an estimator submission")
    parser.add_argument("--ludb-dir", default=None, help="LUDB folder holding ludb.csv and data/ (default: data dir, else ../shared/data/ludb)")
    parser.add_argument("--no-reference", action="store_true", help=f"skip the {REFERENCE!r} reference row")
    parser.add_argument(
        "--compare-predictions", default=None, help="a committed run's .npz: check the refitted model reproduces its test predictions"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of tables")
    args = parser.parse_args()

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ecgbench.cli._common import err_console
    from ecgbench.runner.rhythm_data import load_rhythm_track

    ludb_dir = Path(args.ludb_dir) if args.ludb_dir else default_ludb_dir()
    labels = read_ludb_labels(ludb_dir / "ludb.csv")
    records = ludb_records(ludb_dir, labels)
    names = [args.submission] + ([] if args.no_reference or args.submission == REFERENCE else [REFERENCE])
    rows, ludb, fitted_main, reproduction = [], {}, None, None
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("loading mitdb/rhythm (10 s) and LUDB", total=None)
        data = load_rhythm_track(WINDOW_S, args.tfds_dir)
        external = ludb_arrays(ludb_dir, records)
        for name in names:
            progress.update(task, description=f"{name}: fit on train (selection on val, refit if the recipe asks)")
            fitted = fit_like_runner(name, data)
            if external.signal.shape[1:] != tuple(fitted.spec.signal_shape):
                raise ConfigError(f"LUDB windows are {external.signal.shape[1:]}, the model takes {fitted.spec.signal_shape}")
            progress.update(task, description=f"{name}: predict MIT-BIH test and LUDB")
            test_probabilities = predict(fitted, data.test)
            if name == args.submission and args.compare_predictions:
                reproduction = compare_with_run(test_probabilities, data.test, args.compare_predictions)
            rows.append({"submission": name, "data": f"MIT-BIH test ({len(data.test)} windows)",
                         "af": score_windows(test_probabilities, data.test.label)})  # fmt: skip
            ludb[name] = score_ludb(predict(fitted, external), records, labels)
            rows.append({"submission": name, "data": f"LUDB ({len(records)} records)", "af": ludb[name]["af"]})
            fitted_main = fitted_main or fitted
    result = {
        "submission": args.submission,
        "chosen": fitted_main.chosen,
        "val_score": fitted_main.report.best_score,
        "refit": None if fitted_main.refit is None else {k: fitted_main.refit[k] for k in ("on", "windows")},
        "fit_seconds": round(fitted_main.report.seconds, 1),
        "reproduction": reproduction,
        "ludb_records": records,
        "rows": rows,
        "ludb": ludb,
    }
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return
    print_tables(result)


if __name__ == "__main__":
    main()
