"""Prepare the data of a rhythm-track run: the ``mitdb/rhythm*`` windows as :class:`BeatArrays`.

The rhythm track reuses the beat track's containers so the runner, the submission protocol and
the run records stay one code path. Each example is a window, not a beat:

- ``signal`` ``[n, window·360, 2]`` float32, mV (both leads as stored);
- ``rr`` ``[n, 0]`` (no side features: a rhythm model sees only the raw signal);
- ``label`` the index of the window's majority rhythm in :data:`ecgbench.records.RHYTHM_CLASSES`;
- ``record`` and ``sample`` (= the window's first sample).

Splits (record- and subject-disjoint, :mod:`ecgbench.records.splits`): train ``train``, model
selection on ``val`` only, test ``test``. The window length picks the TFDS config
(:data:`WINDOW_CONFIGS`): 10 s (task ``rhythm``), 4 s (``rhythm-4s``), 30 s (``rhythm-30s``).
"""

from __future__ import annotations

import os

import numpy as np

from ecgbench.errors import unknown_choice
from ecgbench.models import BeatArrays, InputSpec
from ecgbench.records import RHYTHM_CLASSES
from ecgbench.runner.data import TrackData, quick_subset
from ecgbench.tasks.rhythm import DEFAULT_WINDOW_S


def _window_tasks() -> dict[float, tuple[str, str]]:
    """Window length (seconds) → (task, TFDS config) of the rhythm tasks in :mod:`ecgbench.tasks`."""
    from ecgbench.tasks import all_tasks

    return {float(t.params["window_s"]): (t.name, t.dataset.config) for t in all_tasks() if "window_s" in t.params and t.dataset}


#: Window length (seconds) → TFDS config of ``mitdb`` holding windows of that length (a view of the
#: rhythm tasks: ``rhythm`` and its variants).
WINDOW_CONFIGS: dict[float, str] = {seconds: config for seconds, (_task, config) in _window_tasks().items()}
#: Role → split name of the rhythm configs.
RHYTHM_SPLITS: dict[str, str] = {"train": "train", "val": "val", "test": "test"}
#: Largest split size in a ``--quick`` run (windows).
QUICK_MAX_WINDOWS = {"train": 1500, "val": 600, "test": 600}
SAMPLING_RATE = 360.0


def _window_task(window_s: float) -> tuple[str, str]:
    windows = _window_tasks()
    for seconds, entry in windows.items():
        if abs(float(window_s) - seconds) < 1e-9:
            return entry
    raise unknown_choice("rhythm window (seconds)", f"{window_s:g}", tuple(f"{s:g}" for s in windows))


def rhythm_task(window_s: float = DEFAULT_WINDOW_S) -> str:
    """Return the leaderboard task of a window length: ``rhythm`` (10 s), else ``rhythm-<w>s``."""
    return _window_task(window_s)[0]


def window_config(window_s: float) -> str:
    """Return the TFDS config of a window length; an unbuilt length raises ``ConfigError``."""
    return _window_task(window_s)[1]


def window_arrays(arrays: dict[str, np.ndarray]) -> BeatArrays:
    """Turn :func:`ecgbench.data.to_numpy` output of a rhythm config into window :class:`BeatArrays`."""
    n = len(arrays["label"])
    return BeatArrays(
        signal=np.asarray(arrays["signal"], np.float32),
        rr=np.zeros((n, 0), np.float32),
        label=np.asarray(arrays["label"], np.int64),
        record=np.asarray(arrays["record"]).astype(str),
        sample=np.asarray(arrays["start"], np.int64),
    )


def rhythm_input_spec(data: TrackData) -> InputSpec:
    """Return the :class:`InputSpec` of a rhythm track (see :func:`rhythm_window_spec`)."""
    return rhythm_window_spec(data.train, data.sampling_rate)


def rhythm_window_spec(train: BeatArrays, sampling_rate: float) -> InputSpec:
    """Return the :class:`InputSpec` of rhythm windows shaped like ``train`` (window shape, rhythm classes, no RR columns)."""
    samples = int(train.signal.shape[1])
    return InputSpec(
        signal_shape=tuple(train.signal.shape[1:]),
        rr_names=(),
        class_names=RHYTHM_CLASSES,
        sampling_rate=sampling_rate,
        before_s=0.0,
        after_s=samples / sampling_rate,
        lead_names=("lead0", "lead1"),
    )


def load_rhythm_splits(
    window_s: float = DEFAULT_WINDOW_S, tfds_dir: str | os.PathLike | None = None, roles: tuple[str, ...] = tuple(RHYTHM_SPLITS)
) -> dict[str, BeatArrays]:
    """Load the windows of the rhythm track's ``roles`` (``train``, ``val``, ``test``), and only those.

    :func:`load_rhythm_track` reads every role through here; model development
    (``experiments/rr_af/rr_af_val.py``) asks for ``("train", "val")``, so it cannot see the test split.
    """
    from ecgbench.data import load_split, to_numpy

    config = window_config(window_s)
    return {role: window_arrays(to_numpy(load_split(RHYTHM_SPLITS[role], config, tfds_dir))) for role in roles}


def load_rhythm_track(
    window_s: float = DEFAULT_WINDOW_S,
    tfds_dir: str | os.PathLike | None = None,
    *,
    quick: bool = False,
    seed: int = 0,
) -> TrackData:
    """Load the train/val/test windows of the rhythm track from the built TFDS dataset.

    Parameters
    ----------
    window_s : float
        Window length in seconds (a key of :data:`WINDOW_CONFIGS`).
    tfds_dir : path-like, optional
        Folder of built TFDS datasets; default ``$ECGBENCH_TFDS_DIR``, else ``~/ecgbench_data/tfds``.
    quick : bool
        Keep a small seeded subset of each split (smoke tests).
    seed : int
        Seed of the quick subsets.

    Raises
    ------
    DataNotFoundError
        The config is not built; the message names the build command.
    """
    from ecgbench.data.loading import dataset_dir
    from ecgbench.paths import resolve_tfds_dir
    from ecgbench.records.physionet import dataset_checksum

    config = window_config(window_s)
    folder = dataset_dir(config, tfds_dir)
    splits = load_rhythm_splits(window_s, tfds_dir)
    if quick:
        splits = {role: quick_subset(arrays, QUICK_MAX_WINDOWS[role], seed + i) for i, (role, arrays) in enumerate(splits.items())}
    return TrackData(
        **splits,
        splits=dict(RHYTHM_SPLITS),
        dataset={
            "name": f"mitdb/{config}",
            "version": folder.name,
            "checksum": dataset_checksum(resolve_tfds_dir(tfds_dir), config, folder.name),
            "window_s": float(window_s),
        },
        sampling_rate=SAMPLING_RATE,
    )


def check_subject_disjoint(data: TrackData) -> None:
    """Raise ``ConfigError`` if a test subject also appears in the training or validation windows.

    Subjects, not records: MIT-BIH 201 and 202 are one patient (:func:`ecgbench.records.subject_of`).
    """
    from ecgbench.errors import ConfigError
    from ecgbench.records import subject_of

    def subjects(arrays: BeatArrays) -> set[str]:
        return {subject_of(r) for r in np.unique(arrays.record).tolist()}

    test = subjects(data.test)
    for role in ("train", "val"):
        shared = sorted(test & subjects(getattr(data, role)))
        if shared:
            raise ConfigError(
                f"rhythm split {data.splits.get(role, role)!r} shares subject(s) {', '.join(shared)} with the test "
                "split; rebuild the rhythm dataset with the fixed record lists of ecgbench.records.splits"
            )
