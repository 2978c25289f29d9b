"""The ``af_gate`` recipe wrapper: the test predictions are gated before scoring and saving."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from ecgbench.errors import ConfigError
from ecgbench.leaderboard import read_predictions
from ecgbench.models import BeatArrays
from ecgbench.records import AAMI_CLASSES
from ecgbench.runner.af_gate_wrapper import af_gate_of
from ecgbench.runner.beat import run_beat_benchmark
from ecgbench.streaming.af_gate import gate_supraventricular

S = AAMI_CLASSES.index("S")

# An estimator that calls every fourth beat S (by its R-peak sample) and every other beat N.
_SOURCE = '''
import numpy as np

class Submission:
    def __init__(self, input_spec):
        self.n = input_spec.n_classes

    def fit(self, train, val, recipe):
        pass

    def predict(self, arrays):
        p = np.full((len(arrays), self.n), 0.05)
        p[:, 0] = 0.8
        ectopic = (arrays.sample // 7) % 4 == 0
        p[ectopic] = [0.2, 0.7, 0.04, 0.03, 0.03]
        return p / p.sum(axis=1, keepdims=True)
'''


def _af_record(template: BeatArrays, fs: float) -> BeatArrays:
    """One 540-beat record: regular, then 300 AF-like beats (RR uniform 0.35-1.05 s), then regular."""
    rng = np.random.default_rng(0)
    rr = np.concatenate([np.full(120, 0.8), rng.uniform(0.35, 1.05, 300), np.full(120, 0.8)])
    n = rr.size
    return BeatArrays(
        signal=np.repeat(template.signal[:1], n, axis=0), rr=np.repeat(template.rr[:1], n, axis=0),
        label=np.zeros(n, np.int64), record=np.full(n, "af1"), sample=np.round(np.cumsum(rr) * fs).astype(np.int64),
    )  # fmt: skip


def test_af_gate_wrapper_gates_the_saved_test_predictions(tiny_track, tmp_path, write_submission):
    data = replace(tiny_track, test=_af_record(tiny_track.test, tiny_track.sampling_rate))
    runs = {}
    for gate in (False, True):
        folder = write_submission(f"striped-{gate}", _SOURCE, json.dumps({"seed": 0, "wrappers": {"af_gate": {}} if gate else {}}))
        runs[gate] = run_beat_benchmark(folder, data=data, results_dir=tmp_path / str(gate), bootstrap_resamples=10, command="pytest")
    plain = read_predictions(runs[False].predictions_path)["probabilities"]
    gated = read_predictions(runs[True].predictions_path)["probabilities"]
    expected, in_af = gate_supraventricular(plain, data.test.record, data.test.sample, data.sampling_rate)
    np.testing.assert_allclose(gated, expected, atol=1e-7)
    assert in_af.sum() > 100 and (plain[in_af].argmax(axis=1) == S).any() and not (gated[in_af].argmax(axis=1) == S).any()
    np.testing.assert_array_equal(gated[~in_af], plain[~in_af])
    assert runs[True].record["recipe"]["wrappers"] == {"af_gate": {}} and "wrappers" not in runs[False].record["recipe"]
    assert runs[True].record["metrics"]["gross.accuracy"]["value"] > runs[False].record["metrics"]["gross.accuracy"]["value"]


def test_af_gate_wrapper_is_checked_before_any_data_loads(tmp_path, write_submission):
    assert af_gate_of({}, "r") is False and af_gate_of({"wrappers": {"af_gate": {}}}, "r", "interpatient") is True
    # the spelling of records and artefacts written before wrappers: options.af_gate
    assert af_gate_of({"options": {"af_gate": True}}, "r") is True and af_gate_of({"options": {"af_gate": False}}, "r") is False
    with pytest.raises(ConfigError, match=r"r: options.af_gate must be true or false \(got 'yes'\)"):
        af_gate_of({"options": {"af_gate": "yes"}}, "r")
    with pytest.raises(ConfigError, match=r"r: wrappers.af_gate takes no parameters \(got on\)"):
        af_gate_of({"wrappers": {"af_gate": {"on": True}}}, "r")
    folder = write_submission("gated-intra", _SOURCE, json.dumps({"seed": 0, "wrappers": {"af_gate": {}}}))
    with pytest.raises(ConfigError, match="needs whole records"):
        run_beat_benchmark(folder, track="intrapatient", tfds_dir=tmp_path / "no-dataset-here", results_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_rhythm_runner_refuses_the_af_gate(tmp_path, write_submission):
    from ecgbench.runner.rhythm import run_rhythm_benchmark

    folder = write_submission("gated-rhythm", _SOURCE, json.dumps({"seed": 0, "wrappers": {"af_gate": {}}}))
    with pytest.raises(ConfigError, match=r"wrappers \(af_gate\) apply to the beat tracks"):
        run_rhythm_benchmark(folder, tfds_dir=tmp_path / "no-dataset-here", results_dir=tmp_path / "r")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("gated", "plain"), [("cnn1d-context-afgate", "cnn1d-context"), ("cnn1d-context-ensemble-afgate", "cnn1d-context-ensemble")]
)
def test_gated_baselines_are_their_plain_recipes_with_the_gate_on_inter_patient_only(gated, plain):
    from ecgbench.models import load_submission

    gated_recipe, plain_recipe = load_submission(gated).recipe, load_submission(plain).recipe
    inter = gated_recipe.for_track("interpatient").to_dict()
    assert inter["wrappers"].pop("af_gate") == {}
    assert {k: v for k, v in inter.items() if v != {}} == {k: v for k, v in plain_recipe.for_track("interpatient").to_dict().items() if v != {}}
    assert gated_recipe.for_track("intrapatient") == plain_recipe.for_track("intrapatient")
