"""The submission protocol: what a model folder provides, loading it, and checking its outputs."""

from ecgbench.models.errors import SubmissionError
from ecgbench.models.loader import LoadedSubmission, baselines_dir, list_baselines, load_submission, resolve_submission
from ecgbench.models.protocol import BALANCE_MODES, OPTIMIZERS, BeatArrays, InputSpec, Recipe
from ecgbench.models.validate import check_probabilities

__all__ = [
    "BALANCE_MODES", "BeatArrays", "InputSpec", "LoadedSubmission", "OPTIMIZERS", "Recipe", "SubmissionError",
    "baselines_dir", "check_probabilities", "list_baselines", "load_submission", "resolve_submission",
]  # fmt: skip
