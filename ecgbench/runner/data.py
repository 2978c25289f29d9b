"""Prepare the data of a beat-track run: splits per track, as :class:`BeatArrays`, plus their identity.

Tracks
------
``interpatient`` (task ``beats-interpatient``)
    train ``ds1_train``, validate ``ds1_val`` (record-disjoint; the only split used for model
    selection), test ``ds2`` (de Chazal et al. 2004).
``intrapatient`` (task ``beats-intrapatient``)
    train ``intra_train``, test ``intra_test``; the validation beats are a class-stratified,
    seeded :data:`INTRA_VAL_FRACTION` of ``intra_train`` (beat-level, like the track itself).

``--quick`` keeps a seeded random subset of each split (at most :data:`QUICK_MAX_BEATS` beats,
time order kept) so a whole run takes seconds; quick run records are flagged and never ranked.

A beat context (recipe option ``context``, :mod:`ecgbench.data.context`) is built on the whole
splits before any quick subset, with each beat's predecessor looked up in every split loaded:
on the inter-patient track a record lies in one split, on the intra-patient track its beats are
spread over ``intra_train`` and ``intra_test`` and only the three splits together hold them all.
Derived RR columns (``rr_irregularity``, asked for in ``options.rr_features``;
:data:`ecgbench.data.rr.DERIVED_RR_FEATURE_NAMES`) are built the same way, from each record's beat
sequence over every split loaded (:func:`derived_rr_parts`), and appended to ``BeatArrays.rr``
after its seven columns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.models import BeatArrays


def _beat_tracks() -> dict[str, tuple[str, str, str | None, str]]:
    from ecgbench.tasks import all_tasks

    return {t.track: (t.name, t.splits.train, t.splits.val, t.splits.test) for t in all_tasks() if t.track is not None}


#: Track name → (task, train split, validation split or None, test split): a view of the beat tasks
#: in :mod:`ecgbench.tasks` (those with a short ``track`` name).
TRACKS: dict[str, tuple[str, str, str | None, str]] = _beat_tracks()
#: Share of ``intra_train`` held out for validation on the intra-patient track.
INTRA_VAL_FRACTION = 0.1
#: Largest split size in a ``--quick`` run (beats).
QUICK_MAX_BEATS = {"train": 3000, "val": 1000, "test": 3000}
DATASET_NAME = "mitdb/beats"
RR_INTERVAL_COLUMNS = ("rr_pre", "rr_post", "rr_local", "rr_average")


@dataclass(frozen=True)
class TrackData:
    """The three splits of a run and where they came from.

    Attributes
    ----------
    train, val, test : BeatArrays
        Beats in physical units (signal mV, RR seconds and ratios).
    splits : dict
        Role (``train``, ``val``, ``test``) → split name as recorded in the run record.
    dataset : dict
        ``name``, ``version``, ``checksum`` of the data the splits were read from.
    sampling_rate : float
        Hz.
    """

    train: BeatArrays
    val: BeatArrays
    test: BeatArrays
    splits: dict[str, str]
    dataset: dict[str, Any] = field(default_factory=dict)
    sampling_rate: float = 360.0

    def n_beats(self) -> dict[str, int]:
        """Return the number of beats of each role."""
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def track_task(track: str) -> str:
    """Return the leaderboard task of a track; an unknown track raises ``ConfigError``."""
    tracks = _beat_tracks()
    if track not in tracks:
        raise unknown_choice("track", track, tuple(tracks))
    return tracks[track][0]


def beat_arrays(arrays: Mapping[str, np.ndarray]) -> BeatArrays:
    """Turn :func:`ecgbench.data.to_numpy` output of the ``beats`` config into :class:`BeatArrays`."""
    from ecgbench.data.rr import rr_features_numpy

    missing = [k for k in ("signal", "label", "record", "sample", *RR_INTERVAL_COLUMNS) if k not in arrays]
    if missing:
        raise ConfigError(f"beat arrays lack field(s) {', '.join(missing)}; rebuild the dataset with the beats config")
    return BeatArrays(
        signal=np.asarray(arrays["signal"], np.float32),
        rr=rr_features_numpy(arrays),
        label=np.asarray(arrays["label"], np.int64),
        record=np.asarray(arrays["record"]).astype(str),
        sample=np.asarray(arrays["sample"], np.int64),
    )


def interval_fields(beats: BeatArrays) -> dict[str, np.ndarray]:
    """Return ``signal``, the four RR interval fields (seconds) and any derived RR fields, the raw form ``ecgbench.data`` takes."""
    from ecgbench.data.rr import ALL_RR_FEATURE_NAMES, DERIVED_RR_FEATURE_NAMES, N_RR_FEATURES

    fields = {name: beats.rr[:, i] for i, name in enumerate(RR_INTERVAL_COLUMNS)}
    if beats.rr.shape[1] == len(ALL_RR_FEATURE_NAMES):
        fields.update({name: beats.rr[:, N_RR_FEATURES + i] for i, name in enumerate(DERIVED_RR_FEATURE_NAMES)})
    elif beats.rr.shape[1] != N_RR_FEATURES:
        raise ConfigError(
            f"beat rr arrays have {beats.rr.shape[1]} columns; expected {N_RR_FEATURES} ({', '.join(RR_INTERVAL_COLUMNS)} "
            f"and ratios) or {len(ALL_RR_FEATURE_NAMES)} with the derived ones ({', '.join(DERIVED_RR_FEATURE_NAMES)})"
        )
    return {"signal": beats.signal, **fields}


def derived_rr_parts(parts: list[BeatArrays]) -> list[BeatArrays]:
    """Append the derived RR columns to each :class:`BeatArrays`, computed over all parts' beats together.

    Each record's beats, wherever they lie among ``parts``, form its sequence (the intra-patient
    track spreads a record over its splits). Columns: :data:`ecgbench.data.rr.DERIVED_RR_FEATURE_NAMES`
    (``rr_irregularity``, :func:`ecgbench.data.rr_irregularity.preceding_rr_irregularity` of
    ``rr_pre``). Parts that already carry them are refused, so nothing is appended twice.
    """
    from ecgbench.data.rr import N_RR_FEATURES
    from ecgbench.data.rr_irregularity import preceding_rr_irregularity

    if any(part.rr.shape[1] != N_RR_FEATURES for part in parts):
        raise ConfigError(f"derived RR columns can only be added to beats with the {N_RR_FEATURES} stored RR columns")
    every = BeatArrays.concatenate(parts)
    derived = preceding_rr_irregularity(every.record, every.sample, every.rr[:, 0])[:, None]
    bounds = np.cumsum([0, *(len(part) for part in parts)])
    return [replace(part, rr=np.concatenate([part.rr, derived[a:b]], axis=1).astype(np.float32))
            for part, a, b in zip(parts, bounds[:-1], bounds[1:], strict=True)]  # fmt: skip


def with_derived_rr(data: TrackData) -> TrackData:
    """Return ``data`` with the derived RR columns appended to every split (:func:`derived_rr_parts`)."""
    train, val, test = derived_rr_parts([data.train, data.val, data.test])
    return replace(data, train=train, val=val, test=test)


def quick_subset(beats: BeatArrays, max_beats: int, seed: int) -> BeatArrays:
    """Return at most ``max_beats`` beats drawn without replacement (seeded), in their original order."""
    if len(beats) <= max_beats:
        return beats
    keep = np.sort(np.random.default_rng(seed).choice(len(beats), size=max_beats, replace=False))
    return beats.subset(keep)


def split_validation(train: BeatArrays, fraction: float, seed: int) -> tuple[BeatArrays, BeatArrays]:
    """Split training beats into (train, val) by a class-stratified seeded draw (intra-patient track)."""
    from ecgbench.records.splits import intra_patient_test_mask

    mask = intra_patient_test_mask(train.label, test_fraction=fraction, seed=seed)
    return train.subset(~mask), train.subset(mask)


def with_context(data: TrackData, context: str | None) -> TrackData:
    """Return ``data`` with the beat context built into every split's signal (:func:`context_parts`)."""
    if context is None:
        return data
    train, val, test = context_parts([data.train, data.val, data.test], context)
    return replace(data, train=train, val=val, test=test)


def context_parts(parts: list[BeatArrays], context: str) -> list[BeatArrays]:
    """Build ``context`` into the signal of each :class:`BeatArrays`, looking predecessors up across all parts.

    ``"previous_beat"`` appends, after each beat's leads, the leads of the beat before it in the same
    record (:func:`ecgbench.data.context.with_previous_beat`), wherever that beat lies among ``parts``;
    ``"previous_beat_and_template"`` then the beat's running template
    (:func:`ecgbench.data.context.running_templates`), from predecessors in any part likewise.
    """
    from ecgbench.data.context import check_context, with_context

    check_context(context)
    union = BeatArrays.concatenate(parts)
    signal = with_context(union.signal, union.record, union.sample, context)
    out, start = [], 0
    for part in parts:
        out.append(replace(part, signal=signal[start : start + len(part)]))
        start += len(part)
    return out


def load_train_val(
    track: str, tfds_dir: str | os.PathLike | None = None, context: str | None = None, derived_rr: bool = False
) -> tuple[BeatArrays, BeatArrays, dict[str, str]]:
    """Load only the training and validation beats of a track (the test split is never opened).

    :func:`load_track` reads its ``train`` and ``val`` beats through here; model development
    (``experiments/beat_recipes/beat_val.py``) calls it directly, so it cannot see the test split.
    ``context`` builds a beat context into both (inter-patient track only: on the intra-patient
    track a beat's predecessor may lie in the test split, which this function never opens);
    ``derived_rr`` appends the derived RR columns (:func:`derived_rr_parts`; inter-patient only, likewise).

    Returns
    -------
    (BeatArrays, BeatArrays, dict)
        ``train``, ``val``, and role → split name as recorded in run records (``train``, ``val``).

    Raises
    ------
    ConfigError, DataNotFoundError
        Unknown track; dataset not built.
    """
    from ecgbench.data import load_split, to_numpy

    track_task(track)
    if context is not None and track != "interpatient":
        raise ConfigError(
            f"a beat context ({context!r}) on the {track} track needs the test split's beats as predecessors, and "
            "validation-only loading never opens it: choose the interpatient track (beat_val.py --track interpatient) "
            "or run the whole track with `ecgbench run baseline`"
        )
    if derived_rr and track != "interpatient":
        raise ConfigError(
            f"derived RR columns on the {track} track need the test split's beats (a record's earlier intervals), and "
            "validation-only loading never opens it: choose the interpatient track or run the whole track with `ecgbench run baseline`"
        )
    _, train_split, val_split, _ = _beat_tracks()[track]
    train = beat_arrays(to_numpy(load_split(train_split, "beats", tfds_dir)))
    if val_split is None:
        train, val = split_validation(train, INTRA_VAL_FRACTION, seed=INTRA_VAL_SEED)
        val_name = f"{train_split}[stratified {INTRA_VAL_FRACTION:.0%}, seed {INTRA_VAL_SEED}]"
    else:
        val, val_name = beat_arrays(to_numpy(load_split(val_split, "beats", tfds_dir))), val_split
    if context is not None:
        train, val = context_parts([train, val], context)
    if derived_rr:
        train, val = derived_rr_parts([train, val])
    return train, val, {"train": train_split, "val": val_name}


def load_track(
    track: str,
    tfds_dir: str | os.PathLike | None = None,
    *,
    quick: bool = False,
    seed: int = 0,
    context: str | None = None,
    derived_rr: bool = False,
) -> TrackData:
    """Load the splits of a track from the built TFDS ``mitdb/beats`` dataset.

    Parameters
    ----------
    track : {"interpatient", "intrapatient"}
    tfds_dir : path-like, optional
        Folder of built TFDS datasets (``--tfds-dir``); default ``$ECGBENCH_TFDS_DIR``, else
        ``~/ecgbench_data/tfds``.
    quick : bool
        Keep a small seeded subset of each split (smoke tests).
    seed : int
        Seed of the quick subsets (the intra-patient validation draw uses a fixed seed).
    context : str, optional
        Beat context to build into the signals (:func:`with_context`), before the quick subsets.
    derived_rr : bool
        Append the derived RR columns (:func:`derived_rr_parts`), before the quick subsets.

    Raises
    ------
    DataNotFoundError
        The dataset is not built; the message names the build command.
    """
    from ecgbench.data import load_split, to_numpy
    from ecgbench.data.loading import dataset_dir
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import dataset_checksum

    train, val, splits = load_train_val(track, tfds_dir)
    test_split = _beat_tracks()[track][3]
    folder = dataset_dir("beats", tfds_dir)
    test = beat_arrays(to_numpy(load_split(test_split, "beats", tfds_dir)))
    if context is not None:
        train, val, test = context_parts([train, val, test], context)
    if derived_rr:
        train, val, test = derived_rr_parts([train, val, test])
    if quick:
        train = quick_subset(train, QUICK_MAX_BEATS["train"], seed)
        val = quick_subset(val, QUICK_MAX_BEATS["val"], seed + 1)
        test = quick_subset(test, QUICK_MAX_BEATS["test"], seed + 2)
    return TrackData(
        train=train,
        val=val,
        test=test,
        splits={**splits, "test": test_split},
        dataset={
            "name": DATASET_NAME,
            "version": folder.name,
            "checksum": dataset_checksum(resolve_tfds_dir(tfds_dir), "beats", folder.name),
        },
    )


#: Fixed seed of the intra-patient validation draw (the split is data definition, not a run choice).
INTRA_VAL_SEED = 20040702
