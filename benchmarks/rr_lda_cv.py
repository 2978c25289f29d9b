"""DS1-only cross-validation of the rr-lda baseline (de Chazal et al. 2004 features + balanced LDA).

Every design choice of ``baselines/rr-lda`` is made on DS1 alone; this script prints the figures
behind those choices. DS2 (the test split) is never read.

Protocols, both on the TFDS ``mitdb/beats`` split ``ds1`` (22 records, 51 021 beats):

``loso``
    leave-one-subject-out: 22 folds grouped by :func:`ecgbench.records.subject_of`; each fold trains
    on the other records and predicts the held-out one; predictions are pooled over all folds.
``val``
    train on ``ds1_train`` (18 records), test on ``ds1_val`` (101, 118, 205, 223): what the
    submission itself uses to pick its configuration.

Figures are gross (pooled) statistics of the 5-class confusion matrix: accuracy, N sensitivity,
SVEB (S) and VEB (V) sensitivity and positive predictivity, in %. Beat-by-beat matching is not
needed: the beats are the annotated ones. The LOSO figures are harsher than DS1 → DS2, because a
morphology seen in one DS1 record only (LBBB in 109, most F beats in 208) has no training example
when that record is held out.

Variants (name → feature/classifier options of the submission)::

    committed      per_lead / all, RR not clipped, Q trained (the committed run, issue 5)
    rr_clip        + RR intervals clipped to 0.2-3 s before the RR features are formed
    rr_clip_noQ    + classes with < 100 training beats (Q: 8 in DS1) left out of training

Usage::

    python benchmarks/rr_lda_cv.py --tfds-dir /work/tfds            # features cached in /tmp
    python benchmarks/rr_lda_cv.py --tfds-dir /work/tfds --json

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
from ecgbench.records import subject_of
from ecgbench.records.splits import DS1_VAL

#: (variant, configuration, RR range in seconds or None, min_class_beats).
VARIANTS: tuple[tuple[str, str, tuple[float, float] | None, int], ...] = (
    ("committed", "per_lead", None, 0),
    ("committed", "all", None, 0),
    ("rr_clip", "per_lead", (0.2, 3.0), 0),
    ("rr_clip", "all", (0.2, 3.0), 0),
    ("rr_clip_noQ", "per_lead", (0.2, 3.0), 100),
    ("rr_clip_noQ", "all", (0.2, 3.0), 100),
)
FIGURES = ("acc", "N_se", "S_se", "S_pp", "V_se", "V_pp")
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


def features(module, beats, rr_range: tuple[float, float] | None, cache: Path):
    """Return the submission's feature matrix and column groups for ``beats`` (cached per RR range)."""
    tag = "none" if rr_range is None else f"{rr_range[0]:g}-{rr_range[1]:g}"
    path = cache / f"ds1_features_rr{tag}.npz"
    if path.is_file():
        data = np.load(path)
        return data["x"], {k[2:]: data[k] for k in data.files if k.startswith("g_")}
    x, groups = module.beat_features(beats, FS, BEFORE_S, rr_range)
    np.savez(path, x=x, **{f"g_{k}": v for k, v in groups.items()})
    return x, groups


def gross_figures(labels: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Pooled accuracy and N/S/V sensitivity and positive predictivity (%) of a 5-class confusion."""
    confusion = np.zeros((5, 5), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)

    def ratio(num: int, den: int) -> float:
        return 100.0 * num / den if den else float("nan")

    return {
        "acc": ratio(np.trace(confusion), confusion.sum()),
        "N_se": ratio(confusion[0, 0], confusion[0].sum()),
        "S_se": ratio(confusion[1, 1], confusion[1].sum()),
        "S_pp": ratio(confusion[1, 1], confusion[:, 1].sum()),
        "V_se": ratio(confusion[2, 2], confusion[2].sum()),
        "V_pp": ratio(confusion[2, 2], confusion[:, 2].sum()),
    }


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
        x, groups = features(module, beats, rr_range, cache)
        columns = module.config_columns(config, groups)
        for protocol, masks in protocols.items():
            start = time.perf_counter()
            scored = np.logical_or.reduce(masks)
            predicted = predict_folds(module, x, labels, columns, min_class_beats, masks)
            figures = gross_figures(labels[scored], predicted[scored])
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
