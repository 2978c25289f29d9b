"""Check: the run followed its task's rules (which splits trained, selected and tested).

The rules are the task's declaration (:mod:`ecgbench.tasks`): its :class:`~ecgbench.tasks.SplitRoles`
(test split; the splits a run may train and select on) and :class:`~ecgbench.tasks.ProtocolRules`
(records a prediction file may hold; whether a ranked run must predict all of them; whether the
training split is fixed). Inter-patient (``beats-interpatient``): training and model selection on
DS1 splits only (``ds1``, ``ds1_train``, ``ds1_val``), test split ``ds2``, predictions on DS2
records only — all 22 unless the run is ``quick``. Intra-patient (``beats-intrapatient``):
``intra_train`` → ``intra_test`` on the 44 non-paced records. For pre-trained model files the
training splits are what the submitter declared in the manifest. Tasks without rules skip.
"""

from __future__ import annotations

import numpy as np

from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult

#: ``submission.kind`` of pre-trained model files evaluated by ``ecgbench submit``.
MODEL_FILE_KINDS: tuple[str, ...] = ("keras-file", "savedmodel", "onnx")


def _split_names(value) -> list[str]:
    """A split entry may be one name, a list of names, or a described name like ``"x[...]"``."""
    names = value if isinstance(value, list) else [value]
    return [str(n).split("[", 1)[0].strip() for n in names]


class TrackRulesCheck(Check):
    """Splits and test records obey the task's protocol."""

    name = "track-rules"

    def run(self, context: CheckContext) -> CheckResult:
        from ecgbench.tasks import find_task

        task = find_task(context.record["task"])
        if task is None or task.rules is None:
            return self.skipped(f"no track rules defined for task {context.record['task']!r}")
        return self._check(context, task)

    def _test_records(self, context: CheckContext) -> set[str] | CheckResult:
        try:
            return set(np.asarray(context.predictions()["record"]).astype(str).tolist())
        except (OSError, ValueError, KeyError) as exc:
            return self.failed(f"cannot read the records of prediction file {context.predictions_path}: {exc}")

    def _check(self, context: CheckContext, task) -> CheckResult:
        record, roles, rules = context.record, task.splits, task.rules
        splits = record["dataset"].get("splits") or {}
        if rules.exact_train and (_split_names(splits.get("test")) != [roles.test] or _split_names(splits.get("train")) != [roles.train]):
            return self.failed(
                f"field dataset.splits is {splits!r}; the {task.name} task trains on {roles.train} and tests on {roles.test}"
            )
        for role in ("train", "val"):
            if role in splits:
                bad = [n for n in _split_names(splits[role]) if n not in roles.may_train_on]
                if bad:
                    return self.failed(
                        f"field dataset.splits.{role} is {splits[role]!r}: a {task.name} run may only train and "
                        f"select on {', '.join(roles.may_train_on)}"
                    )
        if "train" not in splits:
            return self.failed("field dataset.splits.train is missing: the training data must be declared")
        if _split_names(splits.get("test")) != [roles.test]:
            return self.failed(f"field dataset.splits.test is {splits.get('test')!r}; the {task.name} test split is {roles.test}")
        records = self._test_records(context)
        if isinstance(records, CheckResult):
            return records
        allowed = set(rules.test_records)
        outside = sorted(records - allowed)
        if outside:
            return self.failed(f"prediction file holds record(s) outside the {roles.test} records: {', '.join(outside)}")
        if rules.all_test_records and not record["quick"] and records != allowed:
            missing = sorted(allowed - records)
            return self.failed(f"a ranked run must predict every {roles.test} record; missing {', '.join(missing)}")
        trained = sorted({n for role in ("train", "val") for n in _split_names(splits.get(role, []))})
        declared = " (declared in the submission manifest)" if record["submission"].get("kind") in MODEL_FILE_KINDS else ""
        leaky = f" ({task.name}: leaky)" if task.board.leaky else ""
        return self.passed(f"trained/selected on {', '.join(trained)}{declared}; tested on {len(records)} {roles.test} records{leaky}")
