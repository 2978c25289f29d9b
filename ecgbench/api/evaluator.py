"""``ecgbench.Evaluator``: score a task's test-split predictions with the runner's own scorer.

For the same predictions and bootstrap seed it returns the same digits a run record holds: beat
tasks go through :func:`ecgbench.runner.evaluate.score_labelled` (EC57, subject-resampled
bootstrap), rhythm tasks through :func:`ecgbench.runner.rhythm_evaluate.score_rhythm`, the
functions the runners call (:mod:`ecgbench.runner.predictions`). Predictions are matched to the
test split by their keys (``record`` and ``sample``/``start``), so their row order does not matter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ecgbench.models.prediction_file import ROW_SUM_TOLERANCE, SubmittedPredictions, check_prediction_arrays
from ecgbench.runner.evaluate import BOOTSTRAP_CONFIDENCE, BOOTSTRAP_RESAMPLES
from ecgbench.runner.predictions import Scored, load_reference, reference_arrays, score_against
from ecgbench.runner.task_facts import SCORER_EC57, TaskFacts, task_facts


class Evaluator:
    """Score predictions of a task's test split (OGB-style ``Evaluator(name)``).

    Parameters
    ----------
    task : str
        A task, e.g. ``"beats-interpatient"`` (see ``ecgbench.runner.task_facts.known_tasks()``).
    tfds_dir : path-like, optional
        Folder of built TFDS datasets holding the reference labels; default
        ``$ECGBENCH_TFDS_DIR``, else ``~/ecgbench_data/tfds``.
    bootstrap_resamples : int
        Subject-level bootstrap resamples behind each interval (runs record 1000).
    reference : mapping, optional
        ``record``, ``sample``/``start`` and ``label`` arrays of the test split, instead of reading
        the built dataset (tests, or a caller that already holds them).

    Examples
    --------
    >>> evaluator = ecgbench.Evaluator("beats-interpatient")        # doctest: +SKIP
    >>> evaluator.eval({"record": r, "sample": s, "probabilities": p})["gross.veb.f1"]  # doctest: +SKIP
    {'value': 90.34, 'ci_low': 74.69, 'ci_high': 96.14}
    """

    def __init__(
        self,
        task: str,
        *,
        tfds_dir: str | os.PathLike | None = None,
        bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
        reference: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self.facts: TaskFacts = task_facts(task)
        self.task = task
        self.tfds_dir = tfds_dir
        self.bootstrap_resamples = int(bootstrap_resamples)
        self._reference = None if reference is None else reference_arrays(self.facts, reference)

    @property
    def expected_input_format(self) -> dict[str, Any]:
        """What :meth:`eval` takes: keys, shapes, dtypes, units and the class order."""
        facts, k = self.facts, len(self.facts.class_names)
        where = "R peak of the beat" if facts.position_key == "sample" else "first sample of the window"
        return {
            "task": facts.task,
            "split": f"test ({facts.dataset_name} split {facts.splits['test']!r}); one row per example of ecgbench.load(task, 'test')",
            "record": "str [n]: record name, as in ecgbench.load(...)['record']",
            facts.position_key: f"int [n]: {where}, samples at {facts.sampling_rate:g} Hz, as in ecgbench.load(...)[{facts.position_key!r}]",
            "probabilities": f"float [n, {k}] in [0, 1], rows summing to 1 (within {ROW_SUM_TOLERANCE:g}), columns in class order; or instead",
            "prediction": f"int [n] class index 0..{k - 1}, or str [n] class name (scored as one-hot probabilities)",
            "class_names": list(facts.class_names),
            "scoring": "arg-max class; EC57 beat-by-beat figures" if facts.scorer == SCORER_EC57 else "arg-max class; window figures",
            "bootstrap": {"n_resamples": self.bootstrap_resamples, "confidence": BOOTSTRAP_CONFIDENCE, "unit": "subject",
                          "seed": "eval(..., seed=): a run record uses its run's seed"},  # fmt: skip
            "returns": "{metric: {'value', 'ci_low', 'ci_high'}} in percent, None where undefined (the run record's 'metrics')",
            "note": facts.note,
        }

    def reference(self) -> dict[str, np.ndarray]:
        """The test split's ``record``, position and ``label`` arrays (read once from the built dataset)."""
        if self._reference is None:
            self._reference = load_reference(self.facts, self.tfds_dir)
        return self._reference

    def eval(self, input_dict: Mapping[str, Any], *, seed: int = 0) -> dict[str, dict[str, float | None]]:
        """Score predictions of every test example.

        Parameters
        ----------
        input_dict : mapping
            See :attr:`expected_input_format`.
        seed : int
            Bootstrap seed (a run record uses the seed of its run).

        Returns
        -------
        dict
            ``{metric: {"value", "ci_low", "ci_high"}}``: the task's official figures, in percent.

        Raises
        ------
        SubmissionError
            Malformed input, or keys that are missing from, extra to or repeated in the test split.
        """
        predictions = check_prediction_arrays(input_dict, self.facts.class_names, self.facts.position_key, source="input_dict")
        return self.score(predictions, seed=seed, source="input_dict").metrics

    def score(self, predictions: SubmittedPredictions, *, seed: int = 0, source: str = "predictions") -> Scored:
        """Score checked predictions (:mod:`ecgbench.models.prediction_file`); see :meth:`eval`."""
        return score_against(self.facts, self.reference(), predictions, n_resamples=self.bootstrap_resamples, seed=seed, source=source)

    def __repr__(self) -> str:
        return f"Evaluator({self.task!r})"
