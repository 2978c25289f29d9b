"""make_beat_pipeline: shapes, determinism per seed and epoch, balanced sampling, evaluation order, errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from ecgbench.data import AugmentConfig, balance_weights, fit_normalizer, make_beat_pipeline
from ecgbench.errors import ConfigError


@pytest.fixture(scope="module")
def normalizer(beat_arrays):
    return fit_normalizer(beat_arrays)


def _epoch(pipeline):
    batches = list(pipeline)
    signal = np.concatenate([features["signal"].numpy() for features, _ in batches])
    rr = np.concatenate([features["rr"].numpy() for features, _ in batches])
    labels = np.concatenate([label.numpy() for _, label in batches])
    return signal, rr, labels


def _train(data, normalizer, seed, noise, **options):
    options.setdefault("augment", AugmentConfig())
    return make_beat_pipeline(data, normalizer, batch_size=128, training=True, seed=seed, noise=noise, **options)


def test_shapes_and_dtypes(beat_dataset, normalizer, fake_noise_bank):
    pipeline = _train(beat_dataset, normalizer, 0, fake_noise_bank)
    features, label = next(iter(pipeline))
    assert tuple(features["signal"].shape) == (128, 288, 2) and features["signal"].dtype.name == "float32"
    assert tuple(features["rr"].shape) == (128, 7) and features["rr"].dtype.name == "float32"
    assert tuple(label.shape) == (128,) and label.dtype.name == "int64"
    assert int(pipeline.cardinality()) == 5  # ceil(600 / 128)
    sizes = [int(label.shape[0]) for _, label in pipeline]
    assert sizes == [128, 128, 128, 128, 88]


def test_same_seed_same_batches_different_seed_different(beat_dataset, beat_arrays, normalizer, fake_noise_bank):
    first = _epoch(_train(beat_dataset, normalizer, 11, fake_noise_bank, balance="sqrt"))
    second = _epoch(_train(beat_arrays, normalizer, 11, fake_noise_bank, balance="sqrt"))  # arrays or dataset: same
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    other = _epoch(_train(beat_dataset, normalizer, 12, fake_noise_bank, balance="sqrt"))
    assert not np.array_equal(first[0], other[0]) and not np.array_equal(first[2], other[2])


def test_epochs_differ_but_epoch_k_repeats_across_pipelines(beat_dataset, normalizer, fake_noise_bank):
    one = _train(beat_dataset, normalizer, 5, fake_noise_bank)
    two = _train(beat_dataset, normalizer, 5, fake_noise_bank)
    one_epochs = [_epoch(one) for _ in range(2)]
    two_epochs = [_epoch(two) for _ in range(2)]
    assert not np.array_equal(one_epochs[0][2], one_epochs[1][2])  # reshuffled
    assert not np.array_equal(one_epochs[0][0], one_epochs[1][0])  # re-augmented
    np.testing.assert_array_equal(one_epochs[1][0], two_epochs[1][0])
    # One epoch is a permutation of the split (no balancing): every beat once.
    np.testing.assert_array_equal(np.sort(one_epochs[0][2]), np.sort(beat_dataset_labels(beat_dataset)))


def beat_dataset_labels(dataset):
    return np.array([int(example["label"]) for example in dataset])


_SUBPROCESS = textwrap.dedent(
    """
    import hashlib
    import numpy as np
    import tensorflow as tf
    from ecgbench.data import AugmentConfig, NoiseBank, fit_normalizer, make_beat_pipeline
    tf.random.set_seed(5)  # the epoch seeds are keyed by TF's global seed too; the runner sets it
    rng = np.random.default_rng(7)
    n = 300
    arrays = {{"signal": rng.normal(0, 0.3, (n, 288, 2)).astype(np.float32), "label": rng.integers(0, 5, n)}}
    for name in ("rr_pre", "rr_post", "rr_local", "rr_average"):
        arrays[name] = rng.uniform(0.5, 1.2, n).astype(np.float32)
    bw = np.cumsum(rng.normal(0, 0.01, (21600, 2)), axis=0)
    noise = NoiseBank.from_arrays({{"bw": bw, "ma": rng.normal(0, 0.05, (21600, 2))}})
    pipeline = make_beat_pipeline(arrays, fit_normalizer(arrays), batch_size=64, training=True, seed=3,
                                  augment=AugmentConfig(), balance="uniform", noise=noise)
    for _ in pipeline:
        pass
    features, labels = next(iter(pipeline))  # epoch 2, first batch
    print(hashlib.sha256(features["signal"].numpy().tobytes() + labels.numpy().tobytes()).hexdigest())
    """
)


@pytest.mark.slow
def test_epoch_two_is_identical_in_a_fresh_process(tmp_path, capsys):
    code = _SUBPROCESS.format()
    script = tmp_path / "epoch2.py"
    script.write_text(code)
    fresh = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout.split()[-1]
    exec(compile(code, str(script), "exec"), {"__name__": "epoch2"})  # here, after other pipelines ran
    here = capsys.readouterr().out.split()[-1]
    assert len(fresh) == 64 and fresh == here


def test_autotuner_is_off_and_the_batches_equal_those_with_it_on(beat_dataset, normalizer, fake_noise_bank):
    import tensorflow as tf

    pipeline = _train(beat_dataset, normalizer, 3, fake_noise_bank)
    assert pipeline.options().deterministic is True and pipeline.options().autotune.enabled is False
    turned_on = tf.data.Options()
    turned_on.autotune.enabled = True
    with_autotuner = _train(beat_dataset, normalizer, 3, fake_noise_bank).with_options(turned_on)
    assert with_autotuner.options().autotune.enabled is True
    for ours, theirs in zip(_epoch(pipeline), _epoch(with_autotuner), strict=True):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("method", ["uniform", "sqrt"])
def test_balanced_sampling_approaches_the_target_mix(make_beats, method):
    arrays = make_beats(4000, seed=2, class_mix=(0.85, 0.06, 0.05, 0.03, 0.01))
    counts = np.bincount(arrays["label"], minlength=5)
    target = balance_weights(counts, method)
    pipeline = make_beat_pipeline(arrays, fit_normalizer(arrays), batch_size=500, training=True, seed=1, balance=method)
    labels = np.concatenate([_epoch(pipeline)[2] for _ in range(3)])  # 12,000 draws
    mix = np.bincount(labels, minlength=5) / labels.size
    np.testing.assert_allclose(mix, target, atol=0.015)
    assert abs(mix[0] - counts[0] / counts.sum()) > 0.2  # far from the natural mix


def test_balance_weights_definitions():
    np.testing.assert_allclose(balance_weights([100, 25, 0, 4, 1], "sqrt"), np.array([10, 5, 0, 2, 1]) / 18)
    np.testing.assert_allclose(balance_weights([100, 25, 0, 4, 1], "uniform"), [0.25, 0.25, 0, 0.25, 0.25])
    with pytest.raises(ConfigError, match="balance method"):
        balance_weights([1, 2], "inverse")


def test_evaluation_keeps_file_order_and_is_not_augmented(beat_dataset, beat_arrays, normalizer):
    pipeline = make_beat_pipeline(beat_dataset, normalizer, batch_size=256, training=False, seed=0,
                                  augment=AugmentConfig().with_probability(1.0), balance="uniform")  # fmt: skip
    signal, rr, labels = _epoch(pipeline)
    np.testing.assert_array_equal(labels, beat_arrays["label"])
    expected = normalizer.transform_arrays(beat_arrays)
    np.testing.assert_allclose(signal, expected["signal"], atol=1e-5)
    np.testing.assert_allclose(rr, expected["rr"], atol=1e-5)
    np.testing.assert_array_equal(signal, _epoch(pipeline)[0])


def test_training_signal_is_normalised_with_the_given_training_statistics(beat_arrays, make_beats):
    other = fit_normalizer(make_beats(300, seed=8), per_beat="none")
    pipeline = make_beat_pipeline(beat_arrays, other, batch_size=600, training=True, seed=0)
    signal, rr, labels = _epoch(pipeline)
    expected = other.transform_arrays(beat_arrays)
    order = np.lexsort((expected["rr"][:, 0], beat_arrays["label"]))
    got = np.lexsort((rr[:, 0], labels))
    np.testing.assert_allclose(signal[got], expected["signal"][order], atol=1e-5)


def test_lead_dropout_in_the_pipeline_zeros_the_normalised_lead(beat_arrays, normalizer):
    config = AugmentConfig().with_probability(1.0).only("lead_dropout_p")
    signal, _, _ = _epoch(make_beat_pipeline(beat_arrays, normalizer, batch_size=200, training=True, seed=4, augment=config))
    np.testing.assert_array_equal(np.all(signal == 0.0, axis=1).sum(axis=1), 1)


def test_streaming_path_is_deterministic_and_shaped(beat_dataset, normalizer, fake_noise_bank):
    def run():
        return _epoch(_train(beat_dataset, normalizer, 2, fake_noise_bank, cache=False, shuffle_buffer=200))

    first, second = run(), run()
    assert first[0].shape == (600, 288, 2) and first[1].shape == (600, 7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_bad_options_raise_config_errors(beat_arrays, beat_dataset, normalizer):
    with pytest.raises(ConfigError, match="balance method 'inverse'"):
        make_beat_pipeline(beat_arrays, normalizer, batch_size=8, training=True, seed=0, balance="inverse")
    with pytest.raises(ConfigError, match="cache=True"):
        make_beat_pipeline(beat_dataset, normalizer, batch_size=8, training=True, seed=0, balance="sqrt", cache=False)
    with pytest.raises(ConfigError, match="batch_size"):
        make_beat_pipeline(beat_arrays, normalizer, batch_size=0, training=True, seed=0)
    bad = dict(beat_arrays, label=beat_arrays["label"] + 3)
    with pytest.raises(ConfigError, match="AAMI class indices"):
        make_beat_pipeline(bad, normalizer, batch_size=8, training=True, seed=0)
    missing = {k: v for k, v in beat_arrays.items() if k != "rr_local"}
    with pytest.raises(ConfigError, match="rr_local"):
        make_beat_pipeline(missing, normalizer, batch_size=8, training=True, seed=0)


def test_missing_nstdb_names_the_folder(beat_arrays, normalizer, tmp_path):
    from ecgbench.errors import DataNotFoundError

    with pytest.raises(DataNotFoundError, match="nstdb"):
        make_beat_pipeline(
            beat_arrays, normalizer, batch_size=8, training=True, seed=0, augment=AugmentConfig(), noise=tmp_path
        )
