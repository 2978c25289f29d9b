"""Fixtures of the runner tests: a tiny synthetic beat track and submissions written on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecgbench.runner.synthetic import synthetic_track


@pytest.fixture(scope="session")
def tiny_track():
    """Nine 30-s synthetic records (4 train, 2 val, 3 test), ~35 beats each."""
    return synthetic_track()


@pytest.fixture()
def write_submission(tmp_path: Path):
    """Write ``submission.py`` (+ optional ``recipe.json``) into a fresh folder and return it."""

    def write(name: str, source: str, recipe: str | None = None) -> Path:
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        (folder / "submission.py").write_text(source)
        if recipe is not None:
            (folder / "recipe.json").write_text(recipe)
        return folder

    return write


@pytest.fixture()
def stream_each_record():
    """Feed each test record's beats, in order and in uneven batches, to a fresh streaming classifier of a run.

    Returns ``(probabilities [n, 5] in the test split's row order, the classifiers used)``; the
    classifier's own context and derived RR columns are rebuilt from the beats it is fed. With
    ``provisional=True`` each batch also carries the record's next beat as a provisional label
    (post-RR unknown, as the stream pipeline sends it), which is classified again, finally, in the
    next batch; only final labels are returned.
    """
    import numpy as np

    from ecgbench.runner.data import interval_fields
    from ecgbench.streaming.classifier import classifier_factory

    def feed(run, test, provisional=False):
        make = classifier_factory(str(run.record_path.parent / run.record["artifacts"]["folder"]))
        fields = interval_fields(test)
        out, classifiers = np.zeros((len(test), 5), np.float32), []
        for name in np.unique(test.record):
            rows = np.flatnonzero(test.record == name)
            rows = rows[np.argsort(test.sample[rows])]
            classifier = make()  # one classifier per stream: the previous record's beats must not leak in
            classifiers.append(classifier)
            got, start = [], 0
            for size in [1, 3, 2, 5, 1, 100]:
                batch = rows[start : start + size]
                if batch.size == 0:
                    break
                waiting = rows[start + size : start + size + 1] if provisional else rows[:0]
                rows_sent = np.concatenate([batch, waiting])
                rr = {"pre": fields["rr_pre"][rows_sent], "post": fields["rr_post"][rows_sent], "local": fields["rr_local"][rows_sent],
                      "average": fields["rr_average"][rows_sent]}  # fmt: skip
                rr["post"][batch.size :] = np.nan
                told = {"provisional": waiting.size} if provisional else {}
                got.append(classifier.classify(fields["signal"][rows_sent], rr, **told)[: batch.size])
                start += size
            out[rows[: sum(len(g) for g in got)]] = np.concatenate(got)
        return out, classifiers

    return feed


@pytest.fixture()
def score_as_model_file(tiny_track):
    """Export a run's artefacts as an ONNX model-file submission and evaluate it on the tiny track.

    Returns ``(manifest dict, the model-file run result)``.
    """
    import importlib.util
    import json

    from ecgbench.paths import repo_root
    from ecgbench.runner.model_file import evaluate_model_file

    def score(run, folder: Path):
        path = repo_root() / "examples" / "submission_onnx" / "export_baseline.py"
        spec = importlib.util.spec_from_file_location("_export_baseline_for_tests", path)
        export = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(export)
        exported = export.export_run_artifacts(run.record_path.parent / run.record["run_id"], folder / "onnx")
        manifest = json.loads((exported / "manifest.json").read_text())
        return manifest, evaluate_model_file(exported, data=tiny_track, results_dir=folder / "results", bootstrap_resamples=5)

    return score
