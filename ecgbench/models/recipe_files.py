"""Recipe files of a model family: a base ``recipe.json`` and variants that ``extend`` it.

A family folder (``baselines/cnn1d/``) holds one ``submission.py``, its base recipe ``recipe.json``
(the recipe of the submission named like the folder) and, in ``recipes/``, one JSON file per
variant::

    baselines/cnn1d/recipes/cnn1d-context.json
    {"extends": "cnn1d-causal", "options": {"leads": [0, 2], "context": "previous_beat"}}

``extends`` names the recipe the variant starts from: another variant of the same folder, or the
folder's own name for its base recipe. The variant's keys then replace the parent's, except
``augment``, ``options`` and ``wrappers`` (merged key by key, :data:`ecgbench.models.protocol.MERGED_FIELDS`)
and ``tracks`` (merged track by track, each block like the top level). The chain is resolved once,
when the recipe is read; the run records the resolved recipe, and its submission hash covers every
file of the chain (:attr:`ecgbench.models.loader.LoadedSubmission.files`), like in
lm-evaluation-harness, where a task's YAML ``include:``-s its parent and overrides a few keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecgbench.errors import ConfigError
from ecgbench.models.protocol import MERGED_FIELDS, Recipe, read_recipe_json
from ecgbench.models.wrappers import migrate_legacy_options

RECIPE_FILE = "recipe.json"
#: Folder of a family's variant recipes, beside its ``submission.py``.
VARIANTS_DIR = "recipes"
#: The key naming the parent recipe.
EXTENDS = "extends"


def variant_paths(folder: Path) -> dict[str, Path]:
    """Variant name → recipe file of a family folder (``recipes/*.json``; empty when it has none)."""
    variants = folder / VARIANTS_DIR
    if not variants.is_dir():
        return {}
    return {path.stem: path for path in sorted(variants.glob("*.json"))}


def recipe_path_of(folder: Path, name: str) -> Path:
    """The recipe file of ``name`` in a family folder: ``recipe.json`` for the folder's own name, else ``recipes/<name>.json``.

    Raises
    ------
    ConfigError
        ``name`` is neither the folder's name nor one of its variants.
    """
    if name == folder.name:
        return folder / RECIPE_FILE
    path = variant_paths(folder).get(name)
    if path is None:
        known = ", ".join([folder.name, *variant_paths(folder)])
        raise ConfigError(f"{folder}: no recipe named {name!r} (known: {known}); {EXTENDS} names the folder or a file of {VARIANTS_DIR}/")
    return path


def read_recipe(path: Path, folder: Path) -> tuple[Recipe, tuple[Path, ...]]:
    """Read a recipe file with its ``extends`` chain resolved; return the recipe and the chain's files.

    Parameters
    ----------
    path : pathlib.Path
        The recipe file (a missing base ``recipe.json`` gives the defaults, as before variants).
    folder : pathlib.Path
        The family folder ``extends`` names are looked up in.

    Returns
    -------
    (Recipe, tuple of pathlib.Path)
        The resolved recipe and the files it was built from, the variant's own first.

    Raises
    ------
    ConfigError
        Bad JSON, a missing or unknown parent, a cycle, or a value the recipe rejects; the message
        names the file.
    """
    values, files = _resolved_values(path, folder, ())
    return Recipe.from_dict(values, source=str(path)), files


def _resolved_values(path: Path, folder: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], tuple[Path, ...]]:
    if path in seen:
        chain = " → ".join(p.stem for p in (*seen, path))
        raise ConfigError(f"{path}: {EXTENDS} makes a cycle ({chain}); a recipe cannot extend itself")
    if not path.is_file():
        if not seen and path.name == RECIPE_FILE:
            return {}, ()
        raise ConfigError(f"{path} not found; it is named by {EXTENDS} in {seen[-1]}" if seen else f"{path} not found")
    values = read_recipe_json(path)
    parent_name = values.pop(EXTENDS, None)
    values = migrate_legacy_options(values, str(path))
    if parent_name is None:
        return values, (path,)
    if not isinstance(parent_name, str):
        raise ConfigError(f"{path}: {EXTENDS} must be the name of a recipe (got {parent_name!r})")
    parent, parent_files = _resolved_values(recipe_path_of(folder, parent_name), folder, (*seen, path))
    return _extend(parent, values, str(path)), (path, *parent_files)


def _merge_fields(base: dict[str, Any], changes: dict[str, Any], source: str) -> dict[str, Any]:
    """``base`` with ``changes`` applied: :data:`MERGED_FIELDS` key by key, other fields replaced."""
    merged = dict(base)
    for name, value in changes.items():
        if name in MERGED_FIELDS and name in base:
            if not isinstance(value, dict) or not isinstance(base[name], dict):
                raise ConfigError(f"{source}: recipe field {name} must be a JSON object (got {value!r})")
            merged[name] = {**base[name], **value}
        else:
            merged[name] = value
    return merged


def _extend(parent: dict[str, Any], child: dict[str, Any], source: str) -> dict[str, Any]:
    """The child's fields over the parent's; ``tracks`` merged track by track."""
    merged = _merge_fields(parent, {k: v for k, v in child.items() if k != "tracks"}, source)
    if "tracks" in child:
        tracks = child["tracks"]
        if not isinstance(tracks, dict):
            raise ConfigError(f"{source}: recipe field tracks must be a JSON object of track name → recipe fields")
        base_tracks = dict(parent.get("tracks") or {})
        for track, block in tracks.items():
            if not isinstance(block, dict):
                raise ConfigError(f"{source}: tracks.{track} must be a JSON object of recipe fields (got {block!r})")
            base_tracks[track] = _merge_fields(base_tracks.get(track, {}), block, f"{source}, tracks.{track}")
        merged["tracks"] = base_tracks
    return merged
