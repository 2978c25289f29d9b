"""Loading built TFDS splits (a tiny ad-hoc ``mitdb/beats`` build in a temp folder) and to_numpy."""

from __future__ import annotations

import numpy as np
import pytest

from ecgbench.data import dataset_dir, load_split, to_numpy
from ecgbench.errors import ConfigError, DataNotFoundError


def _features():
    import tensorflow_datasets as tfds

    return tfds.features.FeaturesDict(
        {
            "signal": tfds.features.Tensor(shape=(288, 2), dtype=np.float32),
            "record": tfds.features.Text(),
            "sample": np.int64,
            "symbol": tfds.features.Text(),
            "label": tfds.features.ClassLabel(names=["N", "S", "V", "F", "Q"]),
            "rr_pre": np.float32,
            "rr_post": np.float32,
            "rr_local": np.float32,
            "rr_average": np.float32,
        }
    )


def _tiny_builder_class(arrays):
    """A ``mitdb`` builder (unregistered) writing ds1_train = beats 0-39 and ds2 = beats 40-49.

    ``tfds.dataset_builders.store_as_tfds_dataset`` would be shorter but needs ``importlib_resources``,
    which the pinned environment lacks.
    """
    import tensorflow_datasets as tfds

    class TinyMitdb(tfds.core.GeneratorBasedBuilder, skip_registration=True):
        name = "mitdb"
        VERSION = tfds.core.Version("1.0.0")
        BUILDER_CONFIGS = [tfds.core.BuilderConfig(name="beats")]

        def _info(self):
            return tfds.core.DatasetInfo(builder=self, features=_features(), disable_shuffling=True)

        def _split_generators(self, dl_manager):
            return {"ds1_train": self._generate_examples(0, 40), "ds2": self._generate_examples(40, 50)}

        def _generate_examples(self, lo, hi):
            for i in range(lo, hi):
                yield i, {name: value[i] for name, value in arrays.items()}

    return TinyMitdb


@pytest.fixture(scope="module")
def built_dir(tmp_path_factory, make_beats):
    """A TFDS folder holding ``mitdb/beats/1.0.0`` with splits ds1_train (40 beats) and ds2 (10)."""
    root = tmp_path_factory.mktemp("tfds")
    arrays = make_beats(50, seed=5)
    _tiny_builder_class(arrays)(data_dir=str(root), config="beats").download_and_prepare()
    return root, arrays


def test_load_split_reads_the_built_split_in_order(built_dir):
    root, arrays = built_dir
    data = to_numpy(load_split("ds1_train", data_dir=root))
    assert data["signal"].shape == (40, 288, 2) and data["signal"].dtype == np.float32
    np.testing.assert_allclose(data["signal"], arrays["signal"][:40])
    np.testing.assert_array_equal(data["label"], arrays["label"][:40])
    assert data["record"].dtype.kind == "U" and list(data["record"][:3]) == list(arrays["record"][:3])
    assert len(to_numpy(load_split("ds1_train[:25%]", data_dir=root))["label"]) == 10


def test_unknown_split_lists_the_built_ones(built_dir):
    with pytest.raises(ConfigError, match=r"split 'ds3'.*ds1_train.*ds2|split 'ds3'.*ds2.*ds1_train"):
        load_split("ds3", data_dir=built_dir[0])


def test_missing_dataset_names_the_build_command(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"ecgbench build-dataset --config beats"):
        load_split("ds1_train", data_dir=tmp_path)
    with pytest.raises(DataNotFoundError, match=r"version 9.9.9.*built: 1.0.0|--config beats"):
        dataset_dir("beats", tmp_path, "9.9.9")
    with pytest.raises(ConfigError, match="unknown config 'beat'"):
        load_split("ds1_train", config="beat", data_dir=tmp_path)


def test_to_numpy_of_an_empty_dataset_keeps_shapes(beat_dataset):
    data = to_numpy(beat_dataset.take(0))
    assert data["signal"].shape == (0, 288, 2) and data["label"].shape == (0,)


@pytest.mark.slow
def test_real_built_ds1_train_feeds_the_pipeline(built_mitdb):
    """Integration: the real ``mitdb/beats`` build (made for this session) feeds the beat pipeline."""
    from ecgbench.data import fit_normalizer, make_beat_pipeline

    train = load_split("ds1_train", data_dir=built_mitdb)
    normalizer = fit_normalizer(train)
    assert normalizer.n_examples > 10_000
    val = load_split("ds1_val", data_dir=built_mitdb)
    pipeline = make_beat_pipeline(val, normalizer, batch_size=512, training=False, seed=0)
    features, labels = next(iter(pipeline))
    assert tuple(features["signal"].shape) == (512, 288, 2) and tuple(features["rr"].shape) == (512, 7)
    assert set(np.unique(labels.numpy())) <= set(range(5))


@pytest.mark.slow
@pytest.mark.parametrize("config", ["beats", "rhythm"])
def test_a_fresh_build_reproduces_the_published_checksum(built_mitdb, config):
    """Every machine that builds from the verified PhysioNet files gets the published examples."""
    from ecgbench.leaderboard.canonical import read_canonical_checksums
    from ecgbench.records.physionet import dataset_checksum

    version = dataset_dir(config, built_mitdb).name
    published = read_canonical_checksums()[(f"mitdb/{config}", version)]
    assert dataset_checksum(built_mitdb, config) == published
