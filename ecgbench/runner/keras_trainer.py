"""The training loop for Keras submissions: compile from the recipe, fit epoch by epoch, keep the best.

The submission's ``build_model(input_spec, recipe)`` returns an uncompiled (or compiled, the
compilation is replaced) ``keras.Model`` taking ``{"signal", "rr"}`` and ending in a softmax.
Each epoch trains on the training split and scores the validation split with the recipe's
``monitor`` (:func:`ecgbench.runner.selection.validation_score`); the weights of the best epoch are
restored at the end, and training stops once more than ``patience`` consecutive epochs have
not improved the score.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecgbench.models import BeatArrays, InputSpec, LoadedSubmission, Recipe, SubmissionError, check_probabilities
from ecgbench.runner.selection import SELECTION_CLASSES, class_weights, validation_score

PREDICT_BATCH = 2048
#: Called after each epoch with (epoch index, max epochs, the epoch's log entry).
EpochCallback = Callable[[int, int, dict[str, float]], None]


@dataclass
class TrainingReport:
    """What happened during training, stored in the run record's ``training`` block."""

    epochs_run: int = 0
    best_epoch: int | None = None
    best_score: float | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    members: list[dict[str, Any]] | None = None
    #: Validation probabilities of the kept (best) epoch; not part of the run record.
    best_probabilities: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``members`` only for a seed ensemble, :mod:`ecgbench.runner.ensemble`)."""
        out = {
            "epochs_run": self.epochs_run,
            "best_epoch": self.best_epoch,
            "best_score": self.best_score,
            "history": self.history,
            "seconds": round(self.seconds, 2),
        }
        if self.members is not None:
            out["members"] = self.members
        return out


def _optimizer(recipe: Recipe):
    import keras

    name = recipe.optimizer
    if name == "adam":
        return keras.optimizers.Adam(recipe.learning_rate)
    if name == "adamw":
        return keras.optimizers.AdamW(recipe.learning_rate, weight_decay=recipe.weight_decay)
    if name == "sgd":
        return keras.optimizers.SGD(recipe.learning_rate, momentum=0.9, nesterov=True)
    return keras.optimizers.RMSprop(recipe.learning_rate)


def build_keras_model(submission: LoadedSubmission, input_spec: InputSpec, recipe: Recipe):
    """Call ``build_model`` and check the result; any failure becomes ``SubmissionError``."""
    import keras

    try:
        model = submission.module.build_model(input_spec, recipe)
    except Exception as exc:
        raise SubmissionError(submission.name, f"build_model raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(model, keras.Model):
        raise SubmissionError(submission.name, f"build_model returned {type(model).__name__}, expected a keras.Model")
    output_shape = tuple(model.output_shape) if not isinstance(model.output_shape, list) else None
    if output_shape is None or output_shape[-1] != input_spec.n_classes:
        raise SubmissionError(
            submission.name,
            f"the model's output shape is {model.output_shape}; it must be (batch, {input_spec.n_classes}) softmax probabilities",
        )
    return model


def predict_keras(model, features: dict[str, np.ndarray], submission: str, n_classes: int) -> np.ndarray:
    """Predict probabilities for already-normalised features; bad output raises ``SubmissionError``."""
    try:
        output = model.predict(features, batch_size=PREDICT_BATCH, verbose=0)
    except Exception as exc:
        raise SubmissionError(submission, f"predicting raised {type(exc).__name__}: {exc}") from exc
    return check_probabilities(output, len(features["signal"]), n_classes, submission)


def train_keras(
    submission: LoadedSubmission,
    input_spec: InputSpec,
    recipe: Recipe,
    train_dataset,
    val_features: dict[str, np.ndarray],
    val_label: np.ndarray,
    train_label: np.ndarray,
    on_epoch: EpochCallback | None = None,
    selection_classes: tuple[int, ...] = SELECTION_CLASSES,
):
    """Train a Keras submission and return ``(model, TrainingReport)``.

    Parameters
    ----------
    submission : LoadedSubmission
        A ``keras`` kind submission.
    input_spec : InputSpec
        Passed to ``build_model``.
    recipe : Recipe
        Epochs, optimiser, learning rate, balance, patience, monitor.
    train_dataset : tf.data.Dataset
        Batched ``({"signal", "rr"}, label)`` training batches (normalised, shuffled, augmented).
    val_features : dict
        Normalised validation inputs ``{"signal", "rr"}``.
    val_label : numpy.ndarray
        Validation labels, for the selection score.
    train_label : numpy.ndarray
        Training labels, for class weights.
    on_epoch : callable, optional
        Progress hook ``(epoch, epochs, log)``.
    selection_classes : tuple of int
        Classes averaged by the ``macro_f1`` monitor (default the beat track's N, S, V).
    """
    start = time.perf_counter()
    model = build_keras_model(submission, input_spec, recipe)
    model.compile(optimizer=_optimizer(recipe), loss="sparse_categorical_crossentropy")
    weights = class_weights(train_label, recipe.balance, input_spec.n_classes)
    report = TrainingReport()
    best_weights, stale = None, 0
    for epoch in range(recipe.epochs):
        epoch_start = time.perf_counter()
        try:
            fit = model.fit(train_dataset, epochs=1, class_weight=weights, shuffle=False, verbose=0)
        except Exception as exc:
            raise SubmissionError(submission.name, f"training raised {type(exc).__name__}: {exc}") from exc
        loss = float(fit.history["loss"][-1])
        if not np.isfinite(loss):
            raise SubmissionError(submission.name, f"training loss became {loss} in epoch {epoch + 1}; lower the learning rate")
        probabilities = predict_keras(model, val_features, submission.name, input_spec.n_classes)
        score = validation_score(recipe.monitor, val_label, probabilities, selection_classes)
        log = {"epoch": epoch + 1, "loss": loss, f"val_{recipe.monitor}": score, "seconds": time.perf_counter() - epoch_start}
        report.history.append({k: round(v, 6) if isinstance(v, float) else v for k, v in log.items()})
        report.epochs_run = epoch + 1
        if report.best_score is None or score > report.best_score:
            report.best_score, report.best_epoch, best_weights, stale = score, epoch + 1, model.get_weights(), 0
            report.best_probabilities = probabilities
        else:
            stale += 1
        if on_epoch is not None:
            on_epoch(epoch, recipe.epochs, log)
        if stale > recipe.patience:
            break
    if best_weights is not None:
        model.set_weights(best_weights)
    report.seconds = time.perf_counter() - start
    return model, report
