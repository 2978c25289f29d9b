"""Input normalisation fitted on training data only, recorded as JSON with the run.

Two steps, applied in this order to every beat window (``[..., samples, leads]``, mV):

1. **Per-beat centring** (``per_beat``): subtract each lead's median (``"median"``, robust to the QRS
   complex) or mean (``"mean"``) over the window, which removes the local baseline offset; or
   nothing (``"none"``).
2. **Standardisation** with statistics of the *training* split: per-lead mean and standard
   deviation of the centred signal (over all beats and samples), and per-feature mean and standard
   deviation of the ``rr`` vector (:data:`ecgbench.data.rr.RR_FEATURE_NAMES`).
3. **RR column selection** (``rr_columns``): the model gets only the named ``rr`` columns, in
   :data:`~ecgbench.data.rr.ALL_RR_FEATURE_NAMES` order (default the seven of
   :data:`~ecgbench.data.rr.RR_FEATURE_NAMES`). A causal model, one that must label a beat before
   the next beat arrives, leaves out ``rr_post`` and ``rr_post_ratio``
   (:attr:`Normalizer.uses_post_rr`). The statistics cover the whole vector: the seven, then each
   derived column (``rr_irregularity``) the model chose, recorded as ``rr_feature_names``; the
   caller computes derived fields (:func:`ecgbench.runner.data.with_derived_rr`).

``context`` records the beat context the model was trained with (:mod:`ecgbench.data.context`,
e.g. ``"previous_beat"``: the signal's channels are the beat's leads followed by the previous
beat's). The normaliser does not build it, the caller does, before normalising; it is kept here
because the normaliser travels with every trained model, so a stream knows to build it too.

A standard deviation below :data:`MIN_STD` (a constant lead or feature) is replaced by 1.0 so that
nothing is divided by zero. :func:`fit_normalizer` never looks at anything but the data it is
given: fit it on ``ds1_train`` and apply the result to validation and test splits.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ecgbench.data.context import check_context, context_windows
from ecgbench.data.rr import (
    ALL_RR_FEATURE_NAMES,
    DERIVED_RR_FEATURE_NAMES,
    RR_FEATURE_NAMES,
    check_rr_fields,
    derived_rr_fields,
    rr_features_numpy,
)
from ecgbench.errors import ConfigError, unknown_choice

#: ``rr`` columns that need the next beat: a model using one cannot label a beat until it arrives.
POST_RR_COLUMNS = ("rr_post", "rr_post_ratio")
#: Valid values of ``per_beat``.
PER_BEAT_METHODS = ("none", "mean", "median")
#: Standard deviations below this (signal: mV; rr: s or unitless) count as zero and become 1.0.
MIN_STD = 1e-6
_FIT_BATCH = 4096  # beats per NumPy chunk while fitting on a tf.data.Dataset
_SCHEMA_KEYS = ("per_beat", "signal_mean", "signal_std", "rr_mean", "rr_std", "n_examples", "rr_feature_names")


@dataclass(frozen=True)
class Normalizer:
    """Fitted normalisation statistics (see the module docstring for the order of operations).

    Attributes
    ----------
    per_beat : str
        Per-beat centring: ``"none"``, ``"mean"`` or ``"median"``.
    signal_mean, signal_std : tuple of float
        Per-lead mean and standard deviation of the centred training signal (mV).
    rr_mean, rr_std : tuple of float
        Mean and standard deviation of each ``rr`` feature on the training data.
    n_examples : int
        Number of beats the statistics were fitted on.
    rr_columns : tuple of str
        The ``rr`` columns handed to the model, a subset of :attr:`rr_feature_names` in its order.
    context : str or None
        Beat context of the signal channels (:data:`ecgbench.data.context.CONTEXTS`), None for none.
    rr_feature_names : tuple of str
        The vector ``rr_mean``/``rr_std`` cover: ``RR_FEATURE_NAMES``, then the derived columns
        among :attr:`rr_columns` (:data:`~ecgbench.data.rr.DERIVED_RR_FEATURE_NAMES`).
    """

    per_beat: str
    signal_mean: tuple[float, ...]
    signal_std: tuple[float, ...]
    rr_mean: tuple[float, ...]
    rr_std: tuple[float, ...]
    n_examples: int
    rr_columns: tuple[str, ...] = RR_FEATURE_NAMES
    context: str | None = None
    rr_feature_names: tuple[str, ...] = RR_FEATURE_NAMES

    def __post_init__(self) -> None:
        if self.per_beat not in PER_BEAT_METHODS:
            raise unknown_choice("per-beat normalisation", self.per_beat, PER_BEAT_METHODS)
        if len(self.signal_mean) != len(self.signal_std):
            raise ConfigError("normalizer signal_mean and signal_std must have one value per lead")
        check_rr_feature_names(self.rr_feature_names, "normalizer rr_feature_names")
        names = self.rr_feature_names
        if len(self.rr_mean) != len(names) or len(self.rr_std) != len(names):
            raise ConfigError(f"normalizer rr_mean and rr_std must have {len(names)} values ({', '.join(names)})")
        check_rr_columns(self.rr_columns, "normalizer rr_columns")
        outside = [name for name in self.rr_columns if name not in names]
        if outside:
            raise ConfigError(f"normalizer rr_columns {', '.join(outside)} are not in its rr_feature_names ({', '.join(names)})")
        check_context(self.context, "normalizer context")
        windows = context_windows(self.context)
        if len(self.signal_mean) % windows:
            raise ConfigError(
                f"normalizer context {self.context!r} needs a multiple of {windows} signal channels (the beat's leads, then "
                f"the same leads of each context window); got {len(self.signal_mean)}"
            )

    @property
    def uses_post_rr(self) -> bool:
        """True when a model input needs the next beat (``rr_post`` or ``rr_post_ratio``)."""
        return any(name in POST_RR_COLUMNS for name in self.rr_columns)

    @property
    def derived_rr(self) -> tuple[str, ...]:
        """Derived ``rr`` fields the caller must supply (e.g. ``("rr_irregularity",)``); empty for most models."""
        return self.rr_feature_names[len(RR_FEATURE_NAMES) :]

    @property
    def _rr_index(self) -> list[int]:
        return [self.rr_feature_names.index(name) for name in self.rr_columns]

    @property
    def n_leads(self) -> int:
        """Number of leads the statistics were fitted on."""
        return len(self.signal_mean)

    # ---- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (plain floats and lists) that :meth:`from_dict` reads back.

        ``rr_columns`` is written only when it is not the whole vector, ``context`` only when set.
        """
        payload = asdict(self)
        for key in ("signal_mean", "signal_std", "rr_mean", "rr_std"):
            payload[key] = [float(value) for value in payload[key]]
        payload["rr_feature_names"] = list(self.rr_feature_names)
        if self.rr_columns == RR_FEATURE_NAMES:
            del payload["rr_columns"]  # the default: files stay as they were before column selection existed
        else:
            payload["rr_columns"] = list(self.rr_columns)
        if self.context is None:
            del payload["context"]  # files of models without context stay as they were
        return payload

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> Normalizer:
        """Rebuild a normaliser from :meth:`to_dict` output; ``ConfigError`` names a missing or wrong field.

        ``rr_columns`` and ``context`` are optional: normalisers saved before they existed hand over
        every column and no context.
        """
        missing = [key for key in _SCHEMA_KEYS if key not in payload]
        if missing:
            raise ConfigError(f"normalizer dict lacks field(s) {', '.join(missing)}; expected {', '.join(_SCHEMA_KEYS)}")
        names = tuple(payload["rr_feature_names"])
        check_rr_feature_names(names, "normalizer rr_feature_names")
        return cls(
            per_beat=str(payload["per_beat"]),
            signal_mean=tuple(float(v) for v in payload["signal_mean"]),
            signal_std=tuple(float(v) for v in payload["signal_std"]),
            rr_mean=tuple(float(v) for v in payload["rr_mean"]),
            rr_std=tuple(float(v) for v in payload["rr_std"]),
            n_examples=int(payload["n_examples"]),
            rr_columns=tuple(str(name) for name in payload.get("rr_columns", RR_FEATURE_NAMES)),
            context=payload.get("context"),
            rr_feature_names=names,
        )

    # ---- TensorFlow (inside tf.data) -----------------------------------------------------
    def normalize_signal(self, signal, *, leads_first: bool = False):
        """Centre each beat and standardise each lead (float32).

        Parameters
        ----------
        signal : tf.Tensor
            ``[..., samples, leads]`` in mV; with ``leads_first``, ``[..., leads, samples]``.
        leads_first : bool
            The lead-major layout that :func:`~ecgbench.data.augment.augment_batch` works in. Both
            layouts give the same values bit for bit.
        """
        import tensorflow as tf

        signal = tf.convert_to_tensor(signal, tf.float32)
        lead_axis, sample_axis = (-2, -1) if leads_first else (-1, -2)
        self._check_leads(signal.shape[lead_axis])
        centred = signal - _beat_center_tf(signal, self.per_beat, sample_axis)
        mean = np.asarray(self.signal_mean, np.float32)
        inv_std = (1.0 / np.asarray(self.signal_std)).astype(np.float32)
        if leads_first:
            mean, inv_std = mean[:, None], inv_std[:, None]
        return (centred - tf.constant(mean)) * tf.constant(inv_std)

    def normalize_rr(self, rr):
        """Standardise an ``rr`` tensor ``[..., len(rr_feature_names)]`` and keep :attr:`rr_columns` (``[..., len(rr_columns)]``)."""
        import tensorflow as tf

        mean = tf.constant(self.rr_mean, tf.float32)
        inv_std = tf.constant(1.0 / np.asarray(self.rr_std), tf.float32)
        standard = (tf.cast(rr, tf.float32) - mean) * inv_std
        return standard if self.rr_columns == self.rr_feature_names else tf.gather(standard, self._rr_index, axis=-1)

    # ---- NumPy (scikit-learn models, analysis) -------------------------------------------
    def normalize_signal_numpy(self, signal: np.ndarray) -> np.ndarray:
        """NumPy twin of :meth:`normalize_signal` (float32 out)."""
        signal = np.asarray(signal, dtype=np.float32)
        self._check_leads(signal.shape[-1])
        centred = signal - _beat_center_numpy(signal, self.per_beat)
        return ((centred - np.float32(self.signal_mean)) / np.float32(self.signal_std)).astype(np.float32)

    def normalize_rr_numpy(self, rr: np.ndarray) -> np.ndarray:
        """NumPy twin of :meth:`normalize_rr` (float32 out)."""
        standard = ((np.asarray(rr, np.float32) - np.float32(self.rr_mean)) / np.float32(self.rr_std)).astype(np.float32)
        return standard if self.rr_columns == self.rr_feature_names else standard[..., self._rr_index]

    def transform_arrays(self, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Return normalised ``signal`` [N, samples, leads] and ``rr`` [N, len(rr_columns)] from :func:`~ecgbench.data.to_numpy` arrays."""
        check_rr_fields(set(arrays), "arrays")
        return {
            "signal": self.normalize_signal_numpy(arrays["signal"]),
            "rr": self.normalize_rr_numpy(rr_features_numpy(arrays, derived=self.derived_rr)),
        }

    def _check_leads(self, n_leads: int | None) -> None:
        if n_leads is not None and n_leads != self.n_leads:
            raise ConfigError(
                f"signal has {n_leads} leads but the normalizer was fitted on {self.n_leads}; refit it on this data"
            )


def fit_normalizer(
    data, *, per_beat: str = "median", rr_columns: tuple[str, ...] | list[str] | None = None, context: str | None = None
) -> Normalizer:
    """Fit normalisation statistics on training data only.

    Parameters
    ----------
    data : tf.data.Dataset or mapping of numpy.ndarray
        Un-batched beat examples with ``signal`` ``[samples, leads]`` (mV) and the four RR interval
        fields (seconds), e.g. :func:`~ecgbench.data.load_split` ``("ds1_train")``, or the dict of
        arrays from :func:`~ecgbench.data.to_numpy`.
    per_beat : {"median", "mean", "none"}
        Per-beat centring applied before the per-lead statistics are computed (and at use time).
    rr_columns : sequence of str, optional
        The ``rr`` columns the model gets (default all of ``RR_FEATURE_NAMES``); see
        :func:`check_rr_columns`. A derived column (``rr_irregularity``) must be a field of ``data``.
    context : str, optional
        Beat context already built into ``signal`` (:mod:`ecgbench.data.context`); recorded, and
        its channels get their own per-lead statistics like any lead.

    Returns
    -------
    Normalizer

    Raises
    ------
    ConfigError
        Unknown ``per_beat``, a missing field, bad ``rr_columns``, or no examples.
    """
    if per_beat not in PER_BEAT_METHODS:
        raise unknown_choice("per-beat normalisation", per_beat, PER_BEAT_METHODS)
    columns = RR_FEATURE_NAMES if rr_columns is None else tuple(rr_columns)
    check_rr_columns(columns, "rr_columns")
    derived = tuple(name for name in columns if name in DERIVED_RR_FEATURE_NAMES)
    stats = _RunningMoments(), _RunningMoments()
    for chunk in _numpy_chunks(data, derived):
        signal = np.asarray(chunk["signal"], np.float32)
        centred = signal - _beat_center_numpy(signal, per_beat)
        stats[0].add(centred.reshape(-1, centred.shape[-1]))
        stats[1].add(rr_features_numpy(chunk, derived=derived))
    if stats[1].count == 0:
        raise ConfigError("cannot fit a normalizer on an empty dataset; check the split name and that it holds beats")
    signal_mean, signal_std = stats[0].mean_std()
    rr_mean, rr_std = stats[1].mean_std()
    return Normalizer(
        per_beat=per_beat,
        signal_mean=tuple(signal_mean.tolist()),
        signal_std=tuple(signal_std.tolist()),
        rr_mean=tuple(rr_mean.tolist()),
        rr_std=tuple(rr_std.tolist()),
        n_examples=int(stats[1].count),
        rr_columns=columns,
        context=check_context(context, "context"),
        rr_feature_names=RR_FEATURE_NAMES + derived,
    )


def check_rr_feature_names(names, source: str) -> None:
    """Raise ``ConfigError`` naming ``source`` unless ``names`` is ``RR_FEATURE_NAMES`` followed by an ordered subset of the derived names."""
    names = tuple(names)
    derived = names[len(RR_FEATURE_NAMES) :]
    order = [DERIVED_RR_FEATURE_NAMES.index(name) if name in DERIVED_RR_FEATURE_NAMES else -1 for name in derived]
    if names[: len(RR_FEATURE_NAMES)] != RR_FEATURE_NAMES or -1 in order or order != sorted(set(order)):
        raise ConfigError(
            f"{source} {list(names)} is not this version's RR vector ({', '.join(RR_FEATURE_NAMES)}, then optionally "
            f"{', '.join(DERIVED_RR_FEATURE_NAMES)}); refit the normalizer"
        )


def check_rr_columns(columns, source: str) -> None:
    """Raise ``ConfigError`` naming ``source`` unless ``columns`` is a non-empty, ordered subset of ``ALL_RR_FEATURE_NAMES``.

    Parameters
    ----------
    columns : sequence of str
        Proposed ``rr`` columns.
    source : str
        Where they came from (a recipe file's ``options.rr_features``, a normaliser file …).
    """
    columns = list(columns)
    unknown = [name for name in columns if name not in ALL_RR_FEATURE_NAMES]
    if unknown or not columns:
        raise ConfigError(
            f"{source}: {'unknown RR feature(s) ' + ', '.join(map(str, unknown)) if unknown else 'no RR feature chosen'}; "
            f"choose one or more of {', '.join(ALL_RR_FEATURE_NAMES)}"
        )
    order = [ALL_RR_FEATURE_NAMES.index(name) for name in columns]
    if order != sorted(set(order)):
        raise ConfigError(f"{source}: list each RR feature once, in the order {', '.join(ALL_RR_FEATURE_NAMES)} (got {', '.join(columns)})")


class _RunningMoments:
    """Column-wise mean and population standard deviation accumulated in float64 over chunks."""

    def __init__(self) -> None:
        self.count = 0
        self.total: np.ndarray | float = 0.0
        self.total_sq: np.ndarray | float = 0.0

    def add(self, rows: np.ndarray) -> None:
        rows = rows.astype(np.float64)
        self.count += rows.shape[0]
        self.total = self.total + rows.sum(axis=0)
        self.total_sq = self.total_sq + np.square(rows).sum(axis=0)

    def mean_std(self) -> tuple[np.ndarray, np.ndarray]:
        mean = np.asarray(self.total) / self.count
        var = np.maximum(np.asarray(self.total_sq) / self.count - np.square(mean), 0.0)
        std = np.sqrt(var)
        return mean, np.where(std < MIN_STD, 1.0, std)


def _numpy_chunks(data, derived: tuple[str, ...] = ()):
    """Yield dicts of NumPy arrays (``signal`` + RR fields + the ``derived`` ones) from a dataset or a mapping of arrays."""
    fields = ("signal", "rr_pre", "rr_post", "rr_local", "rr_average", *derived)
    if isinstance(data, Mapping):
        check_rr_fields(set(data), "arrays")
        derived_rr_fields(set(data), derived, "arrays")
        if "signal" not in data:
            raise ConfigError("arrays lack 'signal' ([N, samples, leads], mV)")
        yield {name: np.asarray(data[name]) for name in fields}
        return
    spec = getattr(data, "element_spec", None)
    if not isinstance(spec, Mapping):
        raise ConfigError("fit_normalizer needs a tf.data.Dataset of feature dicts or a dict of NumPy arrays")
    check_rr_fields(set(spec), "dataset")
    derived_rr_fields(set(spec), derived, "dataset")
    if "signal" not in spec:
        raise ConfigError("dataset lacks the 'signal' feature ([samples, leads], mV)")
    selected = data.map(lambda example: {name: example[name] for name in fields})
    yield from selected.batch(_FIT_BATCH).as_numpy_iterator()


def _median_over_time(signal: np.ndarray, sample_axis: int = -2) -> np.ndarray:
    """Per-lead median over ``sample_axis`` (-2, or -1 for lead-major windows), kept as a length-1 axis.

    Equal to ``np.median`` for finite input. Each lead's window is sorted as a contiguous row:
    NumPy's SIMD sort (x86-simd-sort, NumPy ≥ 2) is 5x faster than ``np.partition`` (an O(n)
    introselect with no SIMD) on [256, 288, 2] batches, and ``tf.sort`` (top-k) is slower still (TF
    has no selection op). The two middle values of an even count are averaged in float32, as
    ``np.median`` does.
    """
    lead_major = signal if sample_axis == -1 else np.swapaxes(signal, -1, -2)
    n = lead_major.shape[-1]
    ranked = np.sort(lead_major.reshape(-1, n), axis=-1)
    if n % 2:
        middle = ranked[:, n // 2]
    else:
        middle = (ranked[:, n // 2 - 1] + ranked[:, n // 2]) * signal.dtype.type(0.5)
    center = middle.reshape(*lead_major.shape[:-1], 1).astype(signal.dtype, copy=False)
    return center if sample_axis == -1 else np.swapaxes(center, -1, -2)


def _beat_center_numpy(signal: np.ndarray, per_beat: str) -> np.ndarray | float:
    if per_beat == "median":
        return _median_over_time(signal)
    if per_beat == "mean":
        return signal.mean(axis=-2, keepdims=True)
    return 0.0


def _beat_center_tf(signal, per_beat: str, sample_axis: int = -2):
    """Per-lead centre over the time axis (``sample_axis``); the median of an even count averages the two middle values.

    The median runs :func:`_median_over_time` through ``tf.numpy_function``: ``tf.sort`` (top-k)
    costs ~40x more CPU per batch than NumPy's SIMD sort. The op therefore needs the Python runtime
    (fine in tf.data; not exportable inside a SavedModel).
    """
    import tensorflow as tf

    if per_beat == "mean":
        if sample_axis == -1:  # sum in the [samples, leads] layout, whose summation order fixes the digits
            return tf.linalg.matrix_transpose(tf.reduce_mean(tf.linalg.matrix_transpose(signal), axis=-2, keepdims=True))
        return tf.reduce_mean(signal, axis=-2, keepdims=True)
    if per_beat == "median":
        center = tf.numpy_function(
            functools.partial(_median_over_time, sample_axis=sample_axis), [signal], tf.float32, stateful=False
        )
        shape = signal.shape.as_list()
        shape[sample_axis] = 1
        center.set_shape(shape)
        return center
    return tf.zeros([], signal.dtype)
