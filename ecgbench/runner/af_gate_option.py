"""The runner-read recipe option ``options.af_gate``: S calls inside AF become N (:mod:`ecgbench.streaming.af_gate`).

With ``"af_gate": true`` the runner passes the submission's test probabilities through
:func:`ecgbench.streaming.af_gate.gate_supraventricular` before scoring and saving them, so the run
record, the prediction file and ``leaderboard check`` all see the gated labels; the stream applies
the same rule to a saved model whose ``recipe.json`` asks for it. The gate follows each record's
beats in time order, so it needs whole records: the inter-patient track (DS2) has them, the
intra-patient track's random beat split does not, and the option is refused there. Model
selection on the validation split is not gated (the gate has nothing to fit).
"""

from __future__ import annotations

from collections.abc import Mapping

from ecgbench.errors import ConfigError

#: Recipe option name.
AF_GATE_OPTION = "af_gate"


def af_gate_of(options: Mapping, source: str, track: str | None = None) -> bool:
    """Whether ``options`` ask for the AF gate.

    Raises
    ------
    ConfigError
        The value is not a boolean, or the gate is asked for on the intra-patient track; the
        message names ``source``.
    """
    value = options.get(AF_GATE_OPTION, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{source}: options.{AF_GATE_OPTION} must be true or false (got {value!r})")
    if value and track == "intrapatient":
        raise ConfigError(
            f"{source}: options.{AF_GATE_OPTION} follows each record's beats in time order and needs whole records; "
            "the intra-patient track splits records beat by beat: set it to false in the recipe's tracks.intrapatient block"
        )
    return value

