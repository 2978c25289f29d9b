"""What every check shares: its result, the context it reads, and the base class.

Each check is one small class with a ``name`` and a ``run(context) -> CheckResult`` method. A
result is ``pass``, ``fail`` or ``skip`` (the check could not run here, e.g. no built dataset on
this machine; the message says why). Only ``fail`` makes ``ecgbench leaderboard check`` exit
non-zero.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ecgbench.leaderboard.store import predictions_path_of

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check on one run record."""

    check: str
    status: str
    message: str

    @property
    def failed(self) -> bool:
        """True for ``fail`` (``skip`` is not a failure)."""
        return self.status == FAIL


@dataclass
class CheckSession:
    """Settings and caches shared by the checks of one ``check`` invocation.

    Attributes
    ----------
    tfds_dir : path-like or None
        Built TFDS datasets to compare labels and checksums with (default ``$ECGBENCH_TFDS_DIR``,
        else ``~/ecgbench_data/tfds``); absent data makes those checks ``skip``.
    canonical : dict or None
        ``{(dataset name, version): sha256}``; default read from the published table
        (:func:`ecgbench.leaderboard.canonical.read_canonical_checksums`), None when unpublished.
    use_local_dataset : bool
        Whether checks may read the built dataset at all (``--no-dataset`` turns it off).
    """

    tfds_dir: str | os.PathLike | None = None
    canonical: dict[tuple[str, str], str] | None = None
    use_local_dataset: bool = True
    cache: dict[Any, Any] = field(default_factory=dict)

    @classmethod
    def default(cls, tfds_dir: str | os.PathLike | None = None, use_local_dataset: bool = True) -> CheckSession:
        """A session with the published canonical table."""
        from ecgbench.leaderboard.canonical import read_canonical_checksums

        return cls(tfds_dir=tfds_dir, canonical=read_canonical_checksums(), use_local_dataset=use_local_dataset)


@dataclass
class CheckContext:
    """One run record under check: its path, raw JSON (or the reason it is unreadable), predictions."""

    path: Path
    session: CheckSession
    record: dict[str, Any] | None = None
    load_error: str | None = None
    _predictions: dict[str, np.ndarray] | None = None

    @classmethod
    def load(cls, path: str | os.PathLike, session: CheckSession) -> CheckContext:
        """Read the JSON without judging it (the schema check does that)."""
        path = Path(path)
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            return cls(path=path, session=session, load_error=f"cannot read {path} as JSON: {exc}")
        if not isinstance(record, dict):
            return cls(path=path, session=session, load_error=f"{path} holds a JSON {type(record).__name__}, not an object")
        return cls(path=path, session=session, record=record)

    @property
    def predictions_path(self) -> Path:
        """The prediction file named by ``predictions.file``, beside the record."""
        return predictions_path_of(self.path, self.record)

    def predictions(self) -> dict[str, np.ndarray]:
        """All arrays of the prediction file (read once)."""
        if self._predictions is None:
            with np.load(self.predictions_path, allow_pickle=False) as data:
                self._predictions = {name: data[name] for name in data.files}
        return self._predictions


class Check:
    """Base class: subclasses set ``name`` and implement :meth:`run`."""

    name: ClassVar[str] = "check"

    def run(self, context: CheckContext) -> CheckResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def passed(self, message: str) -> CheckResult:
        return CheckResult(self.name, PASS, message)

    def failed(self, message: str) -> CheckResult:
        return CheckResult(self.name, FAIL, message)

    def skipped(self, message: str) -> CheckResult:
        return CheckResult(self.name, SKIP, message)
