"""ecgbench: a reproducible ECG benchmark suite (MIT-BIH splits, EC57 scoring, baselines, streaming).

The public API, one screen::

    import ecgbench
    train = ecgbench.load("beats-interpatient", "train", as_numpy=True)   # official split → arrays
    evaluator = ecgbench.Evaluator("beats-interpatient")                  # .expected_input_format
    metrics = evaluator.eval({"record": ..., "sample": ..., "probabilities": ...})
    model = ecgbench.load_model("cnn1d-context-ensemble-afgate", seed=0)  # committed weights of a run

Names are imported on first use, so ``import ecgbench`` stays light (no TensorFlow).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name → module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "load": "ecgbench.api.loading",
    "Evaluator": "ecgbench.api.evaluator",
    "load_model": "ecgbench.api.pretrained",
}

__all__ = ["Evaluator", "__version__", "load", "load_model"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ecgbench.api.evaluator import Evaluator
    from ecgbench.api.loading import load
    from ecgbench.api.pretrained import load_model


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ecgbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
