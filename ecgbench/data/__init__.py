"""tf.data pipelines for the beat task: load TFDS splits, derive RR inputs, normalise, augment, batch.

Typical use (training data fits the normaliser; every random choice is seeded)::

    from ecgbench.data import AugmentConfig, fit_normalizer, load_split, make_beat_pipeline

    train = load_split("ds1_train")
    normalizer = fit_normalizer(train)
    train_ds = make_beat_pipeline(train, normalizer, batch_size=256, training=True, seed=0,
                                  augment=AugmentConfig(), balance="sqrt")
    val_ds = make_beat_pipeline(load_split("ds1_val"), normalizer, batch_size=1024, training=False, seed=0)

TensorFlow is imported lazily by the functions that need it.
"""

from ecgbench.data.augment import AugmentConfig, augment_batch
from ecgbench.data.loading import CONFIGS, dataset_dir, load_split, to_numpy
from ecgbench.data.noise import NSTDB_NOISE_KINDS, NoiseBank, load_noise_bank
from ecgbench.data.normalization import PER_BEAT_METHODS, Normalizer, fit_normalizer
from ecgbench.data.pipeline import BALANCE_METHODS, balance_weights, make_beat_pipeline
from ecgbench.data.rr import RR_FEATURE_NAMES, rr_features_numpy, rr_features_tf

__all__ = [
    "BALANCE_METHODS", "CONFIGS", "NSTDB_NOISE_KINDS", "PER_BEAT_METHODS", "RR_FEATURE_NAMES", "AugmentConfig",
    "NoiseBank", "Normalizer", "augment_batch", "balance_weights", "dataset_dir", "fit_normalizer",
    "load_noise_bank", "load_split", "make_beat_pipeline", "rr_features_numpy", "rr_features_tf", "to_numpy",
]  # fmt: skip
