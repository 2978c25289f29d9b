"""DS1-only cross-validation of the rr-lda baseline (de Chazal et al. 2004 features + balanced LDA).

Every design choice of ``ecgbench/baselines/rr-lda`` is made on DS1 alone; this script prints the figures
behind those choices. DS2 (the test split) is never read.

Protocols, both on the TFDS ``mitdb/beats`` split ``ds1`` (22 records, 51 021 beats):

``loso``
    leave-one-subject-out: 22 folds grouped by :func:`ecgbench.records.subject_of`; each fold trains
    on the other records and predicts the held-out one; predictions are pooled over all folds.
``val``
    train on ``ds1_train`` (18 records), test on ``ds1_val`` (101, 118, 205, 223): what the
    submission itself uses to pick its configuration.

Figures are gross (pooled) statistics, in %: accuracy, N sensitivity, SVEB (S) and VEB (V)
sensitivity and positive predictivity, scored by the leaderboard's own rules
(:mod:`ecgbench.evaluation.labelled`: EC57/bxb, so F or Q beats labelled V and Q beats labelled S
are not false positives). Every beat is an annotated one, so all of them are matched. The LOSO figures are harsher than DS1 → DS2, because a
morphology seen in one DS1 record only (LBBB in 109, most F beats in 208) has no training example
when that record is held out.

Variants (name → feature/classifier options of the submission)::

    committed      per_lead / all, RR not clipped, Q trained (the committed run, issue 5)
    rr_clip        + RR intervals clipped to 0.2-3 s before the RR features are formed
    rr_clip_noQ    + classes with < 100 training beats (Q: 8 in DS1) left out of training
    rr_clip_noQ_wavelet  + QRS/T durations and P flag from the wavelet delineator (fiducials="wavelet")
    rr_clip_noQ_hybrid   + QRS/T durations from the slope finder, P flag from the delineator (fiducials="hybrid")
    rr_clip_noQ_p_rr     + slope finder's P search starts no earlier than previous R + 0.55 × pre-RR
                           (FiducialConfig.p_after_previous_rr_fraction; 0.55 is the delineator's constant)
    rr_clip_noQ_mlii_first  + leads reordered so that channel 0 is MLII in every record, from the
                           signal descriptions of the raw headers (MIT-BIH 114 stores V5, MLII);
                           the beat examples carry no lead names, so this needs ``--records-dir``

Usage::

    python -m experiments.rr_lda.rr_lda_cv --tfds-dir /work/tfds            # features cached in /tmp
    python -m experiments.rr_lda.rr_lda_cv --tfds-dir /work/tfds --json
    python -m experiments.rr_lda.rr_lda_cv --tfds-dir /work/tfds --variants rr_clip_noQ rr_clip_noQ_hybrid

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ecgbench.models.loader import load_submission
from ecgbench.paths import shared_data_dir
from ecgbench.records import subject_of
from ecgbench.records.splits import DS1_VAL
from ecgbench.signal.beat_morphology import FiducialConfig

#: (variant, configuration, RR range in seconds or None, min_class_beats).
VARIANTS: tuple[tuple[str, str, tuple[float, float] | None, int], ...] = (
    ("committed", "per_lead", None, 0),
    ("committed", "all", None, 0),
    ("rr_clip", "per_lead", (0.2, 3.0), 0),
    ("rr_clip", "all", (0.2, 3.0), 0),
    ("rr_clip_noQ", "per_lead", (0.2, 3.0), 100),
    ("rr_clip_noQ", "all", (0.2, 3.0), 100),
    ("rr_clip_noQ_wavelet", "per_lead", (0.2, 3.0), 100),
    ("rr_clip_noQ_wavelet", "all", (0.2, 3.0), 100),
    ("rr_clip_noQ_hybrid", "per_lead", (0.2, 3.0), 100),
    ("rr_clip_noQ_hybrid", "all", (0.2, 3.0), 100),
    ("rr_clip_noQ_p_rr", "per_lead", (0.2, 3.0), 100),
    ("rr_clip_noQ_p_rr", "all", (0.2, 3.0), 100),
    ("rr_clip_noQ_mlii_first", "per_lead", (0.2, 3.0), 100),
    ("rr_clip_noQ_mlii_first", "all", (0.2, 3.0), 100),
)
#: Fiducial finder of a variant's interval features (:func:`ecgbench.signal.beat_morphology.find_fiducials`);
#: variants not listed use ``"slope"``.
VARIANT_FIDUCIALS: dict[str, str] = {"rr_clip_noQ_wavelet": "wavelet", "rr_clip_noQ_hybrid": "hybrid"}
#: Slope-finder parameters of a variant (cache tag, config); variants not listed use the defaults.
VARIANT_FIDUCIAL_CONFIG: dict[str, tuple[str, FiducialConfig]] = {
    "rr_clip_noQ_p_rr": ("prr0.55", FiducialConfig(p_after_previous_rr_fraction=0.55)),
}
#: Variants whose beats have their leads reordered so that channel 0 is MLII (:func:`mlii_first`).
MLII_FIRST_VARIANTS = frozenset({"rr_clip_noQ_mlii_first"})
#: Column → flat key of the EC57 result (:func:`ecgbench.evaluation.labelled.figures_with_intervals`).
FIGURE_KEYS: dict[str, str] = {
    "acc": "gross.accuracy",
    "N_se": "gross.classes.N.se",
    "S_se": "gross.sveb.se",
    "S_pp": "gross.sveb.ppv",
    "V_se": "gross.veb.se",
    "V_pp": "gross.veb.ppv",
}
FIGURES = tuple(FIGURE_KEYS)
FS = 360.0
BEFORE_S = 0.3


def load_ds1(tfds_dir: str | None, cache: Path):
    """Return the ``ds1`` split as :class:`ecgbench.models.BeatArrays` (cached as ``.npz``)."""
    from ecgbench.models import BeatArrays

    path = cache / "ds1_beats.npz"
    if not path.is_file():
        from ecgbench.data import load_split, to_numpy
        from ecgbench.runner.data import beat_arrays

        beats = beat_arrays(to_numpy(load_split("ds1", "beats", tfds_dir)))
        np.savez(path, signal=beats.signal, rr=beats.rr, label=beats.label, record=beats.record, sample=beats.sample)
    data = np.load(path)
    return BeatArrays(*(data[name] for name in ("signal", "rr", "label", "record", "sample")))


def mlii_first(beats, records_dir: Path):
    """Return ``beats`` with the two leads swapped in every record whose header lists MLII second.

    The lead of each channel is the signal description (``sig_name``) of the record's WFDB header
    in ``records_dir``; records with MLII first, or without MLII, are left as they are.
    """
    import wfdb

    from ecgbench.models import BeatArrays

    signal = beats.signal.copy()
    for name in np.unique(beats.record):
        header = records_dir / f"{name}.hea"
        if not header.is_file():
            raise SystemExit(f"no header {header} to read the lead order of record {name}; pass --records-dir")
        leads = wfdb.rdheader(str(records_dir / name)).sig_name
        if "MLII" in leads[1:]:
            rows = beats.record == name
            order = [leads.index("MLII")] + [i for i in range(len(leads)) if leads[i] != "MLII"]
            signal[rows] = signal[rows][:, :, order]
    return BeatArrays(signal, beats.rr, beats.label, beats.record, beats.sample)


def features(
    module,
    beats,
    rr_range: tuple[float, float] | None,
    cache: Path,
    fiducials: str = "slope",
    fiducial_config: tuple[str, FiducialConfig] | None = None,
    lead_tag: str = "",
):
    """Return the submission's feature matrix and column groups for ``beats``.

    Cached per RR range, fiducial finder, slope-finder parameters and lead order (``lead_tag``).
    """
    tag = "none" if rr_range is None else f"{rr_range[0]:g}-{rr_range[1]:g}"
    suffix = "".join(f"_{part}" for part in (
        "" if fiducials == "slope" else fiducials, "" if fiducial_config is None else fiducial_config[0], lead_tag,
    ) if part)  # fmt: skip
    path = cache / f"ds1_features_rr{tag}{suffix}.npz"
    if path.is_file():
        data = np.load(path)
        return data["x"], {k[2:]: data[k] for k in data.files if k.startswith("g_")}
    config = None if fiducial_config is None else fiducial_config[1]
    x, groups = module.beat_features(beats, FS, BEFORE_S, rr_range, fiducials, config)
    np.savez(path, x=x, **{f"g_{k}": v for k, v in groups.items()})
    return x, groups


def gross_figures(beats, predicted: np.ndarray, scored: np.ndarray) -> dict[str, float]:
    """Gross (pooled) figures (%) of the scored beats, by the leaderboard's EC57 rules.

    The beats are scored by :mod:`ecgbench.evaluation.labelled` exactly as a run record is, so +P
    follows bxb: F or Q beats labelled V are not VEB false positives, Q beats labelled S not SVEB ones.
    """
    from ecgbench.evaluation import score_records
    from ecgbench.evaluation.labelled import compare_labelled_beats, figures_with_intervals

    comparisons = compare_labelled_beats(beats.record[scored], beats.sample[scored], beats.label[scored], predicted[scored], FS)
    figures = figures_with_intervals(score_records(comparisons), list(FIGURE_KEYS.values()))
    return {name: _percent(figures[key]["value"]) for name, key in FIGURE_KEYS.items()}


def _percent(value: float | None) -> float:
    return float("nan") if value is None else value


def predict_folds(module, x, labels, columns, min_class_beats: int, test_masks) -> np.ndarray:
    """Fit on the complement of each test mask, predict the mask; return the pooled predictions."""
    predicted = np.full(labels.size, -1, dtype=np.int64)
    for test in test_masks:
        model = module.fit_model(x[~test], labels[~test], columns, min_class_beats)
        predicted[test] = model.classes[np.argmax(model.predict_proba(x[test]), axis=1)]
    return predicted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfds-dir", default=None, help="folder of built TFDS datasets (mitdb/beats)")
    parser.add_argument("--cache", default="/tmp/rr_lda_cv", help="folder for cached beats and features")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--variants", nargs="+", default=None, choices=sorted({v[0] for v in VARIANTS}),
                        help="run only these variants (default: all)")  # fmt: skip
    shared = shared_data_dir()
    parser.add_argument("--records-dir", type=Path, default=None if shared is None else shared / "mitdb",
                        help="raw MIT-BIH records (headers give the lead order of the mlii_first variant)")  # fmt: skip
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)

    module = load_submission("rr-lda").module
    beats = load_ds1(args.tfds_dir, cache)
    labels = beats.label
    subjects = np.array([subject_of(r) for r in beats.record])
    protocols = {
        "loso": [subjects == s for s in np.unique(subjects)],
        "val": [np.isin(beats.record, DS1_VAL)],
    }
    rows = []
    for variant, config, rr_range, min_class_beats in VARIANTS:
        if args.variants is not None and variant not in args.variants:
            continue
        reorder = variant in MLII_FIRST_VARIANTS
        if reorder and args.records_dir is None:
            raise SystemExit(f"variant {variant} needs the raw headers: pass --records-dir (folder of mitdb/*.hea)")
        x, groups = features(
            module, mlii_first(beats, args.records_dir) if reorder else beats, rr_range, cache,
            VARIANT_FIDUCIALS.get(variant, "slope"), VARIANT_FIDUCIAL_CONFIG.get(variant), "mlii_first" if reorder else "",
        )  # fmt: skip
        columns = module.config_columns(config, groups)
        for protocol, masks in protocols.items():
            start = time.perf_counter()
            scored = np.logical_or.reduce(masks)
            predicted = predict_folds(module, x, labels, columns, min_class_beats, masks)
            figures = gross_figures(beats, predicted, scored)
            rows.append({"variant": variant, "config": config, "protocol": protocol, **figures,
                         "seconds": time.perf_counter() - start})  # fmt: skip

    if args.json:
        print(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    from ecgbench.cli._common import console

    table = Table(title="rr-lda on DS1 only (gross %, pooled over folds)")
    for name in ("variant", "config", "protocol", *FIGURES, "seconds"):
        table.add_column(name, justify="left" if name in ("variant", "config", "protocol") else "right")
    for row in rows:
        figures = (f"{row[k]:.1f}" for k in FIGURES)
        table.add_row(row["variant"], row["config"], row["protocol"], *figures, f"{row['seconds']:.1f}")
    console.print(table)


if __name__ == "__main__":
    main()
