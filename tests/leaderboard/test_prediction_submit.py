"""Prediction-file submissions: a valid file reproduces a run's figures; every malformed file is refused, nothing written."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.leaderboard.checks import check_record
from ecgbench.leaderboard.store import load_run
from ecgbench.models import SubmissionError
from ecgbench.runner.prediction_submit import submit_predictions
from ecgbench.runner.verify import verify_run

BOOT = 50


def _reference(track) -> dict:
    return {"record": track.test.record, "sample": track.test.sample, "label": track.test.label}


def _arrays(prior_run) -> dict:
    with np.load(prior_run.predictions_path) as saved:
        return {name: saved[name] for name in saved.files}


def _write_csv(path, record, sample, probabilities, header=("N", "S", "V", "F", "Q")):
    lines = [",".join(("record", "sample", *header))]
    lines += [",".join((r, str(int(s)), *(repr(float(p)) for p in row))) for r, s, row in zip(record, sample, probabilities, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _submit(path, track, results, session, **kwargs):
    return submit_predictions(path, reference=_reference(track), dataset=track.dataset, results_dir=results,
                              bootstrap_resamples=BOOT, session=session, command="pytest", **kwargs)  # fmt: skip


def test_a_runs_own_prediction_file_reproduces_its_metrics_as_npz_and_csv(prior_run, mitdb_like_track, session, tmp_path):
    arrays = _arrays(prior_run)
    shuffled = np.random.default_rng(0).permutation(arrays["record"].size)  # row order must not matter
    npz = tmp_path / "mine.npz"
    np.savez(npz, **{name: value[shuffled] for name, value in arrays.items()})
    csv = _write_csv(tmp_path / "mine-csv.csv", arrays["record"], arrays["sample"], arrays["probabilities"])
    results = tmp_path / "leaderboards" / "results"
    for path in (npz, csv):
        result = _submit(path, mitdb_like_track, results, session, seed=0)
        assert result.report.ok, [r.message for r in result.report.failures()]
        record = result.run.record
        assert record["submission"]["kind"] == "predictions" and record["submission"]["name"] == path.stem
        assert record["metrics"] == prior_run.record["metrics"]  # every value and interval, to the last digit
        assert record["dataset"]["splits"] == {"train": "ds1_train", "val": "ds1_val", "test": "ds2"}
        assert record["artifacts"]["folder"] is None and "nothing can be re-run" in record["artifacts"]["note"]
        assert check_record(result.run.record_path, session).ok  # leaderboard check recomputes from the file
    assert "mine-csv" in (results.parent / "beats-interpatient.md").read_text()


def test_predicted_classes_score_like_one_hot_probabilities(prior_run, mitdb_like_track, session, tmp_path):
    arrays = _arrays(prior_run)
    names = np.array(["N", "S", "V", "F", "Q"])[arrays["probabilities"].argmax(axis=1)]
    path = tmp_path / "labels.npz"
    np.savez(path, record=arrays["record"], sample=arrays["sample"], prediction=names)
    result = _submit(path, mitdb_like_track, tmp_path / "results", session)
    assert result.run.record["metrics"] == prior_run.record["metrics"]  # scoring is arg-max: the same figures
    assert result.run.record["submission"]["form"] == "prediction"


def test_verify_rescores_a_prediction_run_and_says_it_cannot_rerun_it(prior_run, mitdb_like_track, session, tmp_path):
    path = tmp_path / "mine.npz"
    np.savez(path, **_arrays(prior_run))
    result = _submit(path, mitdb_like_track, tmp_path / "results", session)
    report = verify_run(load_run(result.run.record_path))
    assert report.reproduced and report.checks and "cannot be re-run" in report.note
    data = json.loads(result.run.record_path.read_text())
    data["metrics"]["gross.accuracy"]["value"] += 1.0
    result.run.record_path.write_text(json.dumps(data))
    assert not verify_run(load_run(result.run.record_path)).reproduced


def _malformed(arrays: dict, tmp_path) -> list[tuple[str, object, str]]:
    """(case, file content, phrase the refusal must contain); content is a dict (.npz), str (.csv) or bytes."""
    n = arrays["record"].size
    rec, smp, prob = arrays["record"], arrays["sample"], arrays["probabilities"]
    nan = prob.copy()
    nan[3, 1] = np.nan
    off = prob.copy()
    off[5] = off[5] * 0.5
    negative = prob.copy()
    negative[2] = [1.2, -0.2, 0.0, 0.0, 0.0]
    wrong_label = arrays["label"].copy()
    wrong_label[4] = (wrong_label[4] + 1) % 5
    csv_rows = "\n".join(f"{r},{s},{','.join(map(str, p))}" for r, s, p in zip(rec, smp, prob, strict=True))
    return [
        ("missing key", {"record": rec[1:], "sample": smp[1:], "probabilities": prob[1:]}, f"record {rec[0]} sample {smp[0]} of split ds2 has no prediction"),
        ("extra key", {"record": np.append(rec, "100"), "sample": np.append(smp, 5), "probabilities": np.vstack([prob, prob[:1]])}, "record 100 sample 5 is not an example of split ds2"),
        ("duplicate key", {"record": np.append(rec, rec[7]), "sample": np.append(smp, smp[7]), "probabilities": np.vstack([prob, prob[7:8]])}, f"record {rec[7]} sample {smp[7]} appears twice"),
        ("class count", {"record": rec, "sample": smp, "probabilities": prob[:, :4] / prob[:, :4].sum(1, keepdims=True).clip(1e-9)}, "has 4 columns; this task has 5 classes"),
        ("class order", {"record": rec, "sample": smp, "probabilities": prob, "classes": np.array(["S", "N", "V", "F", "Q"])}, "class order is N, S, V, F, Q"),
        ("csv class order", "record,sample,S,N,V,F,Q\n" + csv_rows, "class columns are in the order S,N,V,F,Q"),
        ("nan", {"record": rec, "sample": smp, "probabilities": nan}, f"probabilities of record {rec[3]} sample {smp[3]}"),
        ("row sum", {"record": rec, "sample": smp, "probabilities": off}, "sum to"),
        ("negative", {"record": rec, "sample": smp, "probabilities": negative}, "must lie in [0, 1]"),
        ("sample dtype", {"record": rec, "sample": smp.astype(float), "probabilities": prob}, "array 'sample' has dtype float64"),
        ("record dtype", {"record": np.arange(n), "sample": smp, "probabilities": prob}, "array 'record' has dtype int64"),
        ("probabilities dtype", {"record": rec, "sample": smp, "probabilities": (prob > 0.5).astype(np.int64)}, "array 'probabilities' has dtype int64"),
        ("no predictions", {"record": rec, "sample": smp}, "give exactly one of 'probabilities'"),
        ("unknown array", {"record": rec, "sample": smp, "probabilities": prob, "scores": prob}, "unknown array 'scores'"),
        ("reference label", {"record": rec, "sample": smp, "probabilities": prob, "label": wrong_label}, "'label' holds the reference classes"),
        ("unknown class name", {"record": rec, "sample": smp, "prediction": np.full(n, "X")}, "is 'X'; valid classes"),
        ("unreadable npz", b"this is not a zip file", "not a readable .npz file"),
        ("csv not an integer", "record,sample,N,S,V,F,Q\n100,12.5,1,0,0,0,0\n", "line 2: sample '12.5' is not an integer"),
    ]


def test_malformed_files_are_refused_by_the_cli_with_exit_2_and_nothing_written(prior_run, mitdb_like_track, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ecgbench.cli import app
    from ecgbench.runner import prediction_submit

    monkeypatch.setattr(prediction_submit, "load_reference", lambda facts, tfds_dir=None: _reference(mitdb_like_track))
    results = tmp_path / "leaderboards" / "results"
    results.mkdir(parents=True)
    cases = _malformed(_arrays(prior_run), tmp_path)
    assert len(cases) >= 10
    for case, content, phrase in cases:
        suffix = ".csv" if isinstance(content, str) else ".npz"
        path = tmp_path / f"{case.replace(' ', '_')}{suffix}"
        if isinstance(content, dict):
            np.savez(path, **content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
        out = CliRunner().invoke(app, ["submit", str(path), "--task", "beats-interpatient", "--results-dir", str(results)],
                                 env={"COLUMNS": "400", "NO_COLOR": "1"})  # fmt: skip
        assert out.exit_code == 2, (case, out.output)
        message = " ".join(out.output.split())
        assert phrase in message and path.name in message, (case, message)
        assert "Traceback" not in out.output
        assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "leaderboards").rglob("*")) == [results.relative_to(tmp_path)], case


def test_baseline_names_and_bad_suffixes_are_refused(prior_run, mitdb_like_track, session, tmp_path):
    path = tmp_path / "cnn1d.npz"
    np.savez(path, **_arrays(prior_run))
    with pytest.raises(SubmissionError, match="baseline's name"):
        _submit(path, mitdb_like_track, tmp_path / "results", session)
    with pytest.raises(SubmissionError, match="ends in .npz or .csv"):
        _submit(tmp_path / "preds.txt", mitdb_like_track, tmp_path / "results", session)
    assert not (tmp_path / "results").exists()


def test_verify_cli_says_plainly_that_a_prediction_run_is_rescored_not_rerun(prior_run, mitdb_like_track, session, tmp_path):
    from typer.testing import CliRunner

    from ecgbench.cli import app

    path = tmp_path / "mine.npz"
    np.savez(path, **_arrays(prior_run))
    results = tmp_path / "results"
    result = _submit(path, mitdb_like_track, results, session)
    out = CliRunner().invoke(app, ["verify", str(result.run.record_path), "--results-dir", str(results)], env={"COLUMNS": "300", "NO_COLOR": "1"})
    assert out.exit_code == 0, out.output
    message = " ".join(out.output.split())
    assert "is a prediction-file submission" in message and "cannot be re-run" in message and "re-scored from its prediction file" in message
