"""Refit on ``train ∪ val`` after model selection (the rhythm track's ``refit_on_train_val`` option).

Model selection (grid member, best epoch) is made on ``val`` only, as usual. With
``recipe.options["refit_on_train_val"] = true`` the runner then trains the *chosen*
configuration again on the union of the training and validation windows before predicting the
test split — the protocol of most of the rhythm literature, and worthwhile here because the
validation records hold most of MIT-BIH's atrial fibrillation. Nothing is selected on the union:

- ``Submission`` classes must define ``refit(train_val, recipe)``, which refits the
  configuration their ``fit`` chose (a submission without it is an error, not a silent fallback);
- Keras submissions are rebuilt from ``build_model`` and trained for the best epoch count found
  on ``val`` (no early stopping, no validation data).

The test split never enters: :func:`train_val_arrays` refuses a union sharing a subject with it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ecgbench.errors import ConfigError
from ecgbench.models import BeatArrays, InputSpec, LoadedSubmission, Recipe, SubmissionError
from ecgbench.records import subject_of
from ecgbench.runner.data import TrackData

#: Recipe option switching the refit on.
REFIT_OPTION = "refit_on_train_val"


def refit_requested(recipe: Recipe) -> bool:
    """Return whether the recipe asks for a refit on ``train ∪ val`` (``options.refit_on_train_val``)."""
    value = recipe.options.get(REFIT_OPTION, False)
    if not isinstance(value, bool):
        raise ConfigError(f"recipe option {REFIT_OPTION} must be true or false (got {value!r})")
    return value


def train_val_arrays(data: TrackData, *, check_subjects: bool = True) -> BeatArrays:
    """Concatenate the training and validation examples; raise ``ConfigError`` if a test subject is among them.

    ``check_subjects=False`` is for the beat tracks, whose splits are defined by records: de Chazal's
    DS1/DS2 put records 201 and 202 (one subject) on both sides, and the intra-patient track shares
    every subject by design.
    """
    union = BeatArrays.concatenate([data.train, data.val])
    if not check_subjects:
        return union
    test = {subject_of(r) for r in np.unique(data.test.record).tolist()}
    shared = sorted(test & {subject_of(r) for r in np.unique(union.record).tolist()})
    if shared:
        raise ConfigError(
            f"refit set (train ∪ val) shares subject(s) {', '.join(shared)} with the test split; rebuild the rhythm "
            "dataset with the fixed record lists of ecgbench.records.splits"
        )
    return union


def refit_summary(union: BeatArrays, seconds: float, **extra: Any) -> dict[str, Any]:
    """The run record's ``training.refit`` block: what the final model was trained on."""
    return {
        "on": "train+val",
        "windows": len(union),
        "records": sorted(np.unique(union.record).tolist()),
        "seconds": round(seconds, 2),
        **extra,
    }


def refit_estimator(model: Any, union: BeatArrays, recipe: Recipe, name: str) -> dict[str, Any]:
    """Call ``model.refit(union, recipe)``; a missing method or an exception is a ``SubmissionError``."""
    if not callable(getattr(model, "refit", None)):
        raise SubmissionError(
            name, f"recipe option {REFIT_OPTION} is true but Submission has no refit(train_val, recipe) method; "
            "add one (refit the configuration fit() chose) or drop the option"
        )  # fmt: skip
    start = time.perf_counter()
    try:
        model.refit(union, recipe)
    except Exception as exc:
        raise SubmissionError(name, f"refit raised {type(exc).__name__}: {exc}") from exc
    return refit_summary(union, time.perf_counter() - start)


def refit_keras(submission: LoadedSubmission, spec: InputSpec, recipe: Recipe, union: BeatArrays, epochs: int, pipeline):
    """Train a fresh Keras model on ``union`` for ``epochs`` epochs; return ``(model, refit summary)``.

    Parameters
    ----------
    pipeline : callable
        ``pipeline(arrays, recipe) -> tf.data.Dataset`` of training batches (the runner's own).
    """
    from ecgbench.runner.keras_trainer import _optimizer, build_keras_model
    from ecgbench.runner.selection import class_weights

    start = time.perf_counter()
    model = build_keras_model(submission, spec, recipe)
    model.compile(optimizer=_optimizer(recipe), loss="sparse_categorical_crossentropy")
    weights = class_weights(union.label, recipe.balance, spec.n_classes)
    try:
        model.fit(pipeline(union, recipe), epochs=int(epochs), class_weight=weights, shuffle=False, verbose=0)
    except Exception as exc:
        raise SubmissionError(submission.name, f"refit training raised {type(exc).__name__}: {exc}") from exc
    return model, refit_summary(union, time.perf_counter() - start, epochs=int(epochs))
