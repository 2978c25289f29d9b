"""Run records (schema, provenance, atomic writing); checks and rendering build on these."""

from ecgbench.leaderboard.provenance import git_state, hardware, package_versions, sha256_file, sha256_files
from ecgbench.leaderboard.record import (
    SCHEMA_VERSION,
    make_run_id,
    read_predictions,
    read_run_record,
    write_predictions,
    write_run_record,
)

__all__ = [
    "SCHEMA_VERSION", "git_state", "hardware", "make_run_id", "package_versions", "read_predictions",
    "read_run_record", "sha256_file", "sha256_files", "write_predictions", "write_run_record",
]  # fmt: skip
