"""Check: the run record follows schema version 1 (keys, types, file names)."""

from __future__ import annotations

import re
from numbers import Real
from typing import Any

from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.leaderboard.record import REQUIRED_KEYS, SCHEMA_VERSION

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_METRIC_FIELDS = ("value", "ci_low", "ci_high")
#: Required sub-keys of the object-valued fields.
_NESTED: dict[str, tuple[str, ...]] = {
    "submission": ("name", "kind"),
    "dataset": ("name", "version", "checksum", "splits"),
    "bootstrap": ("n_resamples", "confidence", "seed", "unit"),
    "predictions": ("file", "sha256", "n_beats"),
    "provenance": ("git_sha", "git_dirty", "python", "packages", "command", "started_at"),
}


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def schema_problems(record: dict[str, Any], file_stem: str | None = None, folder: str | None = None) -> list[str]:
    """Return every violation of schema 1, each naming the field (empty when valid)."""
    if record.get("schema_version") != SCHEMA_VERSION:
        return [
            f"schema_version is {record.get('schema_version')!r}; this ecgbench reads version {SCHEMA_VERSION} "
            "(re-run the benchmark with this version)"
        ]
    problems = [f"missing field {key!r}" for key in REQUIRED_KEYS if key not in record]
    for key, subkeys in _NESTED.items():
        block = record.get(key)
        if key in record and not isinstance(block, dict):
            problems.append(f"field {key!r} must be an object")
        elif isinstance(block, dict):
            problems += [f"missing field {key}.{sub}" for sub in subkeys if sub not in block]
    for key, kind in (("run_id", str), ("task", str), ("quick", bool)):
        if key in record and not isinstance(record[key], kind):
            problems.append(f"field {key!r} must be a {kind.__name__}, got {record[key]!r}")
    if "seed" in record and (not isinstance(record["seed"], int) or isinstance(record["seed"], bool)):
        problems.append(f"field 'seed' must be an integer, got {record['seed']!r}")
    if file_stem is not None and record.get("run_id") not in (None, file_stem):
        problems.append(f"field 'run_id' is {record['run_id']!r} but the file is {file_stem}.json")
    if folder is not None and record.get("task") not in (None, folder):
        problems.append(f"field 'task' is {record['task']!r} but the record lives in folder {folder!r}")
    predictions = record.get("predictions")
    if isinstance(predictions, dict) and not _SHA256.match(str(predictions.get("sha256"))):
        problems.append(f"field predictions.sha256 must be 64 hex digits, got {predictions.get('sha256')!r}")
    problems += _metric_problems(record.get("metrics"))
    return problems


def _metric_problems(metrics: Any) -> list[str]:
    if metrics is None:
        return []
    if not isinstance(metrics, dict) or not metrics:
        return ["field 'metrics' must be a non-empty object of {value, ci_low, ci_high}"]
    problems = []
    for key, entry in metrics.items():
        if not isinstance(entry, dict) or set(entry) != set(_METRIC_FIELDS):
            problems.append(f"field metrics[{key!r}] must be an object with exactly {', '.join(_METRIC_FIELDS)}")
            continue
        for name in _METRIC_FIELDS:
            value = entry[name]
            if value is not None and not _is_number(value):
                problems.append(f"field metrics[{key!r}].{name} must be a number or null, got {value!r}")
        low, high = entry["ci_low"], entry["ci_high"]
        if _is_number(low) and _is_number(high) and low > high:
            problems.append(f"field metrics[{key!r}] has ci_low {low} > ci_high {high}")
    return problems


class SchemaCheck(Check):
    """The record is JSON, schema version 1, with every field present and well typed."""

    name = "schema"

    def run(self, context: CheckContext) -> CheckResult:
        if context.record is None:
            return self.failed(context.load_error or "unreadable")
        problems = schema_problems(context.record, context.path.stem, context.path.parent.name)
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            return self.failed(shown)
        return self.passed(f"schema version {SCHEMA_VERSION}, {len(context.record['metrics'])} metrics")
