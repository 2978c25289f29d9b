"""The beat-classification input pipeline: features → (shuffle | balanced sampling) → batch → augment → normalise.

:func:`make_beat_pipeline` yields ``({"signal": [B, samples, leads], "rr": [B, n_rr]}, label [B])``, ``n_rr`` the normaliser's ``rr_columns``.

With ``cache=True`` (default) the split is read once into memory and every batch is one vectorised
``tf.gather`` of indices; each epoch's index order is drawn by stateless ops from a per-epoch seed
that ``tf.data.Dataset.random(seed, rerandomize_each_iteration=True)`` yields, so epoch *k* is the
same on every run with the same seed, and differs between epochs. Per-batch augmentation seeds are
``fold_in(epoch_seed, step)``. With ``cache=False`` examples stream from the source through a
seeded ``shuffle`` buffer (``reshuffle_each_iteration=True``), for splits too large for memory.

Balanced sampling (``balance``, training only, in-memory) draws each epoch's ``N`` examples with
replacement: a class with probability ∝ ``sqrt(n_c)`` (``"sqrt"``, i.e. per-example weight
∝ 1/sqrt(class frequency)) or equal for every class present (``"uniform"``), then a uniform
example of that class.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from ecgbench.data.augment import AugmentConfig, augment_batch
from ecgbench.data.loading import to_numpy
from ecgbench.data.noise import NoiseBank, load_noise_bank
from ecgbench.data.normalization import Normalizer
from ecgbench.data.rr import RR_INTERVAL_FIELDS, check_rr_fields, rr_features_numpy, rr_features_tf
from ecgbench.errors import ConfigError, unknown_choice
from ecgbench.records import AAMI_CLASSES

#: Valid values of ``balance`` (``None`` = natural class mix).
BALANCE_METHODS = ("sqrt", "uniform")
N_CLASSES = len(AAMI_CLASSES)
_DEFAULT_SHUFFLE_BUFFER = 16384  # beats held by the streaming (cache=False) shuffle


def balance_weights(counts, method: str) -> np.ndarray:
    """Class sampling probabilities for balanced sampling.

    Parameters
    ----------
    counts : array-like of int
        Examples per class.
    method : {"sqrt", "uniform"}
        ``"sqrt"``: probability ∝ sqrt(count) (inverse-sqrt-frequency example weights);
        ``"uniform"``: equal for every class with at least one example.

    Returns
    -------
    numpy.ndarray
        Float64 probabilities summing to 1; 0 for absent classes.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if method == "sqrt":
        weights = np.sqrt(counts)
    elif method == "uniform":
        weights = (counts > 0).astype(np.float64)
    else:
        raise unknown_choice("balance method", method, BALANCE_METHODS)
    if weights.sum() <= 0:
        raise ConfigError("cannot balance a dataset with no labelled examples")
    return weights / weights.sum()


def make_beat_pipeline(
    ds,
    normalizer: Normalizer,
    *,
    batch_size: int,
    training: bool,
    seed: int,
    augment: AugmentConfig | None = None,
    balance: str | None = None,
    cache: bool = True,
    noise: NoiseBank | str | os.PathLike | None = None,
    shuffle_buffer: int = _DEFAULT_SHUFFLE_BUFFER,
):
    """Build the batched model-input pipeline for the beat task.

    Parameters
    ----------
    ds : tf.data.Dataset or mapping of numpy.ndarray
        Un-batched beat examples (``signal`` [samples, leads] mV, ``label`` int 0-4, and the RR fields
        in seconds), e.g. :func:`~ecgbench.data.load_split` output or :func:`~ecgbench.data.to_numpy`
        arrays.
    normalizer : Normalizer
        Fitted on the training split (:func:`~ecgbench.data.fit_normalizer`).
    batch_size : int
        Beats per batch (the last batch of an epoch may be smaller).
    training : bool
        True: shuffled or balanced order, augmentation. False: file order, no augmentation and no
        balancing (``augment`` and ``balance`` are ignored).
    seed : int
        Seed of every random choice (order, sampling, augmentation). The per-epoch seeds come from
        ``tf.data.Dataset.random(seed)``, which TensorFlow keys by its global seed as well
        (``tf.random.set_seed``; the runner sets it to the recipe seed through
        ``keras.utils.set_random_seed``): set both for the same batches outside the runner.
    augment : AugmentConfig, optional
        Augmentations (training only); None = none.
    balance : {"sqrt", "uniform"}, optional
        Class-balanced sampling (training only; needs ``cache=True``).
    cache : bool
        Hold the split in memory (fast path). False streams it from ``ds`` every epoch.
    noise : NoiseBank or path-like, optional
        NSTDB noise for real-noise augmentation, or the raw data root to load it from; default
        loaded from :func:`ecgbench.paths.resolve_data_dir` when ``augment.real_noise_p > 0``.
    shuffle_buffer : int
        Shuffle buffer (beats) of the streaming path.

    Returns
    -------
    tf.data.Dataset
        ``({"signal": float32 [B, samples, leads], "rr": float32 [B, n_rr]}, int64 label [B])``,
        deterministic (``options.deterministic = True``).
    """
    import tensorflow as tf

    if not isinstance(batch_size, int | np.integer) or batch_size <= 0:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size!r}")
    if balance is not None and balance not in BALANCE_METHODS:
        raise unknown_choice("balance method", balance, BALANCE_METHODS)
    augment = augment if (training and augment is not None and augment.active) else None
    if augment is not None and augment.real_noise_p > 0 and not isinstance(noise, NoiseBank):
        noise = load_noise_bank(noise, kinds=augment.real_noise_kinds)
    seed = int(seed)

    def finish(signal, rr, label, batch_seed):
        if augment is None:
            signal = normalizer.normalize_signal(signal)
        else:
            signal = augment_batch(signal, batch_seed, augment, noise, normalize=normalizer.normalize_signal)
        return {"signal": signal, "rr": rr}, label

    if cache:
        pipeline = _in_memory(ds, normalizer, batch_size, training, seed, balance if training else None, finish)
    else:
        if training and balance is not None:
            raise ConfigError("balanced sampling needs cache=True (the split held in memory)")
        pipeline = _streaming(ds, normalizer, batch_size, training, seed, shuffle_buffer, finish)
    return pipeline.prefetch(tf.data.AUTOTUNE).with_options(pipeline_options())


def pipeline_options():
    """``tf.data.Options`` of every beat pipeline: deterministic order, tf.data's autotuner off.

    With the autotuner off, ``AUTOTUNE`` takes tf.data's fixed defaults (map parallelism = min(16,
    schedulable cores)) instead of values re-planned while the pipeline runs. On 2 cores the
    autotuner's re-planning made the augmented pipeline's rate bimodal (repeats at 33k and at 56k
    beats/s in one run); the fixed defaults are steadier and faster in the median. The batches are
    the same bit for bit either way; ``benchmarks/pipeline.py`` measures both in one run.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.deterministic = True
    options.autotune.enabled = False
    return options


def _in_memory(ds, normalizer, batch_size, training, seed, balance, finish):
    import tensorflow as tf

    arrays = _model_arrays(ds, normalizer)
    n = int(arrays["label"].shape[0])
    signal = tf.constant(arrays["signal"])
    rr = tf.constant(arrays["rr"])
    label = tf.constant(arrays["label"])
    n_steps = -(-n // batch_size)

    def gather(indices, batch_seed):
        return finish(tf.gather(signal, indices), tf.gather(rr, indices), tf.gather(label, indices), batch_seed)

    if not training:
        steps = tf.data.Dataset.range(n_steps).map(
            lambda step: (tf.range(step * batch_size, tf.minimum((step + 1) * batch_size, n)), tf.zeros([2], tf.int64))
        )
        return steps.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    epoch_order = _balanced_order(arrays["label"], balance, n) if balance else _shuffled_order(n)

    def epoch_steps(random_value):
        epoch_seed = tf.stack([tf.constant(seed, tf.int64), random_value])
        order = epoch_order(epoch_seed)
        return tf.data.Dataset.range(n_steps).map(
            lambda step: (
                order[step * batch_size : (step + 1) * batch_size],
                tf.cast(tf.random.experimental.stateless_fold_in(epoch_seed, step), tf.int64),
            )
        )

    epochs = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    steps = epochs.flat_map(epoch_steps).apply(tf.data.experimental.assert_cardinality(n_steps))
    return steps.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def _shuffled_order(n: int):
    import tensorflow as tf

    def order(epoch_seed):
        return tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), epoch_seed)

    return order


def _balanced_order(labels: np.ndarray, method: str, n: int):
    """Return ``epoch_seed -> [n] indices`` drawn with replacement at the balanced class mix."""
    import tensorflow as tf

    counts = np.bincount(labels, minlength=N_CLASSES)
    weights = balance_weights(counts, method)
    by_class = tf.constant(np.argsort(labels, kind="stable").astype(np.int64))
    class_start = tf.constant(np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64))
    class_count = tf.constant(counts.astype(np.float32))
    logits = tf.constant(np.log(np.where(weights > 0, weights, 1e-300))[None, :], tf.float32)

    def order(epoch_seed):
        class_seed, member_seed = tf.unstack(tf.random.experimental.stateless_split(epoch_seed, num=2))
        classes = tf.random.stateless_categorical(logits, n, class_seed)[0]
        uniform = tf.random.stateless_uniform([n], member_seed)
        member = tf.cast(tf.floor(uniform * tf.gather(class_count, classes)), tf.int64)
        member = tf.minimum(member, tf.cast(tf.gather(class_count, classes), tf.int64) - 1)
        return tf.gather(by_class, tf.gather(class_start, classes) + member)

    return order


def _streaming(ds, normalizer, batch_size, training, seed, shuffle_buffer, finish):
    import tensorflow as tf

    _check_spec(ds.element_spec, "dataset")

    def select(example):
        rr = normalizer.normalize_rr(rr_features_tf(example, derived=normalizer.derived_rr))
        return tf.cast(example["signal"], tf.float32), rr, tf.cast(example["label"], tf.int64)

    features = ds.map(select, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if training:
        features = features.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    batched = features.batch(batch_size)
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    zipped = tf.data.Dataset.zip(batched, randoms)
    return zipped.map(
        lambda batch, value: finish(*batch, tf.stack([tf.constant(seed, tf.int64), value])),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )


def _model_arrays(ds, normalizer: Normalizer) -> dict[str, np.ndarray]:
    """Read signal (raw mV), normalised rr and labels into memory."""
    if isinstance(ds, Mapping):
        _check_spec(ds, "arrays")
        source = ds
    else:
        _check_spec(ds.element_spec, "dataset")
        fields = ("signal", "label", *RR_INTERVAL_FIELDS, *normalizer.derived_rr)
        source = to_numpy(ds.map(lambda example: {name: example[name] for name in fields}))
    label = np.asarray(source["label"], dtype=np.int64)
    if label.size == 0:
        raise ConfigError("cannot build a pipeline from an empty dataset; check the split name")
    if label.min() < 0 or label.max() >= N_CLASSES:
        raise ConfigError(
            f"labels must be AAMI class indices 0-{N_CLASSES - 1} ({', '.join(AAMI_CLASSES)}); "
            f"found {label.min()}..{label.max()}"
        )
    return {
        "signal": np.asarray(source["signal"], dtype=np.float32),
        "rr": normalizer.normalize_rr_numpy(rr_features_numpy(source, derived=normalizer.derived_rr)),
        "label": label,
    }


def _check_spec(fields, source: str) -> None:
    check_rr_fields(set(fields), source)
    for name in ("signal", "label"):
        if name not in fields:
            raise ConfigError(f"{source} lacks the {name!r} feature the beat pipeline needs")
