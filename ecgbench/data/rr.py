"""The RR-interval input vector of the beat task: four intervals and three ratios, all named.

The TFDS ``beats`` config stores four intervals per beat, in seconds: ``rr_pre`` (previous R peak
to this one), ``rr_post`` (this one to the next), ``rr_local`` (mean of the last ten RR intervals)
and ``rr_average`` (running mean of the record's RR intervals up to this beat: causal, where de
Chazal et al. used the whole record's mean). Models get them as one fixed vector ``rr`` of
:data:`RR_FEATURE_NAMES`: the four intervals followed by ``rr_pre``, ``rr_post`` and ``rr_local``
divided by ``rr_average``, which makes prematurity comparable across patients whose heart rates
differ (de Chazal et al. 2004; Mondéjar-Guerra et al. 2019).

Ratios are guarded: when ``rr_average`` is below :data:`MIN_RR_S` (0 or missing in the source),
every ratio is 1.0, the neutral value "as long as this patient's average".

**Derived columns** (:data:`DERIVED_RR_FEATURE_NAMES`) come after the seven, only for models that
ask for them (recipe ``options.rr_features``): ``rr_irregularity``, the irregularity of the RR
intervals before the beat (:mod:`ecgbench.data.rr_irregularity`). They need a record's beat
sequence, so they are not stored in the dataset: the runner computes them when it loads the
splits (:func:`ecgbench.runner.data.with_derived_rr`) and the stream from the beats it has
labelled; here they are read from a field of the same name when present.

References
----------
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
Mondéjar-Guerra V et al. Heartbeat classification fusing temporal and morphological information of
ECGs via ensemble of classifiers. Biomed Signal Process Control 47:41-48 (2019).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: The order of the ``rr`` input vector (seconds for intervals, unitless for ratios).
RR_FEATURE_NAMES = (
    "rr_pre",
    "rr_post",
    "rr_local",
    "rr_average",
    "rr_pre_ratio",
    "rr_post_ratio",
    "rr_local_ratio",
)
#: Optional columns after :data:`RR_FEATURE_NAMES`, computed from a record's beat sequence (see above).
DERIVED_RR_FEATURE_NAMES = ("rr_irregularity",)
#: Every name an ``rr`` column can have, in vector order.
ALL_RR_FEATURE_NAMES = RR_FEATURE_NAMES + DERIVED_RR_FEATURE_NAMES
#: The interval fields the vector is derived from (seconds), as stored by the TFDS builder.
RR_INTERVAL_FIELDS = RR_FEATURE_NAMES[:4]
#: Shortest ``rr_average`` (seconds) used as a ratio denominator; below it the ratios are 1.0.
#: No human RR interval is shorter than 0.2 s (300 bpm), so this only catches 0 / missing values.
MIN_RR_S = 0.05
N_RR_FEATURES = len(RR_FEATURE_NAMES)


def derived_rr_fields(available, derived: tuple[str, ...] | None, source: str = "example") -> tuple[str, ...]:
    """The derived columns to append: ``derived`` if given (each must be in ``available``), else those present.

    Raises
    ------
    ConfigError
        A requested derived field is missing (the message names ``source`` and how it is computed).
    """
    if derived is None:
        return tuple(name for name in DERIVED_RR_FEATURE_NAMES if name in available)
    missing = [name for name in derived if name not in available]
    if missing:
        from ecgbench.errors import ConfigError

        raise ConfigError(
            f"{source} lacks the derived RR field(s) {', '.join(missing)}; they are computed from each record's beat "
            "sequence (ecgbench.runner.data.with_derived_rr), not stored in the dataset"
        )
    return tuple(derived)


def rr_features_numpy(example: Mapping[str, np.ndarray], derived: tuple[str, ...] | None = None) -> np.ndarray:
    """Build the ``rr`` matrix from NumPy arrays of the four interval fields (and derived fields).

    Parameters
    ----------
    example : mapping
        Holds ``rr_pre``, ``rr_post``, ``rr_local``, ``rr_average`` (seconds), each shape ``[N]``
        (or scalars), and optionally fields named in :data:`DERIVED_RR_FEATURE_NAMES`.
    derived : tuple of str, optional
        Derived columns to append (each must be in ``example``); default: those ``example`` holds.

    Returns
    -------
    numpy.ndarray
        Float32, shape ``[N, 7 + len(derived)]`` (``[7 + …]`` for scalars), columns in
        :data:`ALL_RR_FEATURE_NAMES` order.
    """
    pre, post, local, average = (np.asarray(example[name], dtype=np.float32) for name in RR_INTERVAL_FIELDS)
    valid = average >= MIN_RR_S
    safe = np.where(valid, average, np.float32(1.0))
    ratios = [np.where(valid, value / safe, np.float32(1.0)) for value in (pre, post, local)]
    extra = [np.asarray(example[name], dtype=np.float32) for name in derived_rr_fields(example, derived)]
    return np.stack([pre, post, local, average, *ratios, *extra], axis=-1).astype(np.float32)


def rr_features_tf(example: Mapping, derived: tuple[str, ...] | None = None):
    """TensorFlow twin of :func:`rr_features_numpy` for use inside ``tf.data`` maps.

    Parameters
    ----------
    example : mapping of tf.Tensor
        Holds the four interval fields (seconds), any matching shape ``S``, and optionally derived fields.
    derived : tuple of str, optional
        As in :func:`rr_features_numpy`.

    Returns
    -------
    tf.Tensor
        Float32, shape ``S + [7 + len(derived)]``.
    """
    import tensorflow as tf

    pre, post, local, average = (tf.cast(example[name], tf.float32) for name in RR_INTERVAL_FIELDS)
    valid = average >= MIN_RR_S
    safe = tf.where(valid, average, tf.ones_like(average))
    ratios = [tf.where(valid, value / safe, tf.ones_like(value)) for value in (pre, post, local)]
    extra = [tf.cast(example[name], tf.float32) for name in derived_rr_fields(example, derived)]
    return tf.stack([pre, post, local, average, *ratios, *extra], axis=-1)


def check_rr_fields(available: set[str] | list[str], source: str) -> None:
    """Raise ``ConfigError`` naming ``source`` when an interval field is missing."""
    from ecgbench.errors import ConfigError

    missing = [name for name in RR_INTERVAL_FIELDS if name not in available]
    if missing:
        raise ConfigError(
            f"{source} lacks the RR field(s) {', '.join(missing)}; the beat pipeline needs "
            f"{', '.join(RR_INTERVAL_FIELDS)} (seconds) as written by `ecgbench build-dataset --config beats`"
        )
