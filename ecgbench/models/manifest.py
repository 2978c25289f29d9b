"""The manifest of a trained-model submission (``manifest.json`` beside a ``.keras``, SavedModel or ``.onnx``).

A trained model is evaluated as is (no training): the manifest says which task it answers, which
file holds it, the inputs it takes, how to normalise them, and what it was trained on::

    {
      "name": "example-keras",                      # optional; default the folder name
      "task": "beats-interpatient",                 # or "beats-intrapatient"
      "model": "model.keras",                       # .keras file, SavedModel folder or .onnx file
      "inputs": {"signal": [288, 2], "rr": [7]},    # per-example shapes; one or both of the two
      "normalizer": "none",                         # or the dict of ecgbench.data.Normalizer.to_dict()
      "trained_on": {"train": "ds1_train", "val": "ds1_val"},
      "seed": 0                                     # optional: seed of the bootstrap intervals
    }

``signal`` is the beat window ``[samples, leads]`` (mV, 0.3 s before to 0.5 s after the R peak at
360 Hz); ``rr`` the seven RR features (:data:`ecgbench.data.rr.RR_FEATURE_NAMES`; seconds and
ratios). With ``"normalizer": "none"`` the model gets these physical units; with a normaliser dict
it gets exactly what Keras submissions get from the runner, so a normaliser whose ``rr_columns``
selects fewer RR features (a causal model) makes ``rr`` that many columns wide, and one whose
``rr_feature_names`` add a derived column (``rr_irregularity``) has ecgbench compute it from each
test record's beats (inter-patient task only).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecgbench.models.errors import SubmissionError

MANIFEST_FILE = "manifest.json"


def task_inputs() -> dict[str, dict[str, tuple[int, ...]]]:
    """Tasks a trained model can be submitted to (``model_files`` in :mod:`ecgbench.tasks`), with their inputs' shapes."""
    from ecgbench.tasks import all_tasks

    return {task.name: task.input_shapes() for task in all_tasks() if task.model_files}


#: Tasks a trained model can be submitted to, with their model inputs' per-example shapes (a view
#: of :mod:`ecgbench.tasks` when this module was imported; :func:`task_inputs` reads it afresh).
TASK_INPUTS: dict[str, dict[str, tuple[int, ...]]] = task_inputs()
_KEYS = ("name", "task", "model", "inputs", "normalizer", "trained_on", "seed", "description")
_REQUIRED = ("task", "model", "inputs", "normalizer", "trained_on")
#: Largest ``manifest.json`` read, bytes (a manifest with a normaliser is a few KB).
MAX_MANIFEST_BYTES = 1_000_000
#: Deepest nesting of JSON objects/arrays accepted (a normaliser needs 3 levels).
MAX_JSON_DEPTH = 16
#: Longest ``description``, characters (it is published on the leaderboards).
MAX_DESCRIPTION_CHARS = 2_000
#: Longest other string field (``name``, ``task``, ``model``, ``trained_on`` values), characters.
MAX_FIELD_CHARS = 200
#: Fields that must be strings when present.
_STRING_FIELDS = ("name", "task", "model", "description")


@dataclass(frozen=True)
class Manifest:
    """A parsed, validated ``manifest.json``.

    Attributes
    ----------
    name : str
        Submission name (run ids, tables).
    task : str
        Leaderboard task.
    model_path : pathlib.Path
        The model file or SavedModel folder.
    inputs : dict
        Input name → per-example shape.
    normalizer : dict or None
        :meth:`ecgbench.data.Normalizer.to_dict` output, None for physical units.
    trained_on : dict
        Role (``train``, ``val``) → split name, as declared by the submitter.
    seed : int
        Seed of the bootstrap intervals.
    path : pathlib.Path
        The manifest file.
    raw : dict
        The JSON as read.
    """

    name: str
    task: str
    model_path: Path
    inputs: dict[str, tuple[int, ...]]
    normalizer: dict[str, Any] | None
    trained_on: dict[str, str]
    seed: int
    path: Path
    raw: dict[str, Any] = field(repr=False)


def _fail(path: Path, problem: str) -> SubmissionError:
    return SubmissionError(str(path.parent), f"{path.name}: {problem}")


def read_manifest(path: str | os.PathLike) -> Manifest:
    """Read and validate a manifest (a ``manifest.json`` file or the folder holding one).

    Raises
    ------
    SubmissionError
        Not JSON, unknown or missing fields, an unknown task, input names or shapes the task does
        not provide, a bad normaliser, or a model file that does not exist (the field is named).
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_FILE
    if not path.is_file():
        raise SubmissionError(str(path.parent), f"{MANIFEST_FILE} not found; a trained-model submission needs one (see leaderboards/SUBMITTING.md)")
    raw = _load_json(path)
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise _fail(path, f"unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(_KEYS)}")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise _fail(path, f"missing field(s) {', '.join(missing)}")
    _check_strings(path, raw)
    task = raw["task"]
    accepting = task_inputs()
    if task not in accepting:
        raise _fail(path, f"field 'task' is {task!r}; trained models can be submitted to {', '.join(accepting)}")
    model_path = confined_model_path(path, raw["model"])
    normalizer = raw["normalizer"]
    if normalizer == "none":
        normalizer = None
    elif isinstance(normalizer, dict):
        from ecgbench.data.context import context_windows
        from ecgbench.data.normalization import Normalizer
        from ecgbench.errors import ConfigError

        try:
            parsed = Normalizer.from_dict(normalizer)
        except ConfigError as exc:
            raise _fail(path, f"field 'normalizer': {exc}") from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # wrong JSON types inside the object
            raise _fail(path, f"field 'normalizer' is malformed ({type(exc).__name__}: {exc}); write it as "
                              "ecgbench.data.Normalizer.to_dict() does") from None
        rr_columns = parsed.rr_columns
    else:
        raise _fail(path, "field 'normalizer' must be \"none\" or a normaliser object (ecgbench.data.Normalizer.to_dict())")
    provided = dict(accepting[task])
    if normalizer is not None:  # a normaliser that selects RR columns hands the model only those
        provided["rr"] = (len(rr_columns),)
        if parsed.derived_rr and task != "beats-interpatient":  # derived columns need each record's whole beat sequence
            raise _fail(
                path, f"field 'normalizer' has derived RR column(s) {', '.join(parsed.derived_rr)}, which a model file can use on "
                "beats-interpatient only (there each record's beats are all in the test split); run the submission folder "
                "with `ecgbench run baseline` for the intra-patient track"
            )
        if parsed.context is not None:  # ... and one with a beat context adds its context windows' leads
            if task != "beats-interpatient":
                raise _fail(
                    path, f"field 'normalizer' has context {parsed.context!r}, which a model file can use on beats-interpatient "
                    "only (there each record's beats are all in the test split); run the submission folder with "
                    "`ecgbench run baseline` for the intra-patient track, whose beats span two splits"
                )
            samples, leads = provided["signal"]
            provided["signal"] = (samples, context_windows(parsed.context) * leads)
    inputs = _inputs(path, raw["inputs"], provided)
    trained_on = raw["trained_on"]
    if (not isinstance(trained_on, dict) or "train" not in trained_on
            or not all(isinstance(v, str) and len(v) <= MAX_FIELD_CHARS and len(k) <= MAX_FIELD_CHARS for k, v in trained_on.items())):
        raise _fail(path, 'field \'trained_on\' must be an object like {"train": "ds1_train", "val": "ds1_val"} '
                          f"(names of at most {MAX_FIELD_CHARS} characters)")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise _fail(path, f"field 'seed' must be an integer, got {seed!r}")
    return Manifest(
        name=str(raw.get("name") or path.parent.resolve().name), task=task, model_path=model_path, inputs=inputs,
        normalizer=normalizer, trained_on=dict(trained_on), seed=seed, path=path, raw=raw,
    )  # fmt: skip


def _load_json(path: Path) -> dict[str, Any]:
    """Read ``path`` as a JSON object of at most :data:`MAX_MANIFEST_BYTES` and :data:`MAX_JSON_DEPTH` levels."""
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise _fail(path, f"is {size:,} bytes; a manifest may hold at most {MAX_MANIFEST_BYTES:,} (keep weights and notes in other files)")
    try:
        raw = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not valid JSON ({exc}); fix the file") from None
    except RecursionError:
        raise _fail(path, f"is nested too deeply to read; a manifest needs at most {MAX_JSON_DEPTH} levels") from None
    if not isinstance(raw, dict):
        raise _fail(path, f"must hold a JSON object ({{\"task\": …, \"model\": …}}), not a JSON {type(raw).__name__}")
    if _depth(raw) > MAX_JSON_DEPTH:
        raise _fail(path, f"is nested more than {MAX_JSON_DEPTH} levels deep; no manifest field needs that")
    return raw


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), counted without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            level += 1
            deepest = max(deepest, level)
            if level <= MAX_JSON_DEPTH:  # deeper than the limit is already an error
                stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_strings(path: Path, raw: dict[str, Any]) -> None:
    """The string fields are strings of bounded length (:data:`MAX_FIELD_CHARS`, :data:`MAX_DESCRIPTION_CHARS`)."""
    for key in _STRING_FIELDS:
        if key not in raw or (key == "name" and raw[key] is None):
            continue
        value = raw[key]
        if not isinstance(value, str):
            raise _fail(path, f"field {key!r} must be a string, got a JSON {type(value).__name__}")
        limit = MAX_DESCRIPTION_CHARS if key == "description" else MAX_FIELD_CHARS
        if len(value) > limit:
            raise _fail(path, f"field {key!r} is {len(value):,} characters; at most {limit:,} are allowed")


def confined_model_path(manifest_path: Path, model: str) -> Path:
    """Return the model file/folder a manifest's ``model`` field names, refusing anything outside its folder.

    The path must be relative, must not leave the submission folder (no ``..`` escape, no symbolic
    link resolving outside it, for a SavedModel folder also none of its files), and must exist.

    Raises
    ------
    SubmissionError
        The path is absolute, escapes the folder, or does not exist.
    """
    folder = manifest_path.parent.resolve()
    if Path(model).is_absolute() or Path(model).drive:
        raise _fail(manifest_path, f"field 'model' is the absolute path {model!r}; name the model relative to {folder}, inside it")
    model_path = manifest_path.parent / model
    if not model_path.resolve().is_relative_to(folder):  # checked first: an escape is refused whether or not it exists
        raise _fail(manifest_path, f"field 'model' names {model!r}, which resolves to {model_path.resolve()}, outside the "
                                   f"submission folder {folder}; copy the model into the folder")
    if not model_path.exists():
        raise _fail(manifest_path, f"field 'model' names {model!r} but {model_path} does not exist")
    inside = model_path.rglob("*") if model_path.is_dir() else ()
    for item in inside:
        if not item.resolve().is_relative_to(folder):
            raise _fail(manifest_path, f"field 'model': {item} resolves to {item.resolve()}, outside the submission folder "
                                       f"{folder}; copy the model into the folder")
    return model_path


def _inputs(path: Path, inputs: Any, provided: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    if not isinstance(inputs, dict) or not inputs:
        raise _fail(path, f"field 'inputs' must map input names to shapes, e.g. {json.dumps({k: list(v) for k, v in provided.items()})}")
    out = {}
    for name, shape in inputs.items():
        if name not in provided:
            raise _fail(path, f"field 'inputs' names {name!r}; the task provides {', '.join(provided)}")
        if not isinstance(shape, list) or not all(isinstance(d, int) for d in shape) or tuple(shape) != provided[name]:
            raise _fail(path, f"field 'inputs.{name}' is {shape!r}; the task provides shape {list(provided[name])}")
        out[name] = tuple(shape)
    return out
