"""Load a submission folder and resolve registry names (``ecgbench/baselines/<family>``, its variants).

A name without a path separator is looked up in the registry (``baselines/`` inside the installed
package, so a name resolves the same from a wheel as from a checkout): a family folder's name
(``cnn1d``: its ``submission.py`` with its ``recipe.json``) or one of its variants
(``cnn1d-context``: the family's ``submission.py`` with ``recipes/cnn1d-context.json``, whose
``extends`` chain :mod:`ecgbench.models.recipe_files` resolves). Anything else is taken as a path
to a folder holding ``submission.py`` (and usually ``recipe.json``). Loading imports
``submission.py`` under a private module name, so two submissions never clash and nothing is added
to ``sys.path``.

A submission may also build on another one by loading it (``load_submission("cnn1d").module.build_model``).
The loader notes every ``submission.py`` loaded while a submission is being imported, and
:attr:`LoadedSubmission.files` lists them with the recipe files, so a run record's submission hash
changes when the code it borrowed, or any recipe of its chain, changes.
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
from ecgbench.models.recipe_files import RECIPE_FILE, read_recipe, variant_paths
from ecgbench.paths import package_root

SUBMISSION_FILE = "submission.py"
#: One list per submission being imported (innermost last): the code files it loaded from other submissions.
_IMPORTING: list[list[Path]] = []
#: The kinds of submission: a Keras model factory or a fit/predict class.
KINDS = ("keras", "estimator")


def baselines_dir() -> Path:
    """Return the registry folder: ``baselines/`` inside the installed ``ecgbench`` package."""
    return package_root() / "baselines"


def _registry() -> dict[str, tuple[Path, Path]]:
    """Registered name → ``(family folder, recipe file)``: each family folder and each of its variants.

    Raises
    ------
    ConfigError
        Two families declare the same name (a variant named like another folder or variant).
    """
    from ecgbench.errors import ConfigError

    root = baselines_dir()
    names: dict[str, tuple[Path, Path]] = {}
    families = sorted(p for p in root.iterdir() if (p / SUBMISSION_FILE).is_file()) if root.is_dir() else []
    for folder in families:
        for name, recipe in [(folder.name, folder / RECIPE_FILE), *variant_paths(folder).items()]:
            if name in names:
                raise ConfigError(f"baseline name {name!r} is declared twice: {names[name][1]} and {recipe}; rename one")
            names[name] = (folder, recipe)
    return names


def list_baselines() -> list[str]:
    """Return the registered baseline names: every family folder of ``baselines/`` and every variant recipe in its ``recipes/``."""
    return sorted(_registry())


def baseline_recipe(name: str) -> tuple[Recipe, Path] | None:
    """The resolved recipe of registered baseline ``name`` and its file, without importing its code (None when not registered).

    Raises
    ------
    ConfigError
        The recipe (or one it extends) is invalid.
    """
    entry = _registry().get(name)
    if entry is None:
        return None
    folder, path = entry
    return read_recipe(path, folder)[0], path


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
        The resolved recipe (its ``extends`` chain applied; defaults when there is no file).
    kind : str
        ``"keras"`` (``build_model``) or ``"estimator"`` (``Submission`` class).
    borrowed : tuple of pathlib.Path
        ``submission.py`` files of other submissions loaded while this one was imported (and
        what they borrowed in turn).
    recipe_files : tuple of pathlib.Path
        The recipe files the recipe was built from, its own first, then each one it extends
        (empty: no recipe file, the defaults).
    """

    name: str
    source: str
    folder: Path
    module: ModuleType
    recipe: Recipe
    kind: str
    borrowed: tuple[Path, ...] = ()
    recipe_files: tuple[Path, ...] = ()

    @property
    def recipe_path(self) -> Path:
        """The submission's own recipe file (named in recipe errors; a folder's ``recipe.json`` may not exist)."""
        return self.recipe_files[0] if self.recipe_files else self.folder / RECIPE_FILE

    @property
    def files(self) -> list[Path]:
        """The files that define the submission (hashed into run records): code, recipe chain, borrowed code."""
        own = [self.folder / SUBMISSION_FILE, *self.recipe_files]
        own = [p for p in dict.fromkeys(own) if p.is_file()]
        return own + [p for p in self.borrowed if p not in own]


def resolve_submission(name_or_path: str | os.PathLike) -> Path:
    """Return the folder of a submission given a registry name or a path.

    Raises
    ------
    SubmissionError
        No such registered baseline, or the folder has no ``submission.py``.
    """
    return _locate(name_or_path)[0]


def _locate(name_or_path: str | os.PathLike) -> tuple[Path, Path, str]:
    """``(folder, recipe file, name)`` of a registry name (family or variant) or a submission folder."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    is_path = os.sep in text or (os.altsep and os.altsep in text) or text.startswith(".") or path.is_dir()
    if not is_path:
        entry = _registry().get(text)
        if entry is None:
            raise SubmissionError(
                text, str(unknown_choice("baseline", text, list_baselines())) + "; or pass a path to a submission folder"
            )
        return entry[0], entry[1], text
    if not (path / SUBMISSION_FILE).is_file():
        raise SubmissionError(text, f"{path / SUBMISSION_FILE} not found; a submission folder needs a {SUBMISSION_FILE}")
    return path, path / RECIPE_FILE, path.resolve().name


def load_submission(name_or_path: str | os.PathLike) -> LoadedSubmission:
    """Import a submission and parse its recipe.

    Raises
    ------
    SubmissionError
        ``submission.py`` is missing, fails to import, or defines neither ``build_model`` nor a
        ``Submission`` class with ``fit`` and ``predict``; or ``recipe.json`` is invalid.
    """
    source = str(name_or_path)
    folder, recipe_path, name = _locate(name_or_path)
    try:
        recipe, recipe_files = read_recipe(recipe_path, folder)
    except Exception as exc:  # ConfigError from the recipe: re-raise naming the submission
        raise SubmissionError(name, f"invalid {recipe_path.name}: {exc}") from None
    _IMPORTING.append([])
    try:
        module = _import_file(folder / SUBMISSION_FILE, name)
    finally:
        borrowed = tuple(dict.fromkeys(_IMPORTING.pop()))
    loaded = LoadedSubmission(name=name, source=source, folder=folder, module=module, recipe=recipe,
                              kind=_kind_of(module, name), borrowed=borrowed, recipe_files=recipe_files)  # fmt: skip
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
