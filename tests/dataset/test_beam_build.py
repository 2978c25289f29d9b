"""Beam builds (DirectRunner) of every database's builder write the same files as the plain builds."""

from __future__ import annotations

import bisect
import json
from pathlib import Path
from unittest import mock

import pytest

pytest.importorskip("apache_beam", reason="the Beam path needs apache-beam (the tfds-cli extra)")
tfds = pytest.importorskip("tensorflow_datasets")

from typer.testing import CliRunner  # noqa: E402

from ecgbench.cli import app  # noqa: E402
from ecgbench.datasets.beam_generation import order_key  # noqa: E402
from ecgbench.errors import ConfigError  # noqa: E402
from ecgbench.records.dataset import build_config, builder_class, split_class_counts, split_config  # noqa: E402
from ecgbench.records.physionet import dataset_checksum  # noqa: E402

DUMMY = {db: Path(builder_class(db).code_path).with_name("dummy_data") for db in ("mitdb", "svdb", "vfdb")}
PATCHES = {
    "svdb": {"RECORDS": ("s01", "s02", "s03"), "CHECKSUMS": DUMMY["svdb"] / "checksums.tsv"},
    "vfdb": {"RECORDS": ("v01", "v02", "v03"), "CHECKSUMS": DUMMY["vfdb"] / "checksums.tsv"},
}
CONFIGS = ["beats", "rhythm", "svdb/beats", "vfdb/rhythm", "vfdb/episodes"]
ONE_WORKER = "runner=DirectRunner"
TWO_WORKERS = "runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"


@pytest.fixture(scope="module")
def dummy_records():
    """Every builder pointed at its dummy records (mitdb's as in tests/dataset/conftest.py)."""
    from tests.dataset.conftest import DUMMY_SPLITS

    with mock.patch.multiple(builder_class("mitdb"), **DUMMY_SPLITS), mock.patch.multiple(builder_class("svdb"), **PATCHES["svdb"]), \
         mock.patch.multiple(builder_class("vfdb"), **PATCHES["vfdb"]):  # fmt: skip
        yield


@pytest.fixture(scope="module")
def plain(dummy_records, tmp_path_factory) -> dict[str, tuple[str, dict]]:
    """Each config built the plain way: its dataset checksum and class counts."""
    out = tmp_path_factory.mktemp("plain")
    return {config: _built(config, out, build_config(config, out, DUMMY[split_config(config)[0]])[0]) for config in CONFIGS}


def _built(config: str, tfds_dir: Path, builder) -> tuple[str, dict]:
    db, name = split_config(config)
    return dataset_checksum(tfds_dir, name, dataset=db), split_class_counts(builder)


@pytest.mark.parametrize("config", CONFIGS)
def test_a_beam_build_writes_the_plain_builds_files_and_counts(config, plain, tmp_path):
    builder, _ = build_config(config, tmp_path, DUMMY[split_config(config)[0]], runner="beam", beam_options=ONE_WORKER)
    assert _built(config, tmp_path, builder) == plain[config]


def test_two_multiprocessing_workers_write_the_same_files(plain, tmp_path):
    """mitdb/beats: six splits from one read per record, the intra-patient draw across records."""
    builder, _ = build_config("beats", tmp_path, DUMMY["mitdb"], runner="beam", beam_options=TWO_WORKERS)
    assert _built("beats", tmp_path, builder) == plain["beats"]


def test_cli_builds_on_beam_with_the_plain_counts(plain, tmp_path):
    args = ["build-dataset", "--config", "rhythm", "--manual-dir", str(DUMMY["mitdb"]), "--tfds-dir", str(tmp_path),
            "--runner", "beam", "--beam-options", ONE_WORKER, "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["configs"]["rhythm"]["splits"] == plain["rhythm"][1]
    assert dataset_checksum(tmp_path, "rhythm") == plain["rhythm"][0]


@pytest.mark.parametrize(
    "options, message",
    [
        (["--runner", "beam", "--beam-options", "direct_num_workers"], "'direct_num_workers' is not key=value"),
        (["--runner", "beam", "--beam-options", "direct_num_worker=2"], "'direct_num_worker' is not a Beam pipeline option"),
        (["--runner", "beam", "--beam-options", "runner=NoSuchRunner"], "Unexpected pipeline runner: NoSuchRunner"),
        (["--beam-options", ONE_WORKER], "--beam-options is for --runner beam"),
        (["--runner", "spark"], "unknown runner 'spark'; valid runners: local, beam"),
    ],
)
def test_bad_runner_or_beam_options_fail_before_building_without_traceback(options, message, tmp_path):
    args = ["build-dataset", "--config", "beats", "--manual-dir", str(DUMMY["mitdb"]), "--tfds-dir", str(tmp_path / "out"), *options]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_build_config_checks_the_runner_first(tmp_path):
    with pytest.raises(ConfigError, match="unknown runner"):
        build_config("beats", tmp_path, None, runner="dataflow")


def test_order_keys_put_every_example_in_the_plain_writers_shard():
    """The Beam writer's shard rule on :func:`order_key` reproduces the plain writer's cut points (TFDS's own functions)."""
    from tensorflow_datasets.core.shuffle import get_bucket_number
    from tensorflow_datasets.core.utils.shard_utils import get_shard_boundaries

    for total in [*range(1, 70), 1023, 1025, 4097, 49712, 80586]:
        keys = [order_key(i, total) for i in range(total)]
        assert keys == sorted(set(keys))  # distinct and in generation order
        for shards in (1, 2, 4, 8, 16, 64, 512, 1024, 2048):
            if shards > total:
                break
            cuts = get_shard_boundaries(total, shards)
            plain = [bisect.bisect_right(cuts, i) for i in range(total)]  # shard j holds cuts[j-1] <= i < cuts[j]
            assert [get_bucket_number(k, shards, keys[-1]) for k in keys] == plain, (total, shards)


def test_a_pipeline_that_loses_a_record_fails_and_keeps_nothing(dummy_records, tmp_path):
    """A Beam run that silently drops data (seen once with two multi_processing workers) must not pass as a build."""
    from ecgbench.datasets import beam_generation
    from ecgbench.errors import CorruptDataError

    real = beam_generation._RecordExamples.process

    def drop_first_record(self, record, selections, offsets):
        return [] if record == self.plan.records[0] else real(self, record, selections, offsets)

    with mock.patch.object(beam_generation._RecordExamples, "process", drop_first_record), \
         pytest.raises(CorruptDataError, match=r"lost data of split 'test': 2 of 3 records keyed"):  # fmt: skip
        build_config("vfdb/episodes", tmp_path, DUMMY["vfdb"], runner="beam", beam_options=ONE_WORKER)
    assert not list(tmp_path.glob("vfdb/episodes/*/dataset_info.json"))
