"""Check: the run followed its track's rules (which splits trained, selected and tested).

Inter-patient (``beats-interpatient``): training and model selection used DS1 splits only
(``ds1``, ``ds1_train``, ``ds1_val``), the test split is ``ds2``, and the predictions cover DS2
records only — all 22 of them unless the run is ``quick``. Intra-patient
(``beats-intrapatient``): ``intra_train`` → ``intra_test`` on the 44 non-paced records. For
pre-trained model files the training splits are what the submitter declared in the manifest.
"""

from __future__ import annotations

import numpy as np

from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.records import BEAT_RECORDS, DS2
from ecgbench.records.splits import BEAT_SPLIT_RECORDS

#: ``submission.kind`` of pre-trained model files evaluated by ``ecgbench submit``.
MODEL_FILE_KINDS: tuple[str, ...] = ("keras-file", "savedmodel", "onnx")
#: Splits an inter-patient run may train or select on.
DS1_SPLITS: tuple[str, ...] = ("ds1", "ds1_train", "ds1_val")


def _split_names(value) -> list[str]:
    """A split entry may be one name, a list of names, or a described name like ``"x[...]"``."""
    names = value if isinstance(value, list) else [value]
    return [str(n).split("[", 1)[0].strip() for n in names]


class TrackRulesCheck(Check):
    """Splits and test records obey the task's protocol."""

    name = "track-rules"

    def run(self, context: CheckContext) -> CheckResult:
        record = context.record
        task = record["task"]
        if task == "beats-interpatient":
            return self._interpatient(context)
        if task == "beats-intrapatient":
            return self._intrapatient(context)
        return self.skipped(f"no track rules defined for task {task!r}")

    def _test_records(self, context: CheckContext) -> set[str] | CheckResult:
        try:
            return set(np.asarray(context.predictions()["record"]).astype(str).tolist())
        except (OSError, ValueError, KeyError) as exc:
            return self.failed(f"cannot read the records of prediction file {context.predictions_path}: {exc}")

    def _interpatient(self, context: CheckContext) -> CheckResult:
        record = context.record
        splits = record["dataset"].get("splits") or {}
        for role in ("train", "val"):
            if role in splits:
                bad = [n for n in _split_names(splits[role]) if n not in DS1_SPLITS]
                if bad:
                    return self.failed(
                        f"field dataset.splits.{role} is {splits[role]!r}: an inter-patient run may only train and "
                        f"select on {', '.join(DS1_SPLITS)}"
                    )
        if "train" not in splits:
            return self.failed("field dataset.splits.train is missing: the training data must be declared")
        if _split_names(splits.get("test")) != ["ds2"]:
            return self.failed(f"field dataset.splits.test is {splits.get('test')!r}; the inter-patient test split is ds2")
        records = self._test_records(context)
        if isinstance(records, CheckResult):
            return records
        outside = sorted(records - set(DS2))
        if outside:
            return self.failed(f"prediction file holds non-DS2 record(s) {', '.join(outside)}")
        if not record["quick"] and records != set(DS2):
            missing = sorted(set(DS2) - records)
            return self.failed(f"a ranked run must predict every DS2 record; missing {', '.join(missing)}")
        train = sorted({r for n in _split_names(splits["train"]) + _split_names(splits.get("val", [])) for r in BEAT_SPLIT_RECORDS.get(n, ())})
        declared = " (declared in the submission manifest)" if record["submission"].get("kind") in MODEL_FILE_KINDS else ""
        return self.passed(f"trained/selected on DS1 only ({len(train)} records){declared}; tested on {len(records)} DS2 records")

    def _intrapatient(self, context: CheckContext) -> CheckResult:
        splits = context.record["dataset"].get("splits") or {}
        if _split_names(splits.get("test")) != ["intra_test"] or _split_names(splits.get("train")) != ["intra_train"]:
            return self.failed(
                f"field dataset.splits is {splits!r}; the intra-patient track trains on intra_train and tests on intra_test"
            )
        records = self._test_records(context)
        if isinstance(records, CheckResult):
            return records
        outside = sorted(records - set(BEAT_RECORDS))
        if outside:
            return self.failed(f"prediction file holds record(s) outside the 44 beat records: {', '.join(outside)}")
        return self.passed(f"intra_train → intra_test on {len(records)} records (leaky track)")
