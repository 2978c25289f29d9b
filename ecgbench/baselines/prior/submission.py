"""Prior baseline: predict the class frequencies of the training split for every beat.

The naive reference every benchmark should report (ptbxl-benchmarking's "naive" model): its
probabilities carry no information about the beat, so its arg-max is always the majority class
(N) and its accuracy equals the share of N beats in the test split.
"""

from __future__ import annotations

import numpy as np


class Submission:
    """Predicts the training class prior ``p_c = count_c / n`` (with 0 for absent classes)."""

    def __init__(self, input_spec) -> None:
        self.n_classes = input_spec.n_classes
        self.prior: np.ndarray | None = None

    def fit(self, train, val, recipe) -> None:
        """Count the training labels; ``val`` and ``recipe`` are not needed."""
        counts = np.bincount(np.asarray(train.label), minlength=self.n_classes).astype(np.float64)
        if counts.sum() == 0:
            raise ValueError("the training split holds no beats")
        self.prior = (counts / counts.sum()).astype(np.float32)

    def predict(self, arrays) -> np.ndarray:
        """Return the prior, repeated for each beat: ``[n, 5]``."""
        if self.prior is None:
            raise RuntimeError("predict called before fit")
        return np.tile(self.prior, (len(arrays), 1))
