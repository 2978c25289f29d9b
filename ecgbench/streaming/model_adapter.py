"""Trained beat-track models in the streaming pipeline: find a run's saved model and wrap it.

A trained model plugs in as a :class:`ModelClassifier`: it gets the raw beat windows (mV,
``[B, 288, 2]`` at 360 Hz: 0.3 s before and 0.5 s after R) and the streaming RR intervals, builds
the beat-track inputs ``{"signal", "rr"}`` with the run's :class:`ecgbench.data.Normalizer`
(the same transform the runner applies, including its choice of ``rr`` columns), and calls the
model. A model whose ``rr`` columns leave out ``rr_post`` and ``rr_post_ratio`` (recipe option
``rr_features``) is causal: the stream labels each beat once, as soon as its window is complete,
instead of a provisional label followed by the final one when the next beat arrives. The stream's
``rr_average`` is the running mean RR since the stream started, as the offline data's is since the
record started (:func:`ecgbench.records.beats.rr_features`). A model with the derived ``rr`` column
``rr_irregularity`` (:mod:`ecgbench.data.rr_irregularity`) gets it from the ``rr_pre`` of the
beats this classifier labelled before, so it too must be causal.

Where the model comes from (``--model``, :func:`resolve_model_folder`):

* an artefact folder written by the beat runner (``model.keras`` + ``normalizer.json``,
  :mod:`ecgbench.runner.artifacts`);
* a run record (``.json``) whose ``artifacts`` block names such a folder;
* a submission name (``cnn1d``): its inter-patient run at its recipe's seed (seed 0 for a name
  that is not a baseline) that saved a model, resolved through the run records by
  :func:`ecgbench.leaderboard.pretrained.find_run` (the run the leaderboard counts for that seed);
  runs at other seeds are reached through their run record or :func:`ecgbench.load_model`.

Files named by a run record are checked against the SHA-256 it recorded before they are loaded
(:func:`ecgbench.leaderboard.pretrained.run_of_record`).
"""

from __future__ import annotations

import functools
import json
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgbench.data.context import TEMPLATE_BEATS, template_of
from ecgbench.errors import ConfigError, CorruptDataError, DataNotFoundError
from ecgbench.leaderboard.pretrained import default_results_dir, find_run, run_of_record
from ecgbench.tasks import get_task

MODEL_FILE = "model.keras"
NORMALIZER_FILE = "normalizer.json"
#: Results-tree task whose runs a baseline name resolves to (the streaming task's ``model_task``).
MODEL_TASK = get_task("streaming").params["model_task"]
#: Beat window the stream hands over: 0.3 s + 0.5 s at 360 Hz.
STREAM_WINDOW_SAMPLES = 288


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

    Attributes
    ----------
    af_gate : bool
        Whether the run's recipe declares the AF gate (its ``af_gate`` wrapper,
        :mod:`ecgbench.runner.af_gate_wrapper`): the stream pipeline then moves p(S) to p(N) for beats
        it labels while its rhythm monitor is in AF, as the runner did to the run's test predictions.
    needs_post_rr : bool
        Whether the model's ``rr`` columns need the next beat (``normalizer.uses_post_rr``).
    """

    filtered = False  # the beat-track windows are raw mV; the normaliser centres them
    takes_provisional = True  # classify(..., provisional=k): see BeatClassifier; keeps the beat context right

    def __init__(self, predict: Callable[[dict[str, np.ndarray]], np.ndarray], normalizer, sampling_rate: float = 360.0,
                 window_before: float = 0.3, window_after: float = 0.5, af_gate: bool = False) -> None:  # fmt: skip
        self._predict = predict
        self.af_gate = bool(af_gate)
        self.normalizer = normalizer
        self.needs_post_rr = bool(normalizer.uses_post_rr)
        self.sampling_rate = float(sampling_rate)
        self.window_before = float(window_before)
        self.window_after = float(window_after)
        self.context = getattr(normalizer, "context", None)
        self._recent: deque[np.ndarray] = deque(maxlen=TEMPLATE_BEATS)  # the last beat windows classified (beat context)
        self.derived_rr = tuple(getattr(normalizer, "derived_rr", ()))
        if self.derived_rr and self.needs_post_rr:
            raise ConfigError(
                f"a model with derived RR column(s) {', '.join(self.derived_rr)} must be causal (no rr_post / rr_post_ratio): "
                "the stream computes them from the beats it has labelled, once each, in order"
            )
        self._rr_history = np.zeros(0, np.float64)  # rr_pre (s) of the last beats labelled, for rr_irregularity

    def for_new_stream(self) -> ModelClassifier:
        """A classifier around the same model and normaliser with no stream state (the next record's)."""
        return ModelClassifier(self._predict, self.normalizer, self.sampling_rate, self.window_before, self.window_after, self.af_gate)

    def classify(self, windows: np.ndarray, rr: dict[str, np.ndarray], provisional: int = 0) -> np.ndarray:
        """Return ``[B, 5]`` probabilities for raw windows ``[B, n, leads]`` (mV) and RR intervals (s).

        With a beat context the windows must be the stream's beats in order, each finally labelled
        once: each window gets the one before it (``"previous_beat"``), and also the median of the
        last :data:`~ecgbench.data.context.TEMPLATE_BEATS` before it (``"previous_beat_and_template"``);
        the first window of a stream is its own context, as the first beat of a record offline
        (:mod:`ecgbench.data.context`). The last ``provisional`` windows are provisional labels of
        beats still waiting for the next one (a look-ahead model's first call): they get their
        context but do not enter the stream's history, so their final call sees the same context.
        One classifier serves one stream.
        """
        windows = np.asarray(windows, np.float32)
        if not 0 <= provisional <= len(windows):
            raise ConfigError(f"provisional={provisional} must be between 0 and the {len(windows)} windows of the call")
        if self.context is not None and len(windows):
            windows = np.concatenate([windows, self._context_of(windows, len(windows) - provisional)], axis=-1)
        local = np.where(np.isfinite(rr["local"]), rr["local"], 1.0)
        fields = {
            "signal": windows,
            "rr_pre": np.where(np.isfinite(rr["pre"]), rr["pre"], local),
            "rr_post": np.where(np.isfinite(rr["post"]), rr["post"], local),  # the last beat of a stream
            "rr_local": local,
            "rr_average": np.where(np.isfinite(rr["average"]), rr["average"], local),
        }
        if "rr_irregularity" in self.derived_rr:
            fields["rr_irregularity"] = self._irregularity(np.asarray(fields["rr_pre"], np.float64))
        inputs = self.normalizer.transform_arrays(fields)
        return np.asarray(self._predict(inputs), dtype=np.float32)

    def _context_of(self, windows: np.ndarray, n_final: int) -> np.ndarray:
        """The context channels of one call's windows (in stream order), from the stream's earlier windows.

        Only the first ``n_final`` windows (final labels) join the history; the rest are provisional.
        """
        previous, templates = [], []
        for i, window in enumerate(windows):
            previous.append(self._recent[-1] if self._recent else window)
            if self.context == "previous_beat_and_template":
                templates.append(template_of(np.stack(self._recent, axis=-1)) if self._recent else window)
            if i < n_final:
                self._recent.append(window.copy())
        return np.concatenate([np.stack(previous), *([np.stack(templates)] if templates else [])], axis=-1)

    def _irregularity(self, rr_pre: np.ndarray) -> np.ndarray:
        """``rr_irregularity`` of the beats of one call (in order) from the stream's earlier ``rr_pre`` values (s).

        The same function as offline (:func:`ecgbench.data.rr_irregularity.preceding_rr_irregularity`)
        on the last intervals seen plus this call's, so a stream and a record agree beat for beat
        when they see the same intervals.
        """
        from ecgbench.data.rr_irregularity import DEFAULT_INTERVALS, preceding_rr_irregularity

        sequence = np.concatenate([self._rr_history, rr_pre])
        values = preceding_rr_irregularity(np.zeros(sequence.size, np.int64), np.arange(sequence.size), sequence)
        self._rr_history = sequence[-DEFAULT_INTERVALS:]
        return values[sequence.size - rr_pre.size :]


@dataclass(frozen=True)
class ModelSource:
    """A resolved ``--model``: the artefact folder, the run record it came from, recorded hashes."""

    folder: Path
    record_path: Path | None = None
    sha256: dict[str, str] | None = None

    @property
    def name(self) -> str:
        """Short name for run ids: the run id of the source record, else the folder name."""
        return self.record_path.stem if self.record_path is not None else self.folder.name


def _is_model_folder(path: Path) -> bool:
    return (path / MODEL_FILE).is_file() and (path / NORMALIZER_FILE).is_file()


def _source_of_record(path: Path) -> ModelSource:
    run = run_of_record(path)
    return ModelSource(run.folder, run.record_path, run.sha256)


def _recipe_seed(name: str) -> int | None:
    """The seed of baseline ``name``'s inter-patient recipe, track block included (None when it is not a baseline or has no readable recipe)."""
    from ecgbench.models.loader import baseline_recipe

    try:
        found = baseline_recipe(name)
        if found is None:
            return None
        recipe, path = found
        return recipe.for_track("interpatient", source=str(path)).seed
    except (OSError, ValueError):  # ConfigError is a ValueError; the error surfaces when the run is made
        return None


def resolve_model_folder(spec: str, results_dir: str | os.PathLike | None = None, valid_builtins: tuple[str, ...] = ()) -> ModelSource:
    """Turn ``--model`` (artefact folder, run record, or baseline name) into a :class:`ModelSource`.

    Raises
    ------
    ConfigError
        ``spec`` is none of these, or a record saved no model.
    DataNotFoundError
        ``spec`` names a baseline without any inter-patient run that saved its model.
    """
    path = Path(spec).expanduser()
    if path.is_dir() and _is_model_folder(path):
        return ModelSource(path)
    if path.is_file() and path.suffix == ".json":
        return _source_of_record(path)
    if path.is_dir():
        raise ConfigError(f"--model {spec!r}: the folder lacks {MODEL_FILE} and {NORMALIZER_FILE}; give a run's artefact folder")
    if os.sep not in spec and "." not in spec:  # a submission name such as cnn1d
        seed = _recipe_seed(spec)
        record = find_run(spec, 0 if seed is None else seed, MODEL_TASK, results_dir)
        if record is not None:
            return _source_of_record(record)
        from ecgbench.models.loader import list_baselines

        if spec not in list_baselines():
            raise ConfigError(
                f"--model {spec!r}: not a built-in classifier ({', '.join(valid_builtins)}), a baseline "
                f"({', '.join(list_baselines())}), a run record (.json) nor a trained-model folder"
            )
        where = Path(results_dir) if results_dir is not None else default_results_dir()
        raise DataNotFoundError(
            f"--model {spec!r}: no {MODEL_TASK} run of {spec!r} with a saved model in {where / MODEL_TASK}; produce one with "
            f"`ecgbench run baseline {spec} --track interpatient`, or use a built-in classifier ({', '.join(valid_builtins)})"
        )
    raise ConfigError(
        f"--model {spec!r}: not a built-in classifier ({', '.join(valid_builtins)}), a baseline name, a run record (.json) "
        f"nor a trained-model folder with {MODEL_FILE} and {NORMALIZER_FILE}"
    )


@functools.lru_cache(maxsize=4)
def _load(folder: Path):
    """Load (model, normalizer) once per folder: the track builds one classifier per record."""
    import keras

    from ecgbench.data import Normalizer

    model = keras.saving.load_model(folder / MODEL_FILE)
    normalizer = Normalizer.from_dict(json.loads((folder / NORMALIZER_FILE).read_text()))
    signal = next((t for t in model.inputs if getattr(t, "name", "").startswith("signal")), None)
    if signal is not None and len(signal.shape) == 3 and signal.shape[1] not in (None, STREAM_WINDOW_SAMPLES):
        raise ConfigError(f"{folder / MODEL_FILE}: model expects {signal.shape[1]} samples per window, the stream gives {STREAM_WINDOW_SAMPLES}")
    return model, normalizer


#: Inference backends of :func:`load_model_classifier`.
BACKENDS: tuple[str, ...] = ("auto", "onnx", "tf")


def load_model_classifier(spec: str, valid_builtins: tuple[str, ...] = (), results_dir: str | os.PathLike | None = None,
                          backend: str = "auto") -> ModelClassifier:  # fmt: skip
    """Load a trained model (see :func:`resolve_model_folder`) as a :class:`ModelClassifier`.

    Parameters
    ----------
    backend : {"auto", "onnx", "tf"}
        ``"tf"`` runs the Keras model inside one ``tf.function`` traced once for any batch size
        (not ``Model.predict`` or an eager call, whose per-call set-up of 20-30 ms is too much for
        the one- or two-beat batches of a stream). ``"onnx"`` converts that same function in
        memory with tf2onnx and runs it in ONNX Runtime on one thread: a stream calls the model
        once per chunk with 1-3 beats, where TensorFlow's per-call dispatch (about 1-4 ms) is most
        of the cost and ONNX Runtime's is about 0.1 ms; outputs agree with TensorFlow to 1e-5
        (pinned by a test). ``"auto"`` is ``"onnx"`` when onnxruntime and tf2onnx import, else ``"tf"``.
    """
    if backend not in BACKENDS:
        from ecgbench.errors import unknown_choice

        raise unknown_choice("backend", backend, BACKENDS)
    source = resolve_model_folder(spec, results_dir, valid_builtins)  # files named by a run record are hash-checked here
    model, normalizer = _load(source.folder.resolve())
    if backend == "auto":
        backend = "onnx" if _onnx_available() else "tf"
    make = _onnx_predict if backend == "onnx" else _compiled_predict
    af_gate = _recipe_af_gate(source.folder)
    return ModelClassifier(make(model, normalizer.n_leads, len(normalizer.rr_columns)), normalizer, af_gate=af_gate)


def _recipe_af_gate(folder: Path) -> bool:
    """Whether the recipe saved beside a trained model declares the ``af_gate`` wrapper (False when the folder has no recipe)."""
    from ecgbench.runner.af_gate_wrapper import af_gate_of
    from ecgbench.runner.artifacts import RECIPE_FILE

    path = folder / RECIPE_FILE
    if not path.is_file():
        return False
    try:
        recipe = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise CorruptDataError(f"{path}: unreadable recipe beside the model ({exc}); re-run the baseline to rewrite it") from exc
    return af_gate_of(recipe, str(path))


def _onnx_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tf2onnx"))


def _forward_function(model, n_leads: int, n_rr: int):
    import tensorflow as tf

    spec = [tf.TensorSpec([None, STREAM_WINDOW_SAMPLES, n_leads], tf.float32, name="signal"),
            tf.TensorSpec([None, n_rr], tf.float32, name="rr")]  # fmt: skip

    @tf.function(input_signature=spec, reduce_retracing=True)
    def forward(signal, rr):
        return model({"signal": signal, "rr": rr}, training=False)

    return forward, spec


@functools.lru_cache(maxsize=4)
def _compiled_predict(model, n_leads: int, n_rr: int) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    forward, _ = _forward_function(model, n_leads, n_rr)

    def predict(inputs: dict[str, np.ndarray]) -> np.ndarray:
        return forward(inputs["signal"], inputs["rr"]).numpy()

    return predict


@functools.lru_cache(maxsize=4)
def _onnx_predict(model, n_leads: int, n_rr: int) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    """Convert the model's forward function to ONNX in memory (no file written) and run it on one thread."""
    import onnxruntime as ort
    import tf2onnx

    forward, spec = _forward_function(model, n_leads, n_rr)
    proto, _ = tf2onnx.convert.from_function(forward, input_signature=spec, opset=17)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    signal_name, rr_name = (i.name for i in session.get_inputs())

    def predict(inputs: dict[str, np.ndarray]) -> np.ndarray:
        feed = {signal_name: np.ascontiguousarray(inputs["signal"], np.float32), rr_name: np.ascontiguousarray(inputs["rr"], np.float32)}
        return session.run(None, feed)[0]

    return predict
