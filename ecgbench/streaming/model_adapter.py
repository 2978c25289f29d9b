"""Adapter point for trained beat-track models in the streaming pipeline.

A trained model plugs in as a :class:`ModelClassifier`: it gets the raw beat windows (mV,
``[B, 288, 2]`` at 360 Hz: 0.3 s before and 0.5 s after R) and the streaming RR intervals, builds
the beat-track inputs ``{"signal", "rr": [B, 7]}`` with the run's :class:`ecgbench.data.Normalizer`
(the same transform the runner applies), and calls ``predict``. The stream's ``rr_average`` is the
running mean RR since the stream started (the offline data uses the whole record's mean, which a
causal stream cannot know).

Loading from disk needs a folder with a saved Keras model (``model.keras``) and the run's
normaliser (``normalizer.json``, :meth:`Normalizer.to_dict` output). The beat-track runner does not
save these yet, so :func:`load_model_classifier` says what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ecgbench.errors import ConfigError

MODEL_FILE = "model.keras"
NORMALIZER_FILE = "normalizer.json"


class ModelClassifier:
    """Wrap a trained beat model (``predict({"signal", "rr"}) -> [B, 5]``) as a streaming classifier.

    Parameters
    ----------
    predict : callable
        Maps the normalised inputs to probabilities ``[B, 5]``.
    normalizer : ecgbench.data.Normalizer
        The run's fitted normaliser.
    sampling_rate, window_before, window_after : float
        The model's input spec (Hz, s, s).
    """

    needs_post_rr = True  # the beat-track RR vector holds rr_post
    filtered = False  # the beat-track windows are raw mV; the normaliser centres them

    def __init__(self, predict: Callable[[dict[str, np.ndarray]], np.ndarray], normalizer, sampling_rate: float = 360.0,
                 window_before: float = 0.3, window_after: float = 0.5) -> None:  # fmt: skip
        self._predict = predict
        self.normalizer = normalizer
        self.sampling_rate = float(sampling_rate)
        self.window_before = float(window_before)
        self.window_after = float(window_after)

    def classify(self, windows: np.ndarray, rr: dict[str, np.ndarray]) -> np.ndarray:
        """Return ``[B, 5]`` probabilities for raw windows ``[B, n, leads]`` (mV) and RR intervals (s)."""
        local = np.where(np.isfinite(rr["local"]), rr["local"], 1.0)
        fields = {
            "signal": np.asarray(windows, np.float32),
            "rr_pre": np.where(np.isfinite(rr["pre"]), rr["pre"], local),
            "rr_post": np.where(np.isfinite(rr["post"]), rr["post"], local),  # the last beat of a stream
            "rr_local": local,
            "rr_average": np.where(np.isfinite(rr["average"]), rr["average"], local),
        }
        inputs = self.normalizer.transform_arrays(fields)
        return np.asarray(self._predict(inputs), dtype=np.float32)


def load_model_classifier(spec: str, valid_builtins: tuple[str, ...] = ()) -> ModelClassifier:
    """Load a trained model folder (``model.keras`` + ``normalizer.json``) as a :class:`ModelClassifier`.

    Raises
    ------
    ConfigError
        ``spec`` is not such a folder (the message lists the built-in classifiers).
    """
    folder = Path(spec).expanduser()
    model_path, norm_path = folder / MODEL_FILE, folder / NORMALIZER_FILE
    if not (model_path.is_file() and norm_path.is_file()):
        raise ConfigError(
            f"--model {spec!r}: not a built-in classifier ({', '.join(valid_builtins)}) and not a trained-model "
            f"folder with {MODEL_FILE} and {NORMALIZER_FILE}; the beat-track runner does not save trained models yet, "
            "so stream with --model rules or --model prior"
        )
    import keras

    from ecgbench.data import Normalizer

    model = keras.saving.load_model(model_path)
    normalizer = Normalizer.from_dict(json.loads(norm_path.read_text()))
    signal_shape = model.inputs[0].shape if hasattr(model, "inputs") else None
    if signal_shape is not None and len(signal_shape) == 3 and signal_shape[1] not in (None, 288):
        raise ConfigError(f"{model_path}: model expects {signal_shape[1]} samples per window, the stream gives 288")
    return ModelClassifier(lambda inputs: model.predict(inputs, verbose=0), normalizer)
