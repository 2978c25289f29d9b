"""The public API on the real MIT-BIH build: committed figures reproduced to the last digit; the README example runs.

The built dataset is ``$ECGBENCH_TFDS_DIR`` when it holds ``mitdb/beats``, else the session's fresh
build from ../shared/data (``built_mitdb``; skipped when the records are absent).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import ecgbench
from ecgbench.paths import repo_root

pytestmark = pytest.mark.slow

#: A committed ranked run whose prediction file the tests re-score.
COMMITTED = repo_root() / "leaderboards" / "results" / "beats-interpatient" / "20261206T065023Z-cnn1d-seed0"


@pytest.fixture(scope="module")
def tfds_dir(request) -> Path:
    env = os.environ.get("ECGBENCH_TFDS_DIR")
    if env and (Path(env) / "mitdb" / "beats").is_dir():
        return Path(env)
    return request.getfixturevalue("built_mitdb")


@pytest.fixture(scope="module")
def committed():
    record = json.loads(COMMITTED.with_suffix(".json").read_text())
    with np.load(COMMITTED.with_suffix(".npz")) as saved:
        return record, {name: saved[name] for name in saved.files}


def test_evaluator_reproduces_a_committed_run_to_the_last_digit(tfds_dir, committed):
    record, arrays = committed
    metrics = ecgbench.Evaluator(record["task"], tfds_dir=tfds_dir).eval(
        {"record": arrays["record"], "sample": arrays["sample"], "probabilities": arrays["probabilities"]}, seed=record["seed"]
    )
    assert metrics == record["metrics"]  # every value and interval, exactly


def test_submitting_the_committed_predictions_reproduces_the_run(tfds_dir, committed, tmp_path):
    from ecgbench.runner.prediction_submit import submit_predictions

    record, arrays = committed
    path = tmp_path / "cnn1d-as-predictions.npz"
    np.savez(path, **arrays)
    result = submit_predictions(path, task=record["task"], seed=record["seed"], tfds_dir=tfds_dir,
                                results_dir=tmp_path / "leaderboards" / "results", command="pytest")  # fmt: skip
    assert result.report.ok, [c.message for c in result.report.failures()]
    assert result.run.record["metrics"] == record["metrics"]
    assert result.run.record["submission"]["kind"] == "predictions"
    assert "cnn1d-as-predictions" in (tmp_path / "leaderboards" / "beats-interpatient.md").read_text()


def readme_example() -> str:
    """The first Python code block of the README's "Python API" section, as written."""
    text = (repo_root() / "README.md").read_text()
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_python_example_runs_as_written(tfds_dir, monkeypatch, capsys):
    code = readme_example()
    assert len(code.strip().splitlines()) <= 20
    monkeypatch.setenv("ECGBENCH_TFDS_DIR", str(tfds_dir))
    exec(compile(code, "README.md (Python API)", "exec"), {"__name__": "__readme__"})
    printed = eval(capsys.readouterr().out.strip().splitlines()[-1])  # the example's last line prints a dict of figures
    assert set(printed) == {"gross.accuracy", "gross.sveb.f1", "gross.veb.f1"}
    assert all(0.0 <= value <= 100.0 for value in printed.values())
    print("README example:", printed)


def test_evaluator_reproduces_a_committed_rhythm_run(tfds_dir):
    run = repo_root() / "leaderboards" / "results" / "rhythm" / "20261206T072502Z-rr-af-seed0"
    record = json.loads(run.with_suffix(".json").read_text())
    with np.load(run.with_suffix(".npz")) as saved:
        arrays = {"record": saved["record"], "start": saved["sample"], "probabilities": saved["probabilities"]}
    evaluator = ecgbench.Evaluator("rhythm", tfds_dir=tfds_dir, bootstrap_resamples=record["bootstrap"]["n_resamples"])
    assert evaluator.eval(arrays, seed=record["bootstrap"]["seed"]) == record["metrics"]


def test_load_gives_tf_data_or_numpy_with_the_evaluators_keys(tfds_dir):
    ds = ecgbench.load("beats-interpatient", "val", tfds_dir=tfds_dir)
    assert {"record", "sample", "signal", "label"} <= set(ds.element_spec)
    arrays = ecgbench.load("beats-interpatient", "val", as_numpy=True, tfds_dir=tfds_dir)
    assert arrays["signal"].shape[1:] == (288, 2) and arrays["record"].dtype.kind == "U"
    from ecgbench.records.splits import DS1_VAL

    assert set(arrays["record"].tolist()) == set(DS1_VAL)  # the record-disjoint validation records of DS1
    windows = ecgbench.load("rhythm", "test", as_numpy=True, tfds_dir=tfds_dir)
    assert "start" in windows and windows["start"].dtype.kind == "i"
