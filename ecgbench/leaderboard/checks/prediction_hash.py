"""Check: the prediction file exists and its SHA-256 and beat count match the run record."""

from __future__ import annotations

from ecgbench.leaderboard.checks.base import Check, CheckContext, CheckResult
from ecgbench.leaderboard.provenance import sha256_file


class PredictionHashCheck(Check):
    """``predictions.sha256`` equals the SHA-256 of the file; ``predictions.n_beats`` its length."""

    name = "prediction-hash"

    def run(self, context: CheckContext) -> CheckResult:
        block = context.record["predictions"]
        path = context.predictions_path
        if not path.is_file():
            return self.failed(f"prediction file {path} (field predictions.file) is missing")
        actual = sha256_file(path)
        if actual != block["sha256"]:
            return self.failed(
                f"field predictions.sha256 is {block['sha256'][:12]}… but {path.name} hashes to {actual[:12]}…: "
                "the prediction file was changed after the run"
            )
        try:
            arrays = context.predictions()
        except (OSError, ValueError) as exc:
            return self.failed(f"cannot read prediction file {path}: {exc}")
        n_rows = len(arrays["record"]) if "record" in arrays else None
        if n_rows is not None and n_rows != block["n_beats"]:
            return self.failed(f"field predictions.n_beats is {block['n_beats']} but {path.name} holds {n_rows} beats")
        return self.passed(f"{path.name} sha256 {actual[:12]}…, {n_rows} beats")
