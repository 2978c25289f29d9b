"""The ``ensemble`` recipe wrapper: ``members`` independently trained Keras models, probabilities averaged.

With about 17 training patients in DS1, the same network trained with two seeds can land
20-40 SVEB-F1 points apart on DS2 (the leaderboard's spread-over-seeds table); averaging the
softmax outputs of independently initialised and independently augmented members is the standard
way to shrink that variance without changing the network (Lakshminarayanan et al. 2017).

How the runner carries out ``"wrappers": {"ensemble": {"members": K}}`` (:mod:`ecgbench.models.wrappers`;
K from 1 to :data:`ecgbench.models.wrappers.MAX_MEMBERS`; no wrapper = a single model):

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

from ecgbench.models import InputSpec, Recipe

#: Wrapper name.
ENSEMBLE = "ensemble"


def ensemble_size(recipe: Recipe) -> int:
    """Number of members the recipe's ``ensemble`` wrapper asks for (1 without the wrapper).

    The value was checked when the recipe was read (:func:`ecgbench.models.wrappers.check_wrappers`).
    """
    return int(recipe.wrappers.get(ENSEMBLE, {}).get("members", 1))


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
