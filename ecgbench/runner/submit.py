"""``ecgbench submit``: evaluate a user's model, write its run record, check it, update the leaderboard.

Two kinds of submission:

- a **code folder** shaped like a baseline (``submission.py`` + ``recipe.json``): trained and tested
  by the beat runner (:func:`ecgbench.runner.beat.run_beat_benchmark`);
- a **trained model** (a folder with ``manifest.json`` naming a ``.keras`` file, SavedModel or
  ``.onnx``): tested as is (:func:`ecgbench.runner.model_file.evaluate_model_file`);
- a **prediction file** (``.npz``/``.csv``) is a third kind, scored without any model by
  :func:`ecgbench.runner.prediction_submit.submit_predictions`, which publishes through
  :func:`publish` too.

The new record must pass every leaderboard check (:mod:`ecgbench.leaderboard.checks`); if one
fails, the record and its predictions are removed again and the leaderboard files are not
touched. Otherwise the leaderboard is re-rendered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecgbench.leaderboard.checks import CheckSession, RecordReport, check_record
from ecgbench.leaderboard.record import remove_run
from ecgbench.leaderboard.render import render_leaderboards
from ecgbench.paths import resolve_results_dir
from ecgbench.models import SubmissionError
from ecgbench.models.loader import SUBMISSION_FILE
from ecgbench.models.manifest import MANIFEST_FILE
from ecgbench.runner.beat import BeatRunResult, run_beat_benchmark
from ecgbench.runner.data import TrackData
from ecgbench.runner.evaluate import BOOTSTRAP_RESAMPLES
from ecgbench.runner.model_file import evaluate_model_file


@dataclass(frozen=True)
class SubmitResult:
    """A submission that passed its checks."""

    run: BeatRunResult
    report: RecordReport
    rendered: list[Path]


def submission_form(path: str | os.PathLike) -> str:
    """Return ``"model"`` (manifest.json) or ``"code"`` (submission.py) for a submission folder.

    Raises
    ------
    SubmissionError
        Neither file is there.
    """
    path = Path(path)
    folder = path.parent if path.is_file() else path
    if (folder / MANIFEST_FILE).is_file():
        return "model"
    if (folder / SUBMISSION_FILE).is_file():
        return "code"
    raise SubmissionError(
        str(path),
        f"neither {MANIFEST_FILE} (trained model) nor {SUBMISSION_FILE} (code + recipe) found in {folder}; "
        "see leaderboards/SUBMITTING.md",
    )


def submit(
    path: str | os.PathLike,
    *,
    track: str = "interpatient",
    seed: int | None = None,
    epochs: int | None = None,
    tfds_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    leaderboard_dir: str | os.PathLike | None = None,
    data: TrackData | None = None,
    bootstrap_resamples: int = BOOTSTRAP_RESAMPLES,
    session: CheckSession | None = None,
    command: str | None = None,
    on_stage=None,
) -> SubmitResult:
    """Evaluate, record, check and publish one submission.

    Parameters
    ----------
    path : path-like
        A submission folder (code or trained model).
    track : str
        Beat track of a code submission (a trained model's manifest names its task).
    seed, epochs : int, optional
        Overrides of a code submission's recipe.
    tfds_dir : path-like, optional
        Built TFDS datasets.
    results_dir : path-like, optional
        Root of the results tree (default :func:`ecgbench.paths.resolve_results_dir`).
    leaderboard_dir : path-like, optional
        Where the rendered files go (default the parent of ``results_dir``).
    data : TrackData, optional
        Pre-loaded splits (tests).
    bootstrap_resamples : int
        Record-level bootstrap resamples.
    session : CheckSession, optional
        Check settings (default: the published canonical checksums and the local dataset).
    command : str, optional
        Command to record.

    Raises
    ------
    SubmissionError
        The submission is malformed, fails while running, or its record fails a check.
    """
    stage = on_stage or (lambda name: None)
    stage("evaluate")
    if submission_form(path) == "model":
        run = evaluate_model_file(path, tfds_dir=tfds_dir, results_dir=results_dir, data=data,
                                  bootstrap_resamples=bootstrap_resamples, command=command)  # fmt: skip
    else:
        run = run_beat_benchmark(path, track=track, seed=seed, epochs=epochs, tfds_dir=tfds_dir, results_dir=results_dir,
                                 data=data, bootstrap_resamples=bootstrap_resamples, command=command)  # fmt: skip
    report, rendered = publish(run, tfds_dir=tfds_dir, results_dir=results_dir, leaderboard_dir=leaderboard_dir, session=session, on_stage=stage)
    return SubmitResult(run=run, report=report, rendered=rendered)


def publish(
    run,
    *,
    tfds_dir: str | os.PathLike | None = None,
    results_dir: str | os.PathLike | None = None,
    leaderboard_dir: str | os.PathLike | None = None,
    session: CheckSession | None = None,
    on_stage=None,
) -> tuple[RecordReport, list[Path]]:
    """Check a just-written run (``record``, ``record_path``, ``predictions_path``); publish it or remove it.

    Raises
    ------
    SubmissionError
        A check failed: the record, its predictions and artefacts are deleted again and the
        leaderboard files are not touched.
    """
    stage = on_stage or (lambda name: None)
    stage("check")
    session = session if session is not None else CheckSession.default(tfds_dir)
    report = check_record(run.record_path, session)
    if not report.ok:
        remove_run(run.record_path, run.predictions_path)
        problems = "; ".join(f"{r.check}: {r.message}" for r in report.failures())
        raise SubmissionError(run.record["submission"]["name"], f"the run record failed the leaderboard checks ({problems}); nothing was published")
    stage("render")
    return report, render_leaderboards(resolve_results_dir(results_dir), leaderboard_dir, session=session)
