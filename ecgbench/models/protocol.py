"""The submission protocol of the beat track: what a model folder provides and what it receives.

A submission is a folder with two files:

``submission.py``
    exposes **either** ``build_model(input_spec, recipe) -> keras.Model`` (the runner compiles
    it with the recipe's optimiser and learning rate and runs the training loop), **or** a class
    named ``Submission`` with ``fit(train, val, recipe)`` and ``predict(arrays) -> [n, 5]``
    probabilities (any framework, typically scikit-learn).
``recipe.json``
    the training recipe (:class:`Recipe`): epochs, batch size, optimiser, learning rate,
    augmentations (an :class:`ecgbench.data.AugmentConfig` dict), class balancing, seed,
    early-stopping patience, free-form ``options`` for the submission itself, the ``wrappers`` the
    runner puts around the model (a seed ensemble, the AF gate: :mod:`ecgbench.models.wrappers`),
    and optional per-track changes (``tracks``: ``{"intrapatient": {"epochs": 40, "options": {...}}}``,
    resolved by :meth:`Recipe.for_track` before training). A registered variant's recipe
    (``baselines/<family>/recipes/<variant>.json``) names the recipe it ``extends`` and changes a
    few keys (:mod:`ecgbench.models.recipe_files`).

What a model sees. Keras models get batches ``{"signal": [B, 288, 2], "rr": [B, 7]}`` after the
runner's normaliser (fitted on the training split) and must end in a softmax over the five AAMI
classes (N, S, V, F, Q). Three recipe options are read by the runner rather than the model:
``options.per_beat`` (the normaliser's per-beat centring), ``options.rr_features`` (the ``rr``
columns the model gets, :attr:`InputSpec.rr_names`; a causal model leaves out ``rr_post`` and
``rr_post_ratio`` and is then streamed without waiting for the next beat) and ``options.context``
(the previous beat's window beside the beat's own, :mod:`ecgbench.data.context`). ``Submission`` classes
get :class:`BeatArrays` in physical units (signal in mV, RR features in seconds and ratios, see
:data:`ecgbench.data.RR_FEATURE_NAMES`) and normalise as they like. Labels are never passed to ``predict``. Predictions are checked
(:func:`ecgbench.models.validate.check_probabilities`): wrong shape, NaN/inf, negative values or
rows not summing to one raise :class:`ecgbench.models.errors.SubmissionError`.

Refit (rhythm track). A recipe with ``options.refit_on_train_val: true`` asks the runner to retrain
the configuration chosen on ``val`` on train ∪ val before predicting test (the test records are
still never seen). Keras models are rebuilt and trained for the best epoch count found on val;
a ``Submission`` class must then also define ``refit(train_val, recipe)``, which retrains the
configuration its ``fit`` chose (see :mod:`ecgbench.runner.rhythm_refit`). The run record's
``training.refit`` block lists what was refitted on.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.models.wrappers import check_wrappers, migrate_legacy_options
from ecgbench.records import AAMI_CLASSES

#: Optimisers a recipe may name (Keras class names in lower case).
OPTIMIZERS: tuple[str, ...] = ("adam", "adamw", "sgd", "rmsprop")
#: Class-balancing strategies: none; loss weights inverse to class frequency (``class_weight``) or
#: to its square root (``sqrt_class_weight``); or class-balanced sampling by the input pipeline
#: (``sample_sqrt``: class probability ∝ sqrt(count); ``sample_uniform``: equal per class; see
#: :func:`ecgbench.data.make_beat_pipeline`). Estimator submissions interpret it themselves.
BALANCE_MODES: tuple[str, ...] = ("none", "class_weight", "sqrt_class_weight", "sample_sqrt", "sample_uniform")


def recipe_tracks() -> tuple[str, ...]:
    """Beat tracks a recipe's ``tracks`` block may name: the short ``track`` names of :mod:`ecgbench.tasks`."""
    from ecgbench.tasks import all_tasks

    return tuple(task.track for task in all_tasks() if task.track is not None)


#: Beat tracks a recipe's ``tracks`` block may name (the runner's ``TRACKS``; rhythm runs ignore the block).
RECIPE_TRACKS: tuple[str, ...] = recipe_tracks()
#: Recipe fields that are dicts: a track block (or any override block) merges them key by key.
MERGED_FIELDS: tuple[str, ...] = ("augment", "options", "wrappers")


@dataclass(frozen=True)
class InputSpec:
    """Shapes and meaning of a beat-track example, handed to ``build_model``.

    Attributes
    ----------
    signal_shape : tuple of int
        ``(samples, leads)`` of one beat window: ``(288, 2)``.
    rr_names : tuple of str
        Names of the RR feature columns, in order (seconds, and ratios without unit).
    class_names : tuple of str
        Output classes in order: ``("N", "S", "V", "F", "Q")``.
    sampling_rate : float
        Hz (360 for MIT-BIH).
    before_s, after_s : float
        Window extent before and after the R peak (seconds).
    lead_names : tuple of str
        Lead of each signal channel.
    """

    signal_shape: tuple[int, int]
    rr_names: tuple[str, ...]
    class_names: tuple[str, ...] = AAMI_CLASSES
    sampling_rate: float = 360.0
    before_s: float = 0.3
    after_s: float = 0.5
    lead_names: tuple[str, ...] = ("MLII", "V5")

    @property
    def n_classes(self) -> int:
        """Number of output classes (5)."""
        return len(self.class_names)

    @property
    def n_rr(self) -> int:
        """Number of RR feature columns."""
        return len(self.rr_names)


@dataclass(frozen=True)
class Recipe:
    """How to train a submission; read from ``recipe.json``.

    Attributes
    ----------
    epochs : int
        Maximum number of passes over the training split.
    batch_size : int
        Examples per batch.
    optimizer : str
        One of :data:`OPTIMIZERS`.
    learning_rate : float
        Initial learning rate.
    weight_decay : float
        Decoupled weight decay (``adamw`` only).
    augment : dict
        :class:`ecgbench.data.AugmentConfig` as a dict (empty: no augmentation).
    balance : str
        One of :data:`BALANCE_MODES`.
    seed : int
        Default seed (``--seed`` overrides it).
    patience : int
        Early stopping: training stops once more than ``patience`` consecutive epochs have not
        improved ``monitor`` on the validation split (the best epoch's weights are kept).
    monitor : str
        Validation quantity used for early stopping and model selection: ``"macro_f1"``
        (mean F1 of N, S, V; higher is better) or ``"loss"`` (lower is better).
    options : dict
        Free-form settings read by the submission itself (layer widths …), except the keys the
        runner reads: ``per_beat``, ``rr_features``, ``context`` (beat track, Keras) and
        ``refit_on_train_val`` (see the module notes).
    wrappers : dict
        Wrapper name → parameters (:data:`ecgbench.models.wrappers.WRAPPERS`): ``ensemble``
        (``{"members": K}``) and ``af_gate`` (``{}``), carried out by the runner. A ``null``
        value in a track block or an extending recipe removes the wrapper.
    tracks : dict
        Optional per-track changes: beat track name (one of :data:`RECIPE_TRACKS`) → a dict of
        recipe fields replacing the top-level ones on that track; ``augment`` and ``options`` are
        merged key by key (:data:`MERGED_FIELDS`). Resolved by :meth:`for_track`; the runner
        records the resolved recipe (without ``tracks``). Rhythm runs ignore it.
    """

    epochs: int = 20
    batch_size: int = 256
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    augment: dict[str, Any] = field(default_factory=dict)
    balance: str = "class_weight"
    seed: int = 0
    patience: int = 5
    monitor: str = "macro_f1"
    options: dict[str, Any] = field(default_factory=dict)
    wrappers: dict[str, dict[str, Any]] = field(default_factory=dict)
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)

    MONITORS = ("macro_f1", "loss")

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise unknown_choice("optimizer", self.optimizer, OPTIMIZERS)
        if self.balance not in BALANCE_MODES:
            raise unknown_choice("balance mode", self.balance, BALANCE_MODES)
        if self.monitor not in self.MONITORS:
            raise unknown_choice("monitor", self.monitor, self.MONITORS)
        for name in ("epochs", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"recipe field {name} must be >= 1 (got {getattr(self, name)})")
        if self.learning_rate <= 0:
            raise ConfigError(f"recipe field learning_rate must be > 0 (got {self.learning_rate})")
        if self.patience < 0:
            raise ConfigError(f"recipe field patience must be >= 0 (got {self.patience})")
        _check_tracks(self.tracks, "recipe")
        object.__setattr__(self, "wrappers", check_wrappers(self.wrappers, source=""))  # removed (null) wrappers dropped

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "recipe") -> Recipe:
        """Build a recipe from a dict; unknown keys raise ``ConfigError`` naming ``source``.

        Every track block is resolved once here, so a bad value inside one fails when the recipe
        is read, not when that track is run. The legacy spelling of wrappers as options
        (``options.ensemble``, ``options.af_gate``, in run records written before wrappers) is
        read as the ``wrappers`` block (:func:`ecgbench.models.wrappers.migrate_legacy_options`).
        """
        values = migrate_legacy_options(values, source)
        if isinstance(values.get("tracks"), dict):
            values["tracks"] = {track: migrate_legacy_options(block, f"{source}, tracks.{track}") if isinstance(block, dict) else block
                                for track, block in values["tracks"].items()}  # fmt: skip
        _check_keys(values, {f.name for f in fields(cls)}, source)
        _check_tracks(values.get("tracks", {}), source)
        try:
            recipe = cls(**values)
        except (TypeError, ValueError) as exc:  # ConfigError (a ValueError) from validation names no file
            raise ConfigError(f"{source}: {exc}") from exc
        for track in recipe.tracks:
            recipe.for_track(track, source=source)
        return recipe

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Recipe:
        """Read ``recipe.json``; a missing file gives the defaults, bad JSON raises ``ConfigError``."""
        path = Path(path)
        if not path.is_file():
            return cls()
        return cls.from_dict(read_recipe_json(path), source=str(path))

    def to_dict(self) -> dict[str, Any]:
        """Return the recipe as a JSON-ready dict (``wrappers`` and ``tracks`` only when not empty)."""
        values = asdict(self)
        for name in ("wrappers", "tracks"):  # resolved recipes, as run records store them, carry no tracks block
            if not values[name]:
                del values[name]
        return values

    def with_overrides(self, **changes: Any) -> Recipe:
        """Return a copy with the non-None ``changes`` applied (CLI ``--epochs``, ``--seed`` …)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def merged(self, changes: dict[str, Any], source: str = "recipe") -> Recipe:
        """Return a copy with a block of recipe fields applied, ``augment``/``options``/``wrappers`` merged key by key.

        Parameters
        ----------
        changes : dict
            Recipe fields (not ``tracks``) and their new values.
        source : str
            Named in errors (recipe file and block).

        Raises
        ------
        ConfigError
            An unknown field, or a value the recipe rejects.
        """
        changes = migrate_legacy_options(changes, source)
        _check_keys(changes, {f.name for f in fields(self)} - {"tracks"}, source)
        values = asdict(self)
        for name, value in changes.items():
            if name in MERGED_FIELDS:
                if not isinstance(value, dict):
                    raise ConfigError(f"{source}: recipe field {name} must be a JSON object (got {value!r})")
                values[name] = {**values[name], **value}
            else:
                values[name] = value
        try:
            return type(self)(**values)
        except (TypeError, ValueError) as exc:  # ConfigError from validation, or a value of the wrong type
            raise ConfigError(f"{source}: {exc}") from exc

    def for_track(self, track: str, source: str = "recipe") -> Recipe:
        """Return the recipe of a beat track: its ``tracks[track]`` block applied, ``tracks`` emptied.

        A recipe without a block for ``track`` comes back unchanged apart from ``tracks``, so its
        :meth:`to_dict` is the same as that of a recipe that never had one.

        Raises
        ------
        ConfigError
            ``track`` is not one of :data:`RECIPE_TRACKS`, or the block is invalid.
        """
        if track not in RECIPE_TRACKS:
            raise unknown_choice("track", track, RECIPE_TRACKS)
        base = replace(self, tracks={})
        block = self.tracks.get(track)
        return base if block is None else base.merged(block, source=f"{source}, tracks.{track}")


def read_recipe_json(path: Path) -> dict[str, Any]:
    """The JSON object of a recipe file; bad JSON or another JSON value raises ``ConfigError`` naming the file."""
    try:
        values = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}; fix the file") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"{path} must hold a JSON object of recipe fields")
    return values


def _check_keys(values: dict[str, Any], known: set[str], source: str) -> None:
    """Raise ``ConfigError`` naming ``source`` when ``values`` has keys outside ``known``."""
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown recipe key(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(known))}")


def _check_tracks(tracks: Any, source: str) -> None:
    """Check the shape of a ``tracks`` block: known track names, each mapped to a JSON object."""
    if not isinstance(tracks, dict):
        raise ConfigError(f"{source}: recipe field tracks must be a JSON object of track name → recipe fields")
    unknown = sorted(set(tracks) - set(RECIPE_TRACKS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown track(s) {', '.join(unknown)} in recipe field tracks; valid tracks: {', '.join(RECIPE_TRACKS)}"
        )
    for track, block in tracks.items():
        if not isinstance(block, dict):
            raise ConfigError(f"{source}: tracks.{track} must be a JSON object of recipe fields (got {block!r})")


@dataclass(frozen=True)
class BeatArrays:
    """Beats of one split as NumPy arrays (what ``Submission.fit``/``predict`` receive).

    Attributes
    ----------
    signal : numpy.ndarray
        ``[n, samples, leads]`` float32, mV.
    rr : numpy.ndarray
        ``[n, 7]`` float32, the :data:`ecgbench.data.RR_FEATURE_NAMES` columns (s and ratios), followed
        by the derived ones (``rr_irregularity``) when a Keras recipe's ``options.rr_features`` asks
        for one; a Keras model gets only :attr:`InputSpec.rr_names`, through the normaliser.
    label : numpy.ndarray
        ``[n]`` int64 AAMI label (0..4); ``predict`` receives ``-1`` everywhere.
    record : numpy.ndarray
        ``[n]`` record name of each beat (str).
    sample : numpy.ndarray
        ``[n]`` R-peak position (samples, int64).
    """

    signal: np.ndarray
    rr: np.ndarray
    label: np.ndarray
    record: np.ndarray
    sample: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.label)
        for name in ("signal", "rr", "record", "sample"):
            if len(getattr(self, name)) != n:
                raise ConfigError(f"BeatArrays field {name} has {len(getattr(self, name))} rows, label has {n}")

    def __len__(self) -> int:
        return int(len(self.label))

    def subset(self, index: np.ndarray) -> BeatArrays:
        """Return the beats selected by a boolean mask or integer index."""
        return BeatArrays(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def concatenate(cls, parts) -> BeatArrays:
        """Return the beats of several :class:`BeatArrays` one after another, in the order given."""
        parts = list(parts)
        return cls(*(np.concatenate([getattr(part, f.name) for part in parts]) for f in fields(cls)))

    def without_labels(self) -> BeatArrays:
        """Return a copy whose labels are all ``-1`` (what ``predict`` gets)."""
        return replace(self, label=np.full(len(self), -1, dtype=np.int64))

    def features(self) -> dict[str, np.ndarray]:
        """Return the model inputs ``{"signal": …, "rr": …}``."""
        return {"signal": self.signal, "rr": self.rr}
