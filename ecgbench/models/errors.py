"""The error raised when a submission is malformed or misbehaves."""

from __future__ import annotations

from ecgbench.errors import EcgbenchError


class SubmissionError(EcgbenchError):
    """A submission cannot be loaded, raised while training/predicting, or returned bad output.

    The message always names the submission (its registry name or folder) and says what to fix.
    """

    def __init__(self, submission: str, problem: str) -> None:
        self.submission = submission
        super().__init__(f"submission {submission!r}: {problem}")
