"""Export a trained Keras beat model to ONNX (tf2onnx), for ``ecgbench submit`` or other runtimes."""

from __future__ import annotations

import os
from pathlib import Path

#: ONNX opset written by :func:`export_onnx` (onnxruntime 1.17+ runs it).
ONNX_OPSET = 17


def export_onnx(model, path: str | os.PathLike, input_shapes: dict[str, tuple[int, ...]], opset: int = ONNX_OPSET) -> Path:
    """Convert a Keras model taking a dict of inputs into an ONNX file with the same input names.

    Parameters
    ----------
    model : keras.Model
        Takes ``{name: [batch, *shape]}`` float32 inputs, returns ``[batch, n_classes]``.
    path : path-like
        The ``.onnx`` file to write.
    input_shapes : dict
        Input name → per-example shape, e.g. ``{"signal": (288, 2), "rr": (7,)}``.
    opset : int
        ONNX opset version.
    """
    import tensorflow as tf
    import tf2onnx

    spec = tuple(tf.TensorSpec((None, *shape), tf.float32, name=name) for name, shape in input_shapes.items())
    names = list(input_shapes)

    @tf.function(input_signature=spec)
    def forward(*tensors):
        return model(dict(zip(names, tensors, strict=True)), training=False)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tf2onnx.convert.from_function(forward, input_signature=spec, opset=opset, output_path=str(path))
    return path
