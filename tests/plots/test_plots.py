"""Figures build from synthetic arrays and save as PNG, SVG and PDF; bad input gives clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from ecgbench.cli import app
from ecgbench.cli.plot import parse_time
from ecgbench.errors import ConfigError
from ecgbench.plots import (
    plot_beat_gallery,
    plot_confusion_matrix,
    plot_leaderboard,
    plot_record_segment,
    plot_stream_timeline,
    plot_training_curves,
    save,
)
from ecgbench.plots.metrics import _pareto_front
from ecgbench.records import write_annotations
from ecgbench.records.synthetic import synthetic_ecg

ECG = synthetic_ecg(duration=6.0, symbols="NNV", seed=3)


def _figures() -> dict[str, Figure]:
    beats = np.stack([ECG.signal[p - 90 : p + 144, 0] for p in ECG.r_peaks if 90 <= p < ECG.signal.shape[0] - 144])
    labels = ["V" if s == "V" else "N" for p, s in zip(ECG.r_peaks, ECG.symbols) if 90 <= p < ECG.signal.shape[0] - 144]
    return {
        "record": plot_record_segment(
            ECG.signal, ECG.fs, start_s=60.0, lead_names=["MLII", "V5"], ref_samples=ECG.r_peaks,
            ref_labels=list(ECG.symbols), pred_samples=ECG.r_peaks, pred_labels=["N"] * ECG.r_peaks.size,
            rhythms=[(0.0, 3.0, "N"), (3.0, 6.0, "AFIB")], title="synthetic",
        ),  # fmt: skip
        "gallery": plot_beat_gallery(beats, labels, ECG.fs, classes="NSV", r_offset=90),
        "confusion": plot_confusion_matrix(np.array([[50, 2], [3, 10]]), ["N", "V"]),
        "training": plot_training_curves({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6]}),
        "leaderboard": plot_leaderboard([{"name": "a", "accuracy": 0.9, "latency_ms": 1.0}, {"name": "b", "accuracy": 0.95, "latency_ms": 5.0}]),
        "stream": plot_stream_timeline(
            ECG.signal[:, 0], ECG.fs, beat_samples=ECG.r_peaks, beat_labels=["N"] * ECG.r_peaks.size,
            alarms=[{"start": 1.0, "end": 2.5, "label": "VT", "level": "critical", "raised_at": 1.8}],
            latency_s=(np.arange(6.0), np.full(6, 0.01)),
        ),  # fmt: skip
    }


@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_every_figure_saves(tmp_path, extension):
    for name, fig in _figures().items():
        path = save(fig, tmp_path / "sub" / f"{name}.{extension}")
        assert path.stat().st_size > 1000, name
    head = (tmp_path / "sub" / f"record.{extension}").read_bytes()[:8]
    assert head.startswith({"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[extension])


def test_record_figure_is_paper_scale_and_marks_mismatches():
    fig = _figures()["record"]
    width_in = fig.get_size_inches()[0]
    assert width_in == pytest.approx(6.0 * 25.0 / 25.4 + 0.8, rel=1e-6)  # 25 mm/s + margins
    boxed = [t for t in fig.axes[0].texts if t.get_bbox_patch() is not None]
    assert len(boxed) == int(np.sum(ECG.symbols == "V"))  # predicted N where the reference says V


def test_pareto_front():
    xs, ys = np.array([1.0, 2.0, 3.0, 0.5]), np.array([0.8, 0.9, 0.85, 0.7])
    assert list(_pareto_front(xs, ys)) == [3, 0, 1]


def test_bad_inputs():
    with pytest.raises(ConfigError, match="use one of"):
        save(_figures()["confusion"], "out.jpg")
    with pytest.raises(ConfigError, match="square"):
        plot_confusion_matrix(np.ones((2, 3)), ["a", "b"])
    with pytest.raises(ConfigError, match="one label per beat"):
        plot_record_segment(ECG.signal, ECG.fs, ref_samples=ECG.r_peaks, ref_labels=["N"])
    with pytest.raises(ConfigError, match="empty"):
        plot_training_curves({})
    with pytest.raises(ConfigError, match="finite"):
        plot_leaderboard([{"name": "a"}])
    with pytest.raises(ConfigError, match="no beats"):
        plot_beat_gallery(np.zeros((0, 10)), [], 360.0)


@pytest.mark.parametrize("text, seconds", [("75", 75.0), ("1:15", 75.0), ("0:01:15.5", 75.5), ("10:00", 600.0)])
def test_parse_time(text, seconds):
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["", "ab", "1:75", "-3", "1:2:3:4"])
def test_parse_time_rejects(text):
    with pytest.raises(ConfigError):
        parse_time(text)


def test_plot_record_cli(tmp_path, synthetic_record):
    folder, name = synthetic_record
    root = tmp_path / "root"
    (root / "mitdb").mkdir(parents=True)
    for file in [f for f in folder.iterdir() if f.is_file()]:
        (root / "mitdb" / file.name).write_bytes(file.read_bytes())
    write_annotations(name, "test", np.array([400, 700]), ["N", "V"], 360.0, root / "mitdb")
    out = tmp_path / "fig.svg"
    result = CliRunner().invoke(app, ["plot", "record", name, "--start", "0:01", "--end", "0:05", "--data-dir", str(root), "--test-ann", "test", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"<?xml")
    result = CliRunner().invoke(app, ["plot", "record", name, "--start", "5:00", "--end", "4:00", "--data-dir", str(root), "-o", str(out)])
    assert result.exit_code == 2 and "must come after" in result.output


def test_plot_run_cli(tmp_path):
    import json

    task = tmp_path / "results" / "beats-interpatient"
    task.mkdir(parents=True)
    rng = np.random.default_rng(0)
    label = rng.integers(0, 5, 200)
    probabilities = np.eye(5)[np.where(rng.random(200) < 0.8, label, 0)]
    np.savez(task / "r1.npz", record=np.array(["100"] * 200), sample=np.arange(200), label=label, probabilities=probabilities)
    history = [{"epoch": 1, "loss": 0.9, "val_loss": 1.0}, {"epoch": 2, "loss": 0.5, "val_loss": 0.7}]
    (task / "r1.json").write_text(json.dumps({"schema_version": 1, "run_id": "r1", "predictions": {"file": "r1.npz"}, "training": {"history": history}}))
    out = tmp_path / "figs"
    result = CliRunner().invoke(app, ["plot", "run", "r1", "--results-dir", str(tmp_path / "results"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "r1-confusion.png").stat().st_size > 1000 and (out / "r1-training.png").is_file()
    result = CliRunner().invoke(app, ["plot", "run", "nope", "--results-dir", str(tmp_path / "results"), "-o", str(out)])
    assert result.exit_code == 2 and "no run record" in result.output
    result = CliRunner().invoke(app, ["plot", "run", "r1", "--results-dir", str(tmp_path / "results"), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "give a folder" in result.output and not (tmp_path / "x.png").exists()
    # A seed ensemble has no history of its own: one training figure per member.
    members = [{"seed": seed, "best_epoch": 2, "history": history} for seed in (3, 4)]
    (task / "r1.json").write_text(json.dumps({"schema_version": 1, "run_id": "r1", "predictions": {"file": "r1.npz"},
                                              "training": {"history": [], "members": members}}))  # fmt: skip
    result = CliRunner().invoke(app, ["plot", "run", "r1", "--results-dir", str(tmp_path / "results"), "-o", str(tmp_path / "ens")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "ens").iterdir()) == ["r1-confusion.png", "r1-training-member0.png", "r1-training-member1.png"]


def test_training_curves_mark_the_selected_epoch():
    fig = plot_training_curves({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.8]}, best_epoch=2)
    marks = [line for line in fig.axes[0].get_lines() if line.get_label().startswith("selected")]
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [2, 2]


def test_plot_run_cli_draws_rhythm_runs_and_refuses_mismatched_classes(tmp_path):
    import json

    from ecgbench.records import RHYTHM_CLASSES

    n = len(RHYTHM_CLASSES)
    task = tmp_path / "results" / "rhythm"
    task.mkdir(parents=True)
    label = np.arange(40) % n
    np.savez(task / "w.npz", record=np.array(["100"] * 40), sample=np.arange(40), label=label, probabilities=np.eye(n)[label])
    (task / "w.json").write_text(json.dumps({"schema_version": 1, "run_id": "w", "task": "rhythm", "predictions": {"file": "w.npz"}}))
    out = tmp_path / "figs"
    result = CliRunner().invoke(app, ["plot", "run", "w", "--results-dir", str(tmp_path / "results"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "w-confusion.png").stat().st_size > 1000
    beats = tmp_path / "results" / "beats-interpatient"
    beats.mkdir()
    np.savez(beats / "b.npz", record=np.array(["100"] * 40), sample=np.arange(40), label=label, probabilities=np.eye(n)[label])
    (beats / "b.json").write_text(json.dumps({"schema_version": 1, "run_id": "b", "task": "beats-interpatient", "predictions": {"file": "b.npz"}}))
    result = CliRunner().invoke(app, ["plot", "run", "b", "--results-dir", str(tmp_path / "results"), "-o", str(out)])
    assert result.exit_code == 2 and "probabilities [N, 5]" in result.output
