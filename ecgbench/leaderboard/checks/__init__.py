"""Run-record checks, one small class each (MLPerf submission-checker style).

:func:`check_records` runs :data:`ALL_CHECKS` on each record; a record whose schema is invalid
gets only the schema result (the others would read fields that are not there).
:func:`summarise_reports` counts the results per task for a one-screen summary.
"""

from __future__ import annotations

import json
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


@dataclass
class TaskCounts:
    """Records of one task: how many, how many pass or fail, and how many checks were skipped."""

    records: int = 0
    passed: int = 0
    failed: int = 0
    skipped_checks: int = 0


@dataclass(frozen=True)
class CheckSummary:
    """Counts per task and the failing reports of one ``check`` invocation."""

    by_task: dict[str, TaskCounts]
    failed: tuple[RecordReport, ...]
    n_records: int

    @property
    def n_passed(self) -> int:
        return self.n_records - len(self.failed)

    @property
    def tasks(self) -> list[str]:
        """Tasks in display order (known tracks first)."""
        from ecgbench.leaderboard.tracks import ordered_tasks

        return ordered_tasks(self.by_task)


def _task_of(path: Path) -> str:
    """The record's ``task`` field, else its folder's name (unreadable records included)."""
    try:
        task = json.loads(path.read_text()).get("task")
    except (OSError, ValueError, AttributeError):
        task = None
    return str(task) if isinstance(task, str) and task else path.parent.name


def summarise_reports(reports: Sequence[RecordReport]) -> CheckSummary:
    """Count records passing and failing per task, and the checks skipped (for a one-screen summary)."""
    by_task: dict[str, TaskCounts] = {}
    for report in reports:
        counts = by_task.setdefault(_task_of(report.path), TaskCounts())
        counts.records += 1
        counts.passed += report.ok
        counts.failed += not report.ok
        counts.skipped_checks += sum(r.status == SKIP for r in report.results)
    return CheckSummary(by_task, tuple(r for r in reports if not r.ok), len(reports))


def check_records(paths: Iterable[str | os.PathLike], session: CheckSession | None = None) -> list[RecordReport]:
    """Run every check on each run-record file (see :func:`ecgbench.leaderboard.store.record_paths`)."""
    session = session if session is not None else CheckSession.default()
    return [check_record(path, session) for path in paths]


__all__ = [
    "ALL_CHECKS", "ArtifactsCheck", "Check", "CheckSummary", "CheckContext", "CheckResult", "CheckSession", "DatasetChecksumCheck", "DatasetLabelsCheck",
    "FAIL", "MODEL_FILE_KINDS", "MetricsCheck", "PASS", "PredictionHashCheck", "RecordReport", "SKIP", "SchemaCheck",
    "SeedCheck", "TaskCounts", "TrackRulesCheck", "check_record", "check_records", "schema_problems", "summarise_reports",
]  # fmt: skip
