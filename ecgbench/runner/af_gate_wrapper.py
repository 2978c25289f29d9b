"""The ``af_gate`` recipe wrapper: S calls inside AF become N (:mod:`ecgbench.streaming.af_gate`).

A recipe declaring ``"wrappers": {"af_gate": {}}`` (:mod:`ecgbench.models.wrappers`) has the runner
pass the submission's test probabilities through
:func:`ecgbench.streaming.af_gate.gate_supraventricular` before scoring and saving them, so the run
record, the prediction file and ``leaderboard check`` all see the gated labels; the stream applies
the same rule to a saved model whose ``recipe.json`` declares it. The gate follows each record's
beats in time order, so it needs whole records: the inter-patient track (DS2) has them, the
intra-patient track's random beat split does not, and the wrapper is refused there. Model
selection on the validation split is not gated (the gate has nothing to fit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecgbench.errors import ConfigError
from ecgbench.models import Recipe
from ecgbench.models.wrappers import declared_wrappers

#: Wrapper name.
AF_GATE = "af_gate"


def af_gate_of(recipe: Recipe | Mapping[str, Any], source: str, track: str | None = None) -> bool:
    """Whether a recipe declares the AF gate.

    Parameters
    ----------
    recipe : Recipe or dict
        A recipe, or a resolved recipe dict as run records and artefact folders hold it (the
        legacy ``options.af_gate`` spelling included, :func:`ecgbench.models.wrappers.canonical_recipe`).
    source : str
        Named in errors.
    track : str, optional
        The beat track of the run; the gate is refused on ``"intrapatient"``.

    Raises
    ------
    ConfigError
        A malformed wrappers block, or the gate declared on the intra-patient track; the message
        names ``source``.
    """
    wrappers = recipe.wrappers if isinstance(recipe, Recipe) else declared_wrappers(recipe, source)
    declared = AF_GATE in wrappers
    if declared and track == "intrapatient":
        raise ConfigError(
            f"{source}: the {AF_GATE} wrapper follows each record's beats in time order and needs whole records; "
            f'the intra-patient track splits records beat by beat: remove it there with "tracks": '
            f'{{"intrapatient": {{"wrappers": {{"{AF_GATE}": null}}}}}} in the recipe'
        )
    return declared
