"""Check: the trained-model artefacts a run record lists (or those of the run it reused) exist and hash as recorded."""

from __future__ import annotations

from pathlib import Path

from ecgbench.errors import EcgbenchError
from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.leaderboard.provenance import sha256_file


class ArtifactsCheck(Check):
    """Every file of ``artifacts.files`` is in ``<record folder>/<artifacts.folder>/`` with that SHA-256.

    A run that reused another run's trained model (``training.model_run`` and ``training.model_task``:
    streaming runs, ``beats-crossdb-svdb`` runs) is checked through that run: its record must be
    in ``<results tree>/<model_task>/<model_run>.json``, its files must hash as it lists, and the
    ``training.artifacts.files`` the reusing record copied must equal them. Records written before
    artefacts existed (no ``artifacts`` block) and runs that save no model (``artifacts.folder``
    null, e.g. estimator baselines) are otherwise skipped with the record's reason.
    """

    name = "artifacts"

    def run(self, context: CheckContext) -> CheckResult:
        training = context.record.get("training")
        if isinstance(training, dict) and training.get("model_run"):
            return self._model_run(context, training)
        block = context.record.get("artifacts")
        if block is None:
            return self.skipped("no artifacts block: this run saved no trained model (streaming, digitize and older records)")
        if not isinstance(block, dict) or not isinstance(block.get("files", {}), dict):
            return self.failed("field artifacts must be an object with folder, files (name → sha256) and note")
        if block.get("folder") is None:
            return self.skipped(f"no trained model saved: {block.get('note') or 'no reason given'}")
        folder = context.path.parent / str(block["folder"])
        files = block.get("files") or {}
        if not files:
            return self.failed(f"field artifacts.files is empty although artifacts.folder is {block['folder']!r}")
        for name, expected in files.items():
            path = folder / name
            if not path.is_file():
                return self.failed(f"artefact {path} (field artifacts.files) is missing; re-run the benchmark or restore it")
            actual = sha256_file(path)
            if actual != expected:
                return self.failed(f"artefact {name} hashes to {actual[:12]}… but field artifacts.files[{name!r}] is {str(expected)[:12]}…")
        return self.passed(f"{len(files)} artefact(s) in {block['folder']}/ match their SHA-256")

    def _model_run(self, context: CheckContext, training: dict) -> CheckResult:
        from ecgbench.leaderboard.pretrained import run_of_record

        run_id, task = str(training["model_run"]), training.get("model_task")
        if not isinstance(task, str) or not task:
            return self.failed(f"field training.model_run is {run_id!r} but training.model_task (the task of that run) is missing")
        source = context.path.parent.parent / task / f"{run_id}.json"
        if not source.is_file():
            return self.failed(f"the model run {run_id} (field training.model_run) has no record {source}; commit it with this record")
        key = ("model-run", str(source.resolve()))
        if key not in context.session.cache:
            try:
                run = run_of_record(source)
                context.session.cache[key] = (run.sha256, None)
            except EcgbenchError as exc:
                context.session.cache[key] = (None, str(exc))
        files, problem = context.session.cache[key]
        if problem is not None:
            return self.failed(f"model run {run_id}: {problem}")
        copied = (training.get("artifacts") or {}).get("files")
        if copied is not None and copied != files:
            return self.failed(f"field training.artifacts.files differs from the files of model run {run_id} ({Path(task) / run_id})")
        return self.passed(f"model of run {task}/{run_id}: {len(files)} artefact(s) match their SHA-256")
