"""Normaliser: fitted on training data only, per-beat centring, JSON round trip, guards."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ecgbench.data import Normalizer, fit_normalizer, rr_features_numpy
from ecgbench.errors import ConfigError


def test_fit_on_a_apply_to_b_uses_only_a(make_beats):
    a = make_beats(300, seed=1)
    b = make_beats(300, seed=2)
    b["signal"] = b["signal"] * 3.0 + 0.5
    b["rr_pre"] = b["rr_pre"] * 2.0
    normalizer = fit_normalizer(a, per_beat="none")
    # Refitting on A alone gives the same statistics whatever B is: nothing of B leaks in.
    assert normalizer == fit_normalizer(make_beats(300, seed=1), per_beat="none")
    on_a = normalizer.transform_arrays(a)
    on_b = normalizer.transform_arrays(b)
    np.testing.assert_allclose(on_a["signal"].reshape(-1, 2).mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(on_a["signal"].reshape(-1, 2).std(axis=0), 1.0, atol=1e-3)
    np.testing.assert_allclose(on_a["rr"].mean(axis=0), 0.0, atol=1e-4)
    # B keeps its shift and scale relative to A's statistics.
    assert np.all(on_b["signal"].reshape(-1, 2).std(axis=0) > 2.5)
    assert on_b["rr"][:, 0].mean() > 1.0


def test_fit_on_dataset_equals_fit_on_arrays(beat_arrays, beat_dataset):
    from_arrays = fit_normalizer(beat_arrays).to_dict()
    from_dataset = fit_normalizer(beat_dataset).to_dict()
    for key in ("signal_mean", "signal_std", "rr_mean", "rr_std"):
        np.testing.assert_allclose(from_dataset[key], from_arrays[key], rtol=1e-5, atol=1e-7)
    assert from_dataset["n_examples"] == 600


def test_per_beat_median_matches_numpy_and_tensorflow_twin_agrees(beat_arrays):
    normalizer = Normalizer("median", (0.0, 0.0), (1.0, 1.0), (0.0,) * 7, (1.0,) * 7, 1)
    signal = beat_arrays["signal"][:50]
    expected = signal - np.median(signal, axis=1, keepdims=True)
    np.testing.assert_allclose(normalizer.normalize_signal_numpy(signal), expected, atol=1e-6)
    np.testing.assert_allclose(normalizer.normalize_signal(signal).numpy(), expected, atol=1e-6)
    odd = signal[:, :287]  # odd window length: the middle sample
    odd_expected = odd - np.median(odd, axis=1, keepdims=True)
    np.testing.assert_allclose(normalizer.normalize_signal(odd).numpy(), odd_expected, atol=1e-6)
    single = normalizer.normalize_signal(signal[0]).numpy()  # an un-batched [samples, leads] window
    np.testing.assert_allclose(single, expected[0], atol=1e-6)


@pytest.mark.parametrize("per_beat", ["median", "mean", "none"])
@pytest.mark.parametrize("n_samples", [288, 287])
def test_lead_major_layout_gives_the_same_bits(beat_arrays, per_beat, n_samples):
    # augment_batch normalises lead-major windows; the committed runs' digits need every value equal.
    normalizer = fit_normalizer(beat_arrays, per_beat=per_beat)
    signal = beat_arrays["signal"][:64, :n_samples] + np.float32(0.3)
    samples_last = normalizer.normalize_signal(np.swapaxes(signal, 1, 2), leads_first=True).numpy()
    expected = normalizer.normalize_signal(signal).numpy()
    np.testing.assert_array_equal(np.swapaxes(samples_last, 1, 2).view(np.uint32), expected.view(np.uint32))
    with pytest.raises(ConfigError, match=f"signal has {n_samples} leads"):  # a [samples, leads] window passed as lead-major
        normalizer.normalize_signal(signal, leads_first=True)


def test_per_beat_mean_and_none(beat_arrays):
    signal = beat_arrays["signal"][:20]
    mean = fit_normalizer(beat_arrays, per_beat="mean")
    centred = mean.normalize_signal_numpy(signal) * np.float32(mean.signal_std) + np.float32(mean.signal_mean)
    np.testing.assert_allclose(centred.mean(axis=1), 0.0, atol=1e-5)
    none = fit_normalizer(beat_arrays, per_beat="none")
    assert abs(none.signal_mean[0] - beat_arrays["signal"][..., 0].mean()) < 1e-5


def test_json_round_trip(beat_arrays):
    normalizer = fit_normalizer(beat_arrays)
    payload = json.loads(json.dumps(normalizer.to_dict()))
    assert payload["rr_feature_names"][4] == "rr_pre_ratio"
    assert Normalizer.from_dict(payload) == normalizer


def test_constant_feature_std_is_guarded(make_beats):
    arrays = make_beats(100, seed=3)
    arrays["rr_average"] = np.full(100, 0.8, np.float32)
    arrays["signal"][..., 1] = 0.25  # flat second lead
    normalizer = fit_normalizer(arrays)
    assert normalizer.rr_std[3] == 1.0 and normalizer.signal_std[1] == 1.0
    out = normalizer.transform_arrays(arrays)
    assert np.all(np.isfinite(out["signal"])) and np.all(np.isfinite(out["rr"]))
    np.testing.assert_allclose(out["rr"][:, 3], 0.0, atol=1e-6)
    np.testing.assert_allclose(rr_features_numpy(arrays)[:, 3], 0.8)


def test_errors_name_the_problem(beat_arrays):
    with pytest.raises(ConfigError, match="per-beat normalisation.*median"):
        fit_normalizer(beat_arrays, per_beat="zscore")
    with pytest.raises(ConfigError, match="lacks field.*rr_std"):
        Normalizer.from_dict({k: v for k, v in fit_normalizer(beat_arrays).to_dict().items() if k != "rr_std"})
    empty = {k: v[:0] for k, v in beat_arrays.items()}
    with pytest.raises(ConfigError, match="empty"):
        fit_normalizer(empty)
    normalizer = fit_normalizer(beat_arrays)
    with pytest.raises(ConfigError, match="3 leads.*fitted on 2"):
        normalizer.normalize_signal_numpy(np.zeros((2, 288, 3), np.float32))


CAUSAL = ("rr_pre", "rr_local", "rr_average", "rr_pre_ratio", "rr_local_ratio")


def test_rr_columns_hand_over_only_the_chosen_columns_in_numpy_and_tensorflow(beat_arrays):
    full = fit_normalizer(beat_arrays)
    causal = fit_normalizer(beat_arrays, rr_columns=CAUSAL)
    assert full.uses_post_rr and not causal.uses_post_rr
    expected = full.transform_arrays(beat_arrays)["rr"][:, [0, 2, 3, 4, 6]]
    np.testing.assert_array_equal(causal.transform_arrays(beat_arrays)["rr"], expected)
    in_tf = causal.normalize_rr(rr_features_numpy(beat_arrays)).numpy()
    np.testing.assert_allclose(in_tf, expected, atol=1e-6)
    # The statistics always cover the whole vector, so the two normalisers differ only in the selection.
    assert causal.rr_mean == full.rr_mean and causal.rr_std == full.rr_std


def test_rr_columns_round_trip_and_old_files_without_them_hand_over_everything(beat_arrays):
    causal = fit_normalizer(beat_arrays, rr_columns=CAUSAL)
    payload = json.loads(json.dumps(causal.to_dict()))
    assert payload["rr_columns"] == list(CAUSAL)
    assert Normalizer.from_dict(payload) == causal
    full = fit_normalizer(beat_arrays).to_dict()
    assert "rr_columns" not in full  # files written before column selection existed read the same
    assert Normalizer.from_dict(full).rr_columns == tuple(full["rr_feature_names"])


@pytest.mark.parametrize(
    ("columns", "message"),
    [(["rr_pre", "rr_next"], r"unknown RR feature\(s\) rr_next"), ([], "no RR feature chosen"),
     (["rr_local", "rr_pre"], "in the order"), (["rr_pre", "rr_pre"], "once")],
)  # fmt: skip
def test_bad_rr_columns_are_refused_with_the_valid_names(beat_arrays, columns, message):
    with pytest.raises(ConfigError, match=message) as caught:
        fit_normalizer(beat_arrays, rr_columns=columns)
    assert "rr_pre_ratio" in str(caught.value)
