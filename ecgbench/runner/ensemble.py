"""Seed ensembles of a Keras submission: ``options.ensemble`` independently trained members, probabilities averaged.

With about 17 training patients in DS1, the same network trained with two seeds can land
20-40 SVEB-F1 points apart on DS2 (the leaderboard's spread-over-seeds table); averaging the
softmax outputs of independently initialised and independently augmented members is the standard
way to shrink that variance without changing the network (Lakshminarayanan et al. 2017).

How the runner reads the option (like ``options.per_beat``, the runner reads it, not the model):

- ``options.ensemble: K`` (an integer, 1 to :data:`MAX_MEMBERS`; absent = 1, a single model);
- member ``k`` of a run with seed ``s`` is trained exactly as a single run with seed
  ``s * K + k`` (:func:`member_seeds`): own weights initialisation, own batch order and
  augmentation draws, own early stopping on the validation split. Ensemble seed 0 of a 3-member
  recipe therefore holds the models of single runs 0, 1 and 2, and ensemble seeds never share
  a member. (``--quick`` runs are the exception: their small training subset is drawn once with
  the run seed, so the members train on the subset of seed ``s``, not of ``s * K + k``.);
- the members share the normaliser (it is fitted on the training split, without randomness);
- the saved model is one Keras model (:func:`average_members`) whose output is the mean of the
  members' probabilities, so streaming, ``submit`` exports and ``verify`` treat it as any model;
- the run record's ``training`` block keeps each member's seed, epochs and validation history
  (``members``), and ``best_score`` is the ensemble's own validation score.

References
----------
Lakshminarayanan B, Pritzel A, Blundell C. Simple and scalable predictive uncertainty estimation
using deep ensembles. Advances in Neural Information Processing Systems 30 (2017).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecgbench.errors import ConfigError
from ecgbench.models import InputSpec, Recipe

#: Largest ``options.ensemble`` accepted (each member costs one full training).
MAX_MEMBERS = 10


def ensemble_size(recipe: Recipe, source: str = "recipe") -> int:
    """Number of members ``options.ensemble`` asks for (1 when absent).

    Raises
    ------
    ConfigError
        Not an integer from 1 to :data:`MAX_MEMBERS`; the message names ``source``.
    """
    size = recipe.options.get("ensemble", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_MEMBERS:
        raise ConfigError(f"{source}: options.ensemble must be an integer from 1 to {MAX_MEMBERS} (got {size!r})")
    return size


def member_seeds(seed: int, size: int) -> list[int]:
    """Seeds of the ``size`` members of a run with seed ``seed``: ``seed * size + k``, ``k = 0 … size - 1``."""
    return [int(seed) * size + k for k in range(size)]


def average_members(members: Sequence[Any], spec: InputSpec):
    """One ``keras.Model`` taking ``{"signal", "rr"}`` whose output is the mean of the members' softmax outputs.

    The members are renamed ``member_0`` … (a functional model needs distinct layer names; they
    all come from the same ``build_model``).
    """
    import keras

    inputs = {
        "signal": keras.Input(shape=spec.signal_shape, name="signal"),
        "rr": keras.Input(shape=(spec.n_rr,), name="rr"),
    }
    for k, member in enumerate(members):
        member.name = f"member_{k}"
    outputs = [member(inputs) for member in members]
    mean = keras.layers.Average(name="ensemble_mean")(outputs)
    return keras.Model(inputs, mean, name=f"ensemble_of_{len(members)}")
