"""``ecgbench.load_model``: the committed weights of a leaderboard run, by submission name and seed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ecgbench.leaderboard.pretrained import DEFAULT_MODEL_TASK, resolve_pretrained


@dataclass(frozen=True)
class PretrainedModel:
    """A trained beat model with the normaliser it was trained with, from one run record.

    Attributes
    ----------
    name, task, seed, run_id : str, str, int, str
        Which run the weights are from.
    record_path, folder : pathlib.Path
        Its run record and artefact folder (files hash-checked against the record).
    keras_model : keras.Model
        Inputs ``{"signal", "rr"}`` (normalised), output ``[n, 5]`` probabilities (N, S, V, F, Q).
    normalizer : ecgbench.data.Normalizer
        The fitted input normaliser (its beat context and RR columns).
    af_gate : bool
        Whether the run moved p(S) to p(N) in atrial fibrillation after the model
        (the recipe's ``af_gate`` wrapper); :meth:`predict` returns the model's own probabilities, before any gate.
    """

    name: str
    task: str
    seed: int
    run_id: str
    record_path: Path
    folder: Path
    keras_model: Any
    normalizer: Any
    af_gate: bool

    def predict(self, arrays: Mapping[str, np.ndarray], *, batch_size: int = 1024) -> np.ndarray:
        """Class probabilities ``[n, 5]`` of beats given as ``ecgbench.load(task, split, as_numpy=True)`` arrays.

        Parameters
        ----------
        arrays : mapping
            ``signal`` (mV), ``record``, ``sample``, ``label`` and the RR fields (s) of whole
            records in dataset order (the beat context and derived RR columns look at each beat's
            predecessors in its record).
        batch_size : int
            Beats per model call (memory only).
        """
        from ecgbench.runner.data import beat_arrays
        from ecgbench.runner.model_file import normalized_features

        inputs = normalized_features(self.normalizer, beat_arrays(arrays))
        return np.asarray(self.keras_model.predict(inputs, batch_size=batch_size, verbose=0), np.float32)


def load_model(name: str, seed: int = 0, *, task: str = DEFAULT_MODEL_TASK, results_dir: str | os.PathLike | None = None) -> PretrainedModel:
    """Load the committed weights of submission ``name`` at ``seed`` on ``task``.

    The model is found through the run records (:func:`ecgbench.leaderboard.pretrained.resolve_pretrained`):
    the non-quick run of that name and seed that saved a model, the newest if the seed was run
    more than once (the run the leaderboard counts); its files are checked against the SHA-256s
    the record lists before they are loaded.

    Parameters
    ----------
    name : str
        Submission name, e.g. ``"cnn1d-context-ensemble-afgate"``.
    seed : int
        The run's seed.
    task : str
        Task whose runs are searched.
    results_dir : path-like, optional
        Root of the results tree; default ``leaderboards/results`` (working directory, else the checkout).

    Raises
    ------
    DataNotFoundError
        No such run saved a model (the message lists the seeds that did).
    CorruptDataError
        A saved file is missing or changed since the run.
    """
    return load_model_of_record(resolve_pretrained(name, seed, task, results_dir).record_path)


def load_model_of_record(record_path: str | os.PathLike) -> PretrainedModel:
    """Load the trained model one run record saved (files hash-checked), e.g. the run a cross-database record names.

    Raises
    ------
    ConfigError
        The run saved no model.
    CorruptDataError
        A saved file is missing or changed since the run.
    """
    import json

    import keras

    from ecgbench.data import Normalizer
    from ecgbench.leaderboard.pretrained import run_of_record
    from ecgbench.runner.af_gate_wrapper import af_gate_of
    from ecgbench.runner.artifacts import MODEL_FILE, NORMALIZER_FILE

    run = run_of_record(record_path)
    normalizer = Normalizer.from_dict(json.loads((run.folder / NORMALIZER_FILE).read_text()))
    record = run.record
    return PretrainedModel(
        name=str(record["submission"]["name"]), task=str(record["task"]), seed=int(record["seed"]), run_id=run.run_id,
        record_path=run.record_path, folder=run.folder, keras_model=keras.saving.load_model(run.folder / MODEL_FILE),
        normalizer=normalizer, af_gate=af_gate_of(record.get("recipe") or {}, str(run.record_path)),
    )  # fmt: skip
