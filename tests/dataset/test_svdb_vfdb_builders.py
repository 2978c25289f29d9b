"""svdb and vfdb TFDS builders on their dummy_data/ (synthetic records at 128 and 250 Hz)."""

from __future__ import annotations

import shutil
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

# tfds.testing imports dill, which tensorflow-datasets does not install by itself.
pytest.importorskip("dill", reason="tfds.testing needs the `dill` package (add it to the dev extra)")

import tensorflow_datasets as tfds  # noqa: E402

from ecgbench.errors import CorruptDataError, DataNotFoundError  # noqa: E402
from ecgbench.records import read_annotations  # noqa: E402
from ecgbench.records.dataset import build_config, builder_class, resolve_configs, split_class_counts  # noqa: E402
from ecgbench.records.lists import SVDB_RECORDS, VFDB_RECORDS  # noqa: E402
from ecgbench.records.physionet import read_checksums, verify_folder, verify_signal_checksums  # noqa: E402
from ecgbench.records.symbols import is_beat  # noqa: E402

SvdbBuilder, VfdbBuilder = builder_class("svdb"), builder_class("vfdb")
SVDB_DUMMY = Path(SvdbBuilder.code_path).with_name("dummy_data")
VFDB_DUMMY = Path(VfdbBuilder.code_path).with_name("dummy_data")
SVDB_PATCH = {"RECORDS": ("s01", "s02", "s03"), "CHECKSUMS": SVDB_DUMMY / "checksums.tsv"}
VFDB_PATCH = {"RECORDS": ("v01", "v02", "v03"), "CHECKSUMS": VFDB_DUMMY / "checksums.tsv"}


class _Patched:
    """Mixin: point the builder at its dummy records for the duration of the test class."""

    PATCH: dict = {}

    @classmethod
    def setUpClass(cls):
        cls._patcher = mock.patch.multiple(cls.DATASET_CLASS, **cls.PATCH)
        cls._patcher.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._patcher.stop()


class SvdbBeatsTest(_Patched, tfds.testing.DatasetBuilderTestCase):
    """Every annotated beat of the three 20-s records (23 each) becomes one example."""

    DATASET_CLASS = SvdbBuilder
    PATCH = SVDB_PATCH
    BUILDER_CONFIG_NAMES_TO_TEST = ["beats"]
    SPLITS = {"test": 69}
    MOCK_OUT_FORBIDDEN_OS_FUNCTIONS = False  # wfdb reads files with plain open()
    SKIP_CHECKSUMS = True  # the manual dir is verified against dummy_data/checksums.tsv instead


class VfdbRhythmTest(_Patched, tfds.testing.DatasetBuilderTestCase):
    """Five 10-s windows (5-s stride) per 30-s record, none dropped (see make_dummy_data.py)."""

    DATASET_CLASS = VfdbBuilder
    PATCH = VFDB_PATCH
    BUILDER_CONFIG_NAMES_TO_TEST = ["rhythm"]
    SPLITS = {"test": 15}
    MOCK_OUT_FORBIDDEN_OS_FUNCTIONS = False
    SKIP_CHECKSUMS = True


class VfdbEpisodesTest(_Patched, tfds.testing.DatasetBuilderTestCase):
    """One example per rhythm episode: 4 + 4 + 3."""

    DATASET_CLASS = VfdbBuilder
    PATCH = VFDB_PATCH
    BUILDER_CONFIG_NAMES_TO_TEST = ["episodes"]
    SPLITS = {"test": 11}
    MOCK_OUT_FORBIDDEN_OS_FUNCTIONS = False
    SKIP_CHECKSUMS = True


@pytest.fixture()
def patched():
    with mock.patch.multiple(SvdbBuilder, **SVDB_PATCH), mock.patch.multiple(VfdbBuilder, **VFDB_PATCH):
        yield


def _load(data_dir: Path, name: str) -> list[dict]:
    return list(tfds.as_numpy(tfds.load(name, split="test", data_dir=str(data_dir), download=False)))


def test_svdb_beats_are_resampled_to_360_hz_with_peaks_in_place(patched, tmp_path):
    builder, _ = build_config("svdb/beats", tmp_path, SVDB_DUMMY)
    examples = _load(tmp_path, "svdb/beats")
    ann = read_annotations("s01", SVDB_DUMMY)
    beats_128 = ann.sample[is_beat(ann.symbol)]
    s01 = [e for e in examples if e["record"] == b"s01"]
    # positions converted with the resampler's ratio 45/16 (128 -> 360 Hz)
    assert [int(e["sample"]) for e in s01] == np.rint(beats_128 * 45 / 16).astype(int).tolist()
    # the R peak (the window's maximum on the first lead) stays at the window's centre sample (108)
    peaks = [int(np.argmax(e["signal"][:, 0])) for e in s01[1:-1]]
    assert all(abs(p - 108) <= 2 for p in peaks), peaks
    assert examples[0]["signal"].shape == (288, 2)
    rr = float(s01[5]["rr_pre"])
    assert rr == pytest.approx((beats_128[5] - beats_128[4]) / 128, abs=1.5 / 360)
    counts = split_class_counts(builder)["test"]
    # 23 beats per record, symbols cycled: s01 NNSNV → N14 S5 V4; s02 NNJNaF → N12 S8 (J, a) F3;
    # s03 NNQNBS → N16 (B is N) Q4 S3
    assert counts == {"N": 42, "S": 16, "V": 4, "F": 3, "Q": 4, "total": 69}


def test_vfdb_windows_and_episodes_carry_labels_and_aha_groups(patched, tmp_path):
    build_config("vfdb/rhythm", tmp_path, VFDB_DUMMY)
    build_config("vfdb/episodes", tmp_path, VFDB_DUMMY)
    info = tfds.builder("vfdb/rhythm", data_dir=str(tmp_path)).info
    names, aha = info.features["label"].names, info.features["aha"].names
    windows = [(e["record"].decode(), int(e["start"]), e["rhythm"].decode(), names[e["label"]], aha[e["aha"]])
               for e in _load(tmp_path, "vfdb/rhythm")]  # fmt: skip
    assert windows[:5] == [
        ("v01", 0, "N", "N", "NONSHOCK"), ("v01", 1800, "VT", "VT", "VT"), ("v01", 3600, "VFL", "VFL", "VF"),
        ("v01", 5400, "VFL", "VFL", "VF"), ("v01", 7200, "NOISE", "NOISE", "NOISE"),
    ]  # fmt: skip
    assert windows[5][2:] == ("NSR", "N", "NONSHOCK") and windows[8][2:] == ("VFIB", "VF", "VF")
    episodes = _load(tmp_path, "vfdb/episodes")
    v02 = [(e["rhythm"].decode(), float(e["onset_s"]), float(e["offset_s"]), int(e["start"])) for e in episodes if e["record"] == b"v02"]
    assert v02 == [("NSR", 2.0, 12.0, 720), ("VF", 12.0, 20.0, 4320), ("VFIB", 20.0, 26.0, 7200), ("ASYS", 26.0, 30.0, 9360)]


def test_rebuilds_give_the_same_dataset_checksum(patched, tmp_path):
    from ecgbench.records.physionet import dataset_checksum

    for out in ("a", "b"):
        build_config("vfdb/rhythm", tmp_path / out, VFDB_DUMMY)
    assert dataset_checksum(tmp_path / "a", "rhythm", dataset="vfdb") == dataset_checksum(tmp_path / "b", "rhythm", dataset="vfdb")


def test_corrupt_or_missing_file_stops_the_build_naming_it(patched, tmp_path):
    source = Path(shutil.copytree(VFDB_DUMMY, tmp_path / "src"))
    data = bytearray((source / "v02.dat").read_bytes())
    data[100] ^= 0xFF
    (source / "v02.dat").write_bytes(bytes(data))
    with pytest.raises(CorruptDataError, match=r"v02\.dat"):
        build_config("vfdb/rhythm", tmp_path / "out", source)
    (source / "v02.dat").unlink()
    with pytest.raises(DataNotFoundError, match=r"v02\.dat"):
        build_config("vfdb/rhythm", tmp_path / "out", source)
    assert not list((tmp_path / "out").glob("vfdb/rhythm/*/dataset_info.json"))  # nothing loadable left


def test_header_signal_checksum_catches_an_altered_signal(tmp_path):
    source = Path(shutil.copytree(VFDB_DUMMY, tmp_path / "src"))
    verify_signal_checksums(source, "v01")  # intact
    data = bytearray((source / "v01.dat").read_bytes())
    data[300] ^= 0x01
    (source / "v01.dat").write_bytes(bytes(data))
    with pytest.raises(CorruptDataError, match=r"v01\.dat channel"):
        verify_signal_checksums(source, "v01")


def test_config_names_resolve_per_database():
    assert resolve_configs("svdb/beats") == ("svdb/beats",)
    assert resolve_configs("vfdb/all") == ("vfdb/rhythm", "vfdb/episodes")
    assert resolve_configs("all") == ("beats", "rhythm")
    with pytest.raises(ValueError, match="rhythm_4s"):
        resolve_configs("vfdb/beats")


def test_checksum_tables_cover_every_record_file():
    assert len(read_checksums(db="svdb")) == 3 * len(SVDB_RECORDS) == 234
    assert len(read_checksums(db="vfdb")) == 3 * len(VFDB_RECORDS) == 66


@pytest.mark.slow
@pytest.mark.parametrize("db, records", [("svdb", SVDB_RECORDS), ("vfdb", VFDB_RECORDS)])
def test_shared_copies_pass_verification(shared_data, db, records):
    verified = verify_folder(shared_data / db, records, db=db)
    assert len(verified) == 3 * len(records)


def test_cli_builds_vfdb_and_stops_on_a_corrupt_file_naming_it(patched, tmp_path):
    import json

    from typer.testing import CliRunner

    from ecgbench.cli import app

    def invoke(source, out):
        args = ["build-dataset", "--config", "vfdb/all", "--manual-dir", str(source), "--output-dir", str(out), "--json"]
        return CliRunner().invoke(app, args, env={"COLUMNS": "120", "NO_COLOR": "1"})

    ok = invoke(VFDB_DUMMY, tmp_path / "ok")
    assert ok.exit_code == 0, ok.output
    payload = json.loads(ok.stdout)
    assert payload["dataset"] == "vfdb" and set(payload["configs"]) == {"vfdb/rhythm", "vfdb/episodes"}
    assert payload["configs"]["vfdb/episodes"]["splits"]["test"]["total"] == 11
    source = Path(shutil.copytree(VFDB_DUMMY, tmp_path / "src"))
    (source / "v03.hea").write_text((source / "v03.hea").read_text().replace("250", "251", 1))
    bad = invoke(source, tmp_path / "bad")
    assert bad.exit_code == 2 and "v03.hea" in bad.output and "Traceback" not in bad.output
