"""Load a submission folder and resolve registry names (``ecgbench/baselines/<name>``).

A name without a path separator is looked up in the registry (``baselines/`` inside the installed
package, so a name resolves the same from a wheel as from a checkout); anything else is taken as a
path to a folder holding ``submission.py`` (and usually ``recipe.json``). Loading imports
``submission.py`` under a private module name, so two submissions never clash and nothing is added
to ``sys.path``.

A submission may build on another one by loading it (``load_submission("cnn1d").module.build_model``,
as ``baselines/cnn1d-causal`` does). The loader notes every ``submission.py`` loaded while a
submission is being imported, and :attr:`LoadedSubmission.files` lists them, so a run record's
submission hash changes when the code it borrowed changes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ecgbench.errors import unknown_choice
from ecgbench.models.errors import SubmissionError
from ecgbench.models.protocol import Recipe
from ecgbench.paths import package_root

SUBMISSION_FILE = "submission.py"
RECIPE_FILE = "recipe.json"
#: One list per submission being imported (innermost last): the code files it loaded from other submissions.
_IMPORTING: list[list[Path]] = []
#: The kinds of submission: a Keras model factory or a fit/predict class.
KINDS = ("keras", "estimator")


def baselines_dir() -> Path:
    """Return the registry folder: ``baselines/`` inside the installed ``ecgbench`` package."""
    return package_root() / "baselines"


def list_baselines() -> list[str]:
    """Return the names of the registered baselines (folders of ``baselines/`` with a ``submission.py``)."""
    root = baselines_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / SUBMISSION_FILE).is_file())


@dataclass(frozen=True)
class LoadedSubmission:
    """A submission ready to run.

    Attributes
    ----------
    name : str
        Folder name, used in run ids and messages.
    source : str
        What the user gave: a registry name or a path.
    folder : pathlib.Path
        The submission folder.
    module : module
        The imported ``submission.py``.
    recipe : Recipe
        Parsed ``recipe.json`` (defaults when absent).
    kind : str
        ``"keras"`` (``build_model``) or ``"estimator"`` (``Submission`` class).
    borrowed : tuple of pathlib.Path
        ``submission.py`` files of other submissions loaded while this one was imported (and
        what they borrowed in turn).
    """

    name: str
    source: str
    folder: Path
    module: ModuleType
    recipe: Recipe
    kind: str
    borrowed: tuple[Path, ...] = ()

    @property
    def recipe_path(self) -> Path:
        """The submission's ``recipe.json`` (named in recipe errors; it may not exist)."""
        return self.folder / RECIPE_FILE

    @property
    def files(self) -> list[Path]:
        """The files that define the submission (hashed into run records): its own and the code it borrowed."""
        own = [p for p in (self.folder / SUBMISSION_FILE, self.recipe_path) if p.is_file()]
        return own + [p for p in self.borrowed if p not in own]


def resolve_submission(name_or_path: str | os.PathLike) -> Path:
    """Return the folder of a submission given a registry name or a path.

    Raises
    ------
    SubmissionError
        No such registered baseline, or the folder has no ``submission.py``.
    """
    text = str(name_or_path)
    path = Path(text).expanduser()
    is_path = os.sep in text or (os.altsep and os.altsep in text) or text.startswith(".") or path.is_dir()
    if not is_path:
        folder = baselines_dir() / text
        if not (folder / SUBMISSION_FILE).is_file():
            raise SubmissionError(
                text, str(unknown_choice("baseline", text, list_baselines())) + "; or pass a path to a submission folder"
            )
        return folder
    if not (path / SUBMISSION_FILE).is_file():
        raise SubmissionError(text, f"{path / SUBMISSION_FILE} not found; a submission folder needs a {SUBMISSION_FILE}")
    return path


def load_submission(name_or_path: str | os.PathLike) -> LoadedSubmission:
    """Import a submission and parse its recipe.

    Raises
    ------
    SubmissionError
        ``submission.py`` is missing, fails to import, or defines neither ``build_model`` nor a
        ``Submission`` class with ``fit`` and ``predict``; or ``recipe.json`` is invalid.
    """
    source = str(name_or_path)
    folder = resolve_submission(name_or_path)
    name = folder.resolve().name
    try:
        recipe = Recipe.from_file(folder / RECIPE_FILE)
    except Exception as exc:  # ConfigError from the recipe: re-raise naming the submission
        raise SubmissionError(name, f"invalid {RECIPE_FILE}: {exc}") from None
    _IMPORTING.append([])
    try:
        module = _import_file(folder / SUBMISSION_FILE, name)
    finally:
        borrowed = tuple(dict.fromkeys(_IMPORTING.pop()))
    loaded = LoadedSubmission(name=name, source=source, folder=folder, module=module, recipe=recipe,
                              kind=_kind_of(module, name), borrowed=borrowed)  # fmt: skip
    if _IMPORTING:  # loaded by another submission's import: that one borrows this code
        _IMPORTING[-1].extend([folder / SUBMISSION_FILE, *borrowed])
    return loaded


def _import_file(path: Path, name: str) -> ModuleType:
    module_name = f"_ecgbench_submission_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SubmissionError(name, f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise SubmissionError(name, f"importing {path} raised {type(exc).__name__}: {exc}") from exc
    return module


def _kind_of(module: ModuleType, name: str) -> str:
    if callable(getattr(module, "build_model", None)):
        return "keras"
    cls = getattr(module, "Submission", None)
    if isinstance(cls, type) and callable(getattr(cls, "fit", None)) and callable(getattr(cls, "predict", None)):
        return "estimator"
    raise SubmissionError(
        name,
        f"{SUBMISSION_FILE} must define build_model(input_spec, recipe) or a class Submission with fit() and predict()",
    )
