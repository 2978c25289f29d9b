"""Check: the trained-model artefacts a run record lists exist and hash as recorded."""

from __future__ import annotations

from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.leaderboard.provenance import sha256_file


class ArtifactsCheck(Check):
    """Every file of ``artifacts.files`` is in ``<record folder>/<artifacts.folder>/`` with that SHA-256.

    Records written before artefacts existed (no ``artifacts`` block) and runs that save no model
    (``artifacts.folder`` null, e.g. estimator baselines) are skipped with the record's reason.
    """

    name = "artifacts"

    def run(self, context: CheckContext) -> CheckResult:
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
