"""Checks against the dataset: the canonical checksum, and the labels in the prediction file."""

from __future__ import annotations

import numpy as np

from ecgbench.errors import EcgbenchError
from ecgbench.leaderboard.canonical import canonical_file
from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.leaderboard.local_dataset import DATASET_CONFIGS, local_checksum, local_labels
from ecgbench.leaderboard.tracks import track_for
from ecgbench.records.physionet import read_checksums, record_files, source_checksum


def _task_verifier(task: str):
    """The ``verify_dataset`` function of a registered task (:mod:`ecgbench.tasks`), or None."""
    from ecgbench.tasks import find_task

    found = find_task(task)
    return None if found is None else found.dataset_verifier()


class DatasetChecksumCheck(Check):
    """``dataset.checksum`` is the published checksum of that dataset build.

    With the canonical table published (:mod:`ecgbench.leaderboard.canonical`), a record whose
    dataset is not listed fails. Without it, the checksum is compared with the local build when
    there is one, else the check is skipped.
    """

    name = "dataset-checksum"

    def run(self, context: CheckContext) -> CheckResult:
        dataset = context.record["dataset"]
        name, version, checksum = dataset.get("name"), str(dataset.get("version")), dataset.get("checksum")
        if not checksum:
            return self.failed(f"field dataset.checksum is {checksum!r}; the run must record the dataset's SHA-256")
        if dataset.get("identity") == "source":
            return self._source(dataset, checksum)
        verifier = _task_verifier(context.record["task"])
        if verifier is not None:
            expected = verifier(dataset)
            if expected != checksum:
                return self.failed(f"field dataset.checksum {checksum[:12]}… is not the task's {expected[:12]}… of {name} {version}")
            return self.passed(f"{name} {version}: the checksum its task declares {checksum[:12]}…")
        canonical = context.session.canonical
        if canonical is not None:
            expected = canonical.get((str(name), version))
            if expected is None:
                return self.failed(
                    f"dataset {name!r} version {version!r} (field dataset.name/version) has no published checksum in "
                    f"{canonical_file().name}; leaderboard runs must use a published build"
                )
            if expected != checksum:
                return self.failed(f"field dataset.checksum {checksum[:12]}… is not the published {expected[:12]}… of {name} {version}")
            return self.passed(f"{name} {version}: the published checksum {checksum[:12]}…")
        local, where = local_checksum(context.session, dataset)
        if local is None:
            return self.skipped(f"no published checksum table ({canonical_file()}) and {where}")
        if local != checksum:
            return self.failed(f"field dataset.checksum {checksum[:12]}… differs from the local build {where} ({local[:12]}…)")
        return self.passed(f"{name} {version}: equals the local build {where} (no published table yet)")


    def _source(self, dataset, checksum: str) -> CheckResult:
        """Runs that read the WFDB files directly (streaming): the checksum of the published source files."""
        records = dataset.get("records")
        if not isinstance(records, list) or not records:
            return self.failed("field dataset.records must list the records whose source files the run read")
        db = str(dataset.get("name", "")).split("/", 1)[0] or "mitdb"  # "vfdb/source" → the vfdb table
        try:
            table = read_checksums(db=db)
            expected = source_checksum({name: table[name] for name in record_files(records)})
        except KeyError as exc:
            return self.failed(f"field dataset.records names a file without a published checksum: {exc}")
        except EcgbenchError as exc:
            return self.failed(f"field dataset.name {dataset.get('name')!r}: {exc}")
        if expected != checksum:
            return self.failed(
                f"field dataset.checksum {checksum[:12]}… is not the published source checksum {expected[:12]}… of "
                f"the {len(records)} records in dataset.records (PhysioNet files in ecgbench/datasets/{db}/checksums.tsv)"
            )
        return self.passed(f"{len(records)} PhysioNet source records: the published source checksum {checksum[:12]}…")


class DatasetLabelsCheck(Check):
    """The labels stored in the prediction file are the dataset's labels of those beats."""

    name = "dataset-labels"

    def run(self, context: CheckContext) -> CheckResult:
        record = context.record
        dataset = record["dataset"]
        track = track_for(record["task"])
        if not track.beat_predictions:
            return self.skipped(track.recompute_note or f"no label check defined for task {record['task']!r}")
        if str(dataset.get("name")) not in DATASET_CONFIGS:
            return self.skipped(f"dataset {dataset.get('name')!r} cannot be read here")
        local, where = local_checksum(context.session, dataset)
        if local is None:
            return self.skipped(where)
        if local != dataset.get("checksum"):
            return self.skipped(f"the local build {where} is not the run's dataset (checksums differ)")
        split = str((dataset.get("splits") or {}).get("test", "")).split("[", 1)[0]
        try:
            reference = local_labels(context.session, dataset, split)
            predictions = context.predictions()
        except (EcgbenchError, OSError, ValueError, KeyError) as exc:
            return self.failed(f"cannot compare labels with split {split!r}: {exc}")
        return self._compare(predictions, reference, split, quick=bool(record.get("quick")))

    def _compare(self, predictions, reference, split: str, quick: bool) -> CheckResult:
        truth = {(r, int(s)): int(lab) for r, s, lab in zip(reference["record"], reference["sample"], reference["label"], strict=True)}
        keys = list(zip(np.asarray(predictions["record"]).astype(str), np.asarray(predictions["sample"]).tolist(), strict=True))
        unknown = [k for k in keys if k not in truth]
        if unknown:
            return self.failed(f"{len(unknown)} predicted beat(s) are not in split {split} (first: record {unknown[0][0]} sample {unknown[0][1]})")
        wrong = [(k, lab) for k, lab in zip(keys, np.asarray(predictions["label"]).tolist(), strict=True) if truth[k] != lab]
        if wrong:
            (rec, smp), lab = wrong[0]
            return self.failed(
                f"{len(wrong)} label(s) in the prediction file differ from split {split} (first: record {rec} sample {smp} "
                f"has label {lab}, the dataset says {truth[(rec, smp)]})"
            )
        if not quick and len(set(keys)) != len(truth):
            return self.failed(f"the prediction file covers {len(set(keys))} of the {len(truth)} beats of split {split}")
        return self.passed(f"{len(keys)} labels equal split {split} of the local build")
