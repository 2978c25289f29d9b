"""Run-record checks, one small class each (MLPerf submission-checker style).

:func:`check_records` runs :data:`ALL_CHECKS` on each record; a record whose schema is invalid
gets only the schema result (the others would read fields that are not there).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ecgbench.errors import EcgbenchError
from ecgbench.leaderboard.checks.artifacts import ArtifactsCheck
from ecgbench.leaderboard.checks.base import FAIL, PASS, SKIP, Check, CheckContext, CheckResult, CheckSession
from ecgbench.leaderboard.checks.dataset import DatasetChecksumCheck, DatasetLabelsCheck
from ecgbench.leaderboard.checks.metrics import MetricsCheck
from ecgbench.leaderboard.checks.prediction_hash import PredictionHashCheck
from ecgbench.leaderboard.checks.schema import SchemaCheck, schema_problems
from ecgbench.leaderboard.checks.seed import SeedCheck
from ecgbench.leaderboard.checks.track_rules import MODEL_FILE_KINDS, TrackRulesCheck

#: Every check, in the order they run and are reported.
ALL_CHECKS: tuple[Check, ...] = (
    SchemaCheck(),
    PredictionHashCheck(),
    MetricsCheck(),
    DatasetLabelsCheck(),
    DatasetChecksumCheck(),
    TrackRulesCheck(),
    SeedCheck(),
    ArtifactsCheck(),
)


@dataclass(frozen=True)
class RecordReport:
    """All check results of one run record."""

    path: Path
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not any(r.failed for r in self.results)

    def failures(self) -> list[CheckResult]:
        """The failed checks."""
        return [r for r in self.results if r.failed]


def check_record(path: str | os.PathLike, session: CheckSession | None = None, checks: Sequence[Check] = ALL_CHECKS) -> RecordReport:
    """Run ``checks`` on one run-record file."""
    session = session if session is not None else CheckSession.default()
    context = CheckContext.load(path, session)
    results: list[CheckResult] = []
    for check in checks:
        if results and results[0].check == SchemaCheck.name and results[0].failed:
            results.append(CheckResult(check.name, SKIP, "not run: the record does not follow the schema"))
            continue
        try:
            results.append(check.run(context))
        except (EcgbenchError, OSError, ValueError, KeyError) as exc:
            results.append(CheckResult(check.name, FAIL, f"{type(exc).__name__}: {exc}"))
    return RecordReport(Path(path), tuple(results))


def check_records(paths: Iterable[str | os.PathLike], session: CheckSession | None = None) -> list[RecordReport]:
    """Run every check on each run-record file (see :func:`ecgbench.leaderboard.store.record_paths`)."""
    session = session if session is not None else CheckSession.default()
    return [check_record(path, session) for path in paths]


__all__ = [
    "ALL_CHECKS", "ArtifactsCheck", "Check", "CheckContext", "CheckResult", "CheckSession", "DatasetChecksumCheck", "DatasetLabelsCheck",
    "FAIL", "MODEL_FILE_KINDS", "MetricsCheck", "PASS", "PredictionHashCheck", "RecordReport", "SKIP", "SchemaCheck",
    "SeedCheck", "TrackRulesCheck", "check_record", "check_records", "schema_problems",
]  # fmt: skip
