"""Recipe wrappers: named steps a recipe declares around its model, carried out by the runner.

A recipe's ``wrappers`` block maps a wrapper name to its parameters::

    "wrappers": {"ensemble": {"members": 3}, "af_gate": {}}

Each wrapper has a fixed place in a run, whatever the order of the keys:

``ensemble`` (training; parameter ``members``, 1 to :data:`MAX_MEMBERS`)
    The runner trains ``members`` copies of the Keras model, member ``k`` of a run with seed ``s``
    exactly as a single run with seed ``s * members + k``, and saves one model averaging their
    softmax outputs (:mod:`ecgbench.runner.ensemble`; Lakshminarayanan et al. 2017). Beat tracks,
    Keras submissions only.
``af_gate`` (predictions; no parameters)
    The test probabilities of a beat the streaming rhythm monitor holds in atrial fibrillation
    before it arrives move from S to N (:mod:`ecgbench.runner.af_gate_wrapper`,
    :mod:`ecgbench.streaming.af_gate`; Petrėnas et al. 2015). Needs whole records: the
    inter-patient and cross-database beat tasks, not the intra-patient track.

A recipe that ``extends`` another (:mod:`ecgbench.models.recipe_files`) or a ``tracks`` block merges
``wrappers`` key by key; ``null`` removes a wrapper the parent declared (``"af_gate": null``).

Run records and saved artefacts written before wrappers existed spell them as the options
``options.ensemble`` (an integer) and ``options.af_gate`` (a boolean); :func:`canonical_recipe`
turns that spelling into the ``wrappers`` block, so a recorded recipe compares equal to the
recipe it came from and re-runs unchanged.

References
----------
Lakshminarayanan B, Pritzel A, Blundell C. Simple and scalable predictive uncertainty estimation
using deep ensembles. Advances in Neural Information Processing Systems 30 (2017).
Petrėnas A, Marozas V, Sörnmo L. Low-complexity detection of atrial fibrillation in continuous
long-term monitoring. Comput Biol Med 65:184-191 (2015).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecgbench.errors import ConfigError

#: Largest ensemble accepted (each member costs one full training).
MAX_MEMBERS = 10
#: Wrapper name → its parameter names (each required).
WRAPPERS: dict[str, tuple[str, ...]] = {"ensemble": ("members",), "af_gate": ()}
#: Options that spelled wrappers before the ``wrappers`` block (records and artefacts of that time).
LEGACY_OPTIONS: tuple[str, ...] = ("ensemble", "af_gate")


def check_wrappers(wrappers: Any, source: str = "recipe") -> dict[str, dict[str, Any]]:
    """Validate a resolved ``wrappers`` block and return it without removed (``null``) entries.

    Raises
    ------
    ConfigError
        Not an object, an unknown wrapper, a missing or unknown parameter, or a bad value; the
        message names ``source`` and the valid choices.
    """
    where = f"{source}: " if source else ""
    if not isinstance(wrappers, Mapping):
        raise ConfigError(f"{where}recipe field wrappers must be a JSON object of wrapper name → parameters (got {wrappers!r})")
    checked: dict[str, dict[str, Any]] = {}
    for name, params in wrappers.items():
        if params is None:
            continue
        if name not in WRAPPERS:
            raise ConfigError(f"{where}unknown wrapper {name!r}; valid wrappers: {', '.join(WRAPPERS)}")
        if not isinstance(params, Mapping):
            raise ConfigError(f"{where}wrappers.{name} must be a JSON object of parameters (got {params!r}), or null to remove it")
        expected = set(WRAPPERS[name])
        if set(params) != expected:
            wanted = ", ".join(sorted(expected)) or "no parameters"
            raise ConfigError(f"{where}wrappers.{name} takes {wanted} (got {', '.join(sorted(params)) or 'none'})")
        if name == "ensemble":
            members = params["members"]
            if isinstance(members, bool) or not isinstance(members, int) or not 1 <= members <= MAX_MEMBERS:
                raise ConfigError(f"{where}wrappers.ensemble.members must be an integer from 1 to {MAX_MEMBERS} (got {members!r})")
        checked[name] = dict(params)
    return checked


def migrate_legacy_options(values: Mapping[str, Any], source: str = "recipe") -> dict[str, Any]:
    """Return recipe fields with ``options.ensemble`` / ``options.af_gate`` moved into ``wrappers``.

    ``options.ensemble: K`` becomes ``wrappers.ensemble.members: K``; ``options.af_gate: true``
    becomes ``wrappers.af_gate: {}`` and ``false`` removes the wrapper (``null``, as a track block
    that switched the gate off meant). Fields without these options come back unchanged.

    Raises
    ------
    ConfigError
        A legacy option and the ``wrappers`` block both declare the same wrapper, or a legacy value
        has the wrong type.
    """
    options = values.get("options")
    if not isinstance(options, Mapping) or not any(name in options for name in LEGACY_OPTIONS):
        return dict(values)
    wrappers = dict(values.get("wrappers") or {})
    for name in LEGACY_OPTIONS:
        if name not in options:
            continue
        if name in wrappers:
            raise ConfigError(f"{source}: options.{name} and wrappers.{name} both declare the {name} wrapper; keep wrappers.{name}")
        value = options[name]
        if name == "af_gate":
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: options.af_gate must be true or false (got {value!r}); declare wrappers.af_gate instead")
            wrappers[name] = {} if value else None
        else:
            wrappers[name] = {"members": value}
    return {**values, "options": {k: v for k, v in options.items() if k not in LEGACY_OPTIONS}, "wrappers": wrappers}


def canonical_recipe(recipe: Mapping[str, Any], source: str = "recipe") -> dict[str, Any]:
    """A resolved recipe dict (as run records and artefact folders hold it) in today's spelling.

    Legacy options become the ``wrappers`` block (:func:`migrate_legacy_options`), removed wrappers
    are dropped, and an empty ``wrappers`` block is left out, as :meth:`ecgbench.models.Recipe.to_dict`
    writes it. Two recipes that train and predict the same way compare equal.
    """
    values = migrate_legacy_options(recipe, source)
    if "wrappers" in values:
        wrappers = check_wrappers(values["wrappers"], source)
        values = {k: v for k, v in values.items() if k != "wrappers"}
        if wrappers:
            values["wrappers"] = wrappers
    return values


def declared_wrappers(recipe: Mapping[str, Any], source: str = "recipe") -> dict[str, dict[str, Any]]:
    """The wrappers a resolved recipe dict declares (either spelling), name → parameters."""
    return dict(canonical_recipe(recipe, source).get("wrappers") or {})
