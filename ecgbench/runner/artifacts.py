"""Trained-model artefacts of a run: what a streaming run needs to reuse a trained Keras model.

A Keras beat run saves, in a folder named after the run beside its record::

    <results_dir>/<task>/<run_id>/model.keras        the trained model (weights of the best epoch, no optimiser state)
    <results_dir>/<task>/<run_id>/normalizer.json    the fitted :class:`ecgbench.data.Normalizer` (``to_dict``)
    <results_dir>/<task>/<run_id>/recipe.json        the recipe actually used

and the run record's ``artifacts`` block holds ``folder`` (relative to the record), ``files`` (name →
SHA-256) and ``note``. Estimator submissions (scikit-learn style ``Submission`` classes) are not saved:
their block has ``folder: null`` and a note saying so. :mod:`ecgbench.streaming.model_adapter` reads
the folder back.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ecgbench.leaderboard.provenance import sha256_file

MODEL_FILE = "model.keras"
NORMALIZER_FILE = "normalizer.json"
RECIPE_FILE = "recipe.json"
#: The files of a Keras run's artefact folder, in the order they are written.
ARTIFACT_FILES: tuple[str, ...] = (MODEL_FILE, NORMALIZER_FILE, RECIPE_FILE)


def no_artifacts(reason: str) -> dict[str, Any]:
    """The ``artifacts`` block of a run that saves no trained model (``reason`` says why)."""
    return {"folder": None, "files": {}, "note": reason}


def save_keras_artifacts(folder: str | Path, model, normalizer: dict[str, Any], recipe: dict[str, Any]) -> dict[str, Any]:
    """Write ``model.keras``, ``normalizer.json`` and ``recipe.json`` into ``folder``; return the ``artifacts`` block.

    The model is saved through an uncompiled clone carrying the trained weights, so the file holds
    no optimiser state (the cnn1d baseline's file is ~0.5 MB).

    Parameters
    ----------
    folder : path-like
        The artefact folder (created; an existing one is replaced).
    model : keras.Model
        The trained model (best-epoch weights restored).
    normalizer : dict
        :meth:`ecgbench.data.Normalizer.to_dict` output.
    recipe : dict
        The recipe actually used.
    """
    import keras

    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    try:
        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        clone.save(folder / MODEL_FILE)
        (folder / NORMALIZER_FILE).write_text(json.dumps(normalizer, indent=2) + "\n")
        (folder / RECIPE_FILE).write_text(json.dumps(recipe, indent=2, sort_keys=True) + "\n")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave a half-written folder
        raise
    return {
        "folder": folder.name,
        "files": {name: sha256_file(folder / name) for name in ARTIFACT_FILES},
        "note": "trained Keras model (best validation epoch), its input normaliser and recipe; "
        "stream with `ecgbench run stream --model <this folder>`",
    }
