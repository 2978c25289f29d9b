"""Trained model files as predictors: Keras ``.keras``, TensorFlow SavedModel, ONNX (onnxruntime).

:func:`load_model_file` opens the file, reads the names and per-example shapes of its inputs, and
returns a :class:`ModelFile` whose ``predict`` maps ``{"signal": …, "rr": …}`` arrays to its
single output. :func:`check_model_inputs` compares those inputs with what the manifest and the
task provide, so a model that expects other inputs fails before any prediction.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgbench.models.errors import SubmissionError

PREDICT_BATCH = 2048
KERAS_FILE, SAVEDMODEL, ONNX = "keras-file", "savedmodel", "onnx"


@dataclass(frozen=True)
class ModelFile:
    """A loaded model file.

    Attributes
    ----------
    kind : str
        ``"keras-file"``, ``"savedmodel"`` or ``"onnx"``.
    path : pathlib.Path
        The file (or SavedModel folder).
    input_shapes : dict
        Input name → per-example shape (``None`` for unknown dimensions).
    predict : callable
        ``predict(features: dict[str, ndarray]) -> ndarray`` over the whole array, in batches.
    """

    kind: str
    path: Path
    input_shapes: dict[str, tuple[int | None, ...]]
    predict: Callable[[dict[str, np.ndarray]], np.ndarray]

    @property
    def files(self) -> list[Path]:
        """The files that define the model (hashed into the run record)."""
        return sorted(p for p in self.path.rglob("*") if p.is_file()) if self.path.is_dir() else [self.path]


def model_kind(path: str | os.PathLike) -> str:
    """Return the kind of a model path from its form; an unsupported one raises ``SubmissionError``."""
    path = Path(path)
    if path.is_dir() and (path / "saved_model.pb").is_file():
        return SAVEDMODEL
    if path.suffix == ".keras":
        return KERAS_FILE
    if path.suffix == ".onnx":
        return ONNX
    raise SubmissionError(str(path), "unsupported model file; give a .keras file, a SavedModel folder (saved_model.pb) or an .onnx file")


def _batched(run: Callable[[dict[str, np.ndarray]], np.ndarray]) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    def predict(features: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(features.values())))
        parts = [run({k: v[i : i + PREDICT_BATCH] for k, v in features.items()}) for i in range(0, n, PREDICT_BATCH)]
        return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)

    return predict


def _load_keras(path: Path) -> ModelFile:
    import keras

    model = keras.saving.load_model(path, compile=False)
    shapes = {tensor.name.split(":")[0]: tuple(tensor.shape[1:]) for tensor in model.inputs}

    def run(features):
        ordered = {name: features[name] for name in shapes}
        return np.asarray(model.predict(ordered, batch_size=PREDICT_BATCH, verbose=0))

    return ModelFile(KERAS_FILE, path, shapes, _batched(run))


def _load_savedmodel(path: Path) -> ModelFile:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    if "serving_default" not in loaded.signatures:
        raise SubmissionError(str(path), "the SavedModel has no 'serving_default' signature; export it with one")
    signature = loaded.signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    shapes = {name: tuple(spec.shape[1:]) for name, spec in specs.items()}

    def run(features):
        outputs = signature(**{name: tf.constant(features[name], tf.float32) for name in shapes})
        if len(outputs) != 1:
            raise SubmissionError(str(path), f"the SavedModel returns {len(outputs)} outputs ({', '.join(outputs)}); it must return one")
        return next(iter(outputs.values())).numpy()

    return ModelFile(SAVEDMODEL, path, shapes, _batched(run))


def _load_onnx(path: Path) -> ModelFile:
    import onnxruntime

    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for unreadable graphs
        raise SubmissionError(str(path), f"onnxruntime cannot open the model: {exc}") from None
    shapes = {arg.name: tuple(d if isinstance(d, int) else None for d in arg.shape[1:]) for arg in session.get_inputs()}
    if len(session.get_outputs()) != 1:
        raise SubmissionError(str(path), f"the ONNX model has {len(session.get_outputs())} outputs; it must have one")

    def run(features):
        return session.run(None, {name: np.asarray(features[name], np.float32) for name in shapes})[0]

    return ModelFile(ONNX, path, shapes, _batched(run))


def load_model_file(path: str | os.PathLike) -> ModelFile:
    """Open a model file for inference (see the module docstring).

    Raises
    ------
    SubmissionError
        Unsupported form, or the file cannot be loaded (the message names it).
    """
    path = Path(path)
    kind = model_kind(path)
    loader = {KERAS_FILE: _load_keras, SAVEDMODEL: _load_savedmodel, ONNX: _load_onnx}[kind]
    try:
        return loader(path)
    except SubmissionError:
        raise
    except Exception as exc:  # Keras/TF raise many types for unreadable files; name the file instead
        raise SubmissionError(str(path), f"cannot load the {kind} model: {type(exc).__name__}: {exc}") from exc


def check_model_inputs(model: ModelFile, declared: dict[str, tuple[int, ...]], submission: str) -> None:
    """Check that the model takes exactly the declared inputs with the declared per-example shapes.

    Raises
    ------
    SubmissionError
        An input the manifest does not declare, a declared input the model lacks, or a shape
        mismatch (``None`` dimensions of the model match anything).
    """
    extra = sorted(set(model.input_shapes) - set(declared))
    if extra:
        raise SubmissionError(
            submission, f"the model takes input(s) {', '.join(extra)} that the manifest does not declare (declared: {', '.join(declared)})"
        )
    missing = sorted(set(declared) - set(model.input_shapes))
    if missing:
        raise SubmissionError(submission, f"the manifest declares input(s) {', '.join(missing)} but the model has none by that name "
                              f"(model inputs: {', '.join(model.input_shapes) or 'none'})")  # fmt: skip
    for name, shape in declared.items():
        actual = model.input_shapes[name]
        if len(actual) != len(shape) or any(a is not None and a != s for a, s in zip(actual, shape, strict=True)):
            raise SubmissionError(
                submission, f"model input {name!r} has per-example shape {list(actual)}, the task provides {list(shape)}"
            )
