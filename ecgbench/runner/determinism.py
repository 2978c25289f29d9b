"""Seed every random generator a run touches and make TensorFlow's kernels deterministic."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and (when installed) TensorFlow/Keras, and enable deterministic ops.

    ``tf.config.experimental.enable_op_determinism`` makes TensorFlow pick deterministic kernels
    (and raise on ops that have none), so two runs with one seed on one machine give identical
    weights. It slows some GPU kernels; on CPU the cost is small. When TensorFlow is not imported
    yet (a script calling the runner directly), the portable numerics setting is applied first
    (:func:`ecgbench.runner.tf_environment.apply_portable_numerics`), as the command line does.
    """
    from ecgbench.runner.tf_environment import apply_portable_numerics

    apply_portable_numerics()
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # legacy global state, for third-party code that still uses it
    try:
        import tensorflow as tf
    except ImportError:  # scikit-learn-only installs
        return
    tf.keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
