"""PhysioNet source files (mitdb, svdb, vfdb): checksum table, folder verification, download, identity.

The checksum table is the TFDS ``checksums.tsv`` of the database's dataset builder
(``ecgbench/datasets/<db>/checksums.tsv``, shipped in the package: URL, size in bytes, SHA-256, file name), made from PhysioNet's published file list (for
vfdb, whose list was not at hand, from verified local copies; see :data:`DATABASES`). Every
source file is verified against it before use, whether it was downloaded or given as a local
folder, so a build never starts from altered data. Databases flagged ``check_signal_checksums``
also have every record's signal checked against the 16-bit checksums in its header.

Two identities of the data:

- :func:`source_checksum`: SHA-256 of the sorted ``"<file> <sha256>"`` lines of the source files
  a build read (what went in).
- :func:`dataset_checksum`: SHA-256 of the sorted ``"<file> <content sha256>"`` lines of a built
  TFDS config's data files (what came out), where a file's content hash covers its examples in
  order, each re-serialised canonically. Hashing the raw bytes is not enough: protobuf writes the
  feature map of a ``tf.train.Example`` in an order that changes from process to process (and
  between protobuf releases), so two builds of identical examples differ byte for byte. Run
  records store this checksum; ``ecgbench/datasets/mitdb/dataset_checksums.tsv`` publishes the official one.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgbench.errors import CorruptDataError, DataNotFoundError, unknown_choice
from ecgbench.hashing import sha256_file
from ecgbench.paths import TFDS_DIR_ENV, dataset_folder

PHYSIONET_MITDB_URL = "https://physionet.org/files/mitdb/1.0.0/"
MITDB_EXTENSIONS = ("hea", "dat", "atr")
DATASET_NAME = "mitdb"
_CHUNK = 1 << 20
#: Seconds to wait for PhysioNet to connect or send data before a download gives up (no retries).
DOWNLOAD_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Database:
    """A PhysioNet WFDB database the builders read.

    Attributes
    ----------
    name : str
        Short name and TFDS dataset name (``"svdb"``).
    title : str
        Full name, for messages.
    url : str
        Base URL of the published files (ends with ``/``).
    example_files : str
        A few file names, for messages (``"800.hea, 800.dat, 800.atr"``).
    check_signal_checksums : bool
        Also verify each record's signal against its header's checksums (used where PhysioNet's
        SHA-256 list was not bundled).
    """

    name: str
    title: str
    url: str
    example_files: str
    check_signal_checksums: bool = False


DATABASES: dict[str, Database] = {
    "mitdb": Database("mitdb", "MIT-BIH Arrhythmia Database", PHYSIONET_MITDB_URL, "100.hea, 100.dat, 100.atr"),
    "svdb": Database(
        "svdb", "MIT-BIH Supraventricular Arrhythmia Database", "https://physionet.org/files/svdb/1.0.0/",
        "800.hea, 800.dat, 800.atr",
    ),
    "vfdb": Database(
        "vfdb", "MIT-BIH Malignant Ventricular Ectopy Database", "https://physionet.org/files/vfdb/1.0.0/",
        "418.hea, 418.dat, 418.atr", check_signal_checksums=True,
    ),
}  # fmt: skip


def database(name: str) -> Database:
    """Return the :class:`Database` called ``name``; an unknown name raises ``ConfigError`` listing the valid ones."""
    if name not in DATABASES:
        raise unknown_choice("database", name, tuple(DATABASES))
    return DATABASES[name]


@dataclass(frozen=True)
class SourceFile:
    """One published file: name, URL, size (bytes), SHA-256 (hex)."""

    name: str
    url: str
    size: int
    sha256: str


def checksums_path(db: str = DATASET_NAME) -> Path:
    """Return a builder's ``checksums.tsv`` (``<package>/datasets/<db>/checksums.tsv``)."""
    return dataset_folder(db) / "checksums.tsv"


def read_checksums(path: str | os.PathLike | None = None, db: str = DATASET_NAME) -> dict[str, SourceFile]:
    """Read a TFDS ``checksums.tsv`` (URL, size, SHA-256[, file name]) keyed by file name.

    ``path`` defaults to the table of database ``db`` (:func:`checksums_path`).
    """
    path = Path(path) if path is not None else checksums_path(database(db).name)
    if not path.is_file():
        raise DataNotFoundError(
            f"checksum table {path} not found; it ships in the package (ecgbench/datasets/{db}/): "
            "the install is incomplete, reinstall ecgbench"
        )
    table: dict[str, SourceFile] = {}
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise CorruptDataError(f"{path}:{line_no}: expected URL, size and SHA-256 separated by tabs")
        name = fields[3] if len(fields) > 3 else fields[0].rsplit("/", 1)[-1]
        table[name] = SourceFile(name=name, url=fields[0], size=int(fields[1]), sha256=fields[2])
    return table


def record_files(records: Iterable[str]) -> list[str]:
    """Return the file names of records: ``["100.hea", "100.dat", "100.atr", …]``."""
    return [f"{r}.{ext}" for r in records for ext in MITDB_EXTENSIONS]


def require_record_files(folder: str | os.PathLike, records: Iterable[str], option: str = "--manual-dir", db: str = DATASET_NAME) -> None:
    """Check that ``folder`` holds every WFDB file of ``records`` (by name; contents are verified later).

    Parameters
    ----------
    folder : path-like
        The folder given by the user.
    records : iterable of str
        Record names whose ``.hea``, ``.dat`` and ``.atr`` files must be there.
    option : str
        The option that named the folder, repeated in the message.
    db : str
        The database the records belong to (:data:`DATABASES`), named in the message.

    Raises
    ------
    DataNotFoundError
        The folder does not exist, holds no WFDB files at all (empty or another kind of folder), or
        lacks some of the files; the message names the missing files and where to get them.
    """
    source = database(db)
    folder = Path(folder).expanduser()
    names = record_files(records)
    if not folder.is_dir():
        raise DataNotFoundError(
            f"{option} {folder} does not exist; pass the folder holding the {source.title} files "
            f"({source.example_files} …), e.g. ../shared/data/{db} or ~/ecgbench_data/{db}"
        )
    missing = [n for n in names if not (folder / n).is_file()]
    if not missing:
        return
    shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
    if len(missing) == len(names):
        wfdb = sorted(p.name for p in folder.glob("*.hea"))[:3]
        kind = "is empty" if not any(folder.iterdir()) else (
            f"holds other WFDB records ({', '.join(wfdb)} …), not {db}" if wfdb else "holds no WFDB records (no .hea/.dat/.atr files)")
        raise DataNotFoundError(
            f"{option} {folder} {kind}: it lacks all {len(names)} {source.title} files ({shown}); pass the folder holding "
            f"them (e.g. ../shared/data/{db}), copy them from {source.url}, or leave {option} out to download them"
        )
    raise DataNotFoundError(
        f"{option} {folder} lacks {len(missing)} of the {len(names)} {source.title} files: {shown}; copy them from "
        f"{source.url} or pass a complete folder"
    )


def verify_folder(
    folder: str | os.PathLike,
    records: Iterable[str],
    checksums: dict[str, SourceFile] | None = None,
    db: str = DATASET_NAME,
) -> dict[str, SourceFile]:
    """Check that ``folder`` holds every file of ``records`` with the published size and SHA-256.

    ``db`` names the database (:data:`DATABASES`): its default checksum table, its URL in messages,
    and whether each record's signal is also checked against its header (:func:`verify_signal_checksums`).

    Returns
    -------
    dict
        The verified files' entries, keyed by file name.

    Raises
    ------
    DataNotFoundError
        The folder or some files are missing (all missing files are named).
    CorruptDataError
        A file's size or SHA-256 differs from the table (the file is named).
    """
    folder, source = Path(folder), database(db)
    records = list(records)
    checksums = checksums if checksums is not None else read_checksums(db=db)
    names = record_files(records)
    if not folder.is_dir():
        raise DataNotFoundError(
            f"{source.title} folder {folder} not found; put the PhysioNet {db} files ({source.example_files} …) "
            f"there, pass the folder that holds them with --manual-dir, or let `ecgbench build-dataset` "
            f"download them into <data-dir>/{db}"
        )
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise DataNotFoundError(
            f"{len(missing)} {db} file(s) missing from {folder}: {shown}; copy them from "
            f"{source.url} or pass another folder with --manual-dir"
        )
    verified: dict[str, SourceFile] = {}
    for name in names:
        if name not in checksums:
            raise CorruptDataError(f"{name} has no entry in the checksum table {checksums_path(db)}")
        expected, path = checksums[name], folder / name
        size = path.stat().st_size
        if size != expected.size:
            raise CorruptDataError(
                f"{path} has {size} bytes, PhysioNet publishes {expected.size} (truncated or altered); "
                f"download it again from {expected.url}"
            )
        actual = sha256_file(path)
        if actual != expected.sha256:
            raise CorruptDataError(
                f"SHA-256 mismatch for {path}: got {actual}, expected {expected.sha256}; "
                f"download it again from {expected.url}"
            )
        verified[name] = expected
    if source.check_signal_checksums:
        for record in records:
            verify_signal_checksums(folder, record)
    return verified


def verify_signal_checksums(folder: str | os.PathLike, record: str) -> None:
    """Check a record's signal against the 16-bit checksums its WFDB header declares.

    Each header signal line carries the sum of the channel's stored (digital) samples modulo
    2**16 (PhysioNet writes it signed, wfdb-python unsigned: both are compared modulo 2**16); a
    changed or truncated ``.dat`` changes the sum.

    Raises
    ------
    CorruptDataError
        A header declares no checksum, or a channel's sum differs (record, channel and both sums named).
    """
    import wfdb  # heavy import only where needed

    path = Path(folder) / record
    try:
        rec = wfdb.rdrecord(str(path), physical=False)
    except Exception as exc:  # wfdb raises bare ValueError/IndexError on malformed files
        raise CorruptDataError(f"cannot read WFDB record {path}: {exc}") from exc
    declared = list(rec.checksum or [])
    if len(declared) != rec.n_sig:
        raise CorruptDataError(f"header {path}.hea declares no signal checksum for every channel; download it again")
    sums = np.asarray(rec.d_signal, dtype=np.int64).sum(axis=0)
    actual = [int((int(v) + 32768) % 65536 - 32768) for v in sums]  # signed, as PhysioNet writes it
    for channel, (want, got) in enumerate(zip(declared, actual)):
        if (int(want) - got) % 65536:
            raise CorruptDataError(
                f"signal checksum mismatch in {path}.dat channel {channel}: header says {want}, samples sum to {got} "
                f"(altered or truncated); download the record again"
            )


def download_records(
    folder: str | os.PathLike,
    records: Iterable[str],
    checksums: dict[str, SourceFile] | None = None,
    on_file: Callable[[str], None] | None = None,
    db: str = DATASET_NAME,
    timeout_s: float = DOWNLOAD_TIMEOUT_S,
) -> Path:
    """Download the files of ``records`` of database ``db`` from PhysioNet into ``folder``, verifying each.

    Files already present with the right SHA-256 are kept. Each download goes to
    ``<name>.part`` and is renamed only after its SHA-256 matched, so an interrupted or corrupted
    download never leaves a file that looks valid. ``on_file(name)`` is called after each file.

    The first network failure ends the download with one message (no retries: offline, every
    file would fail the same way); the ``.part`` file is removed whatever stopped the download
    (including Ctrl-C), and so is ``folder`` if this call created it and it is still empty.

    Raises
    ------
    DataNotFoundError
        PhysioNet cannot be reached or a file cannot be downloaded (``timeout_s`` seconds without data).
    CorruptDataError
        A downloaded file's SHA-256 differs from the table.
    """
    folder = Path(folder).expanduser()
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    records = list(records)
    checksums = checksums if checksums is not None else read_checksums(db=db)
    try:
        for name in record_files(records):
            entry, target = checksums[name], folder / name
            if not (target.is_file() and sha256_file(target) == entry.sha256):
                _download_one(entry, target, folder, timeout_s, database(db).title)
            if on_file is not None:
                on_file(name)
    except BaseException:
        if created and not any(folder.iterdir()):
            folder.rmdir()
        raise
    if database(db).check_signal_checksums:
        for record in records:
            verify_signal_checksums(folder, record)
    return folder


def _download_one(entry: SourceFile, target: Path, folder: Path, timeout_s: float, title: str = "MIT-BIH") -> None:
    """Fetch one file through ``<name>.part``; verify its SHA-256, then rename it into place."""
    part = target.with_name(target.name + ".part")
    try:
        try:
            with urllib.request.urlopen(entry.url, timeout=timeout_s) as response, open(part, "wb") as out:
                shutil.copyfileobj(response, out, _CHUNK)
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts and resets are OSErrors
            raise DataNotFoundError(
                f"cannot download {entry.url} ({getattr(exc, 'reason', exc)}); PhysioNet is unreachable (offline?). "
                f"Copy the {title} files into {folder} by hand, or pass a folder that holds them with --manual-dir"
            ) from None
        actual = sha256_file(part)
        if actual != entry.sha256:
            raise CorruptDataError(f"SHA-256 mismatch for downloaded {entry.url}: got {actual}, expected {entry.sha256}")
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)


def _digest_lines(lines: Iterable[str]) -> str:
    return hashlib.sha256("".join(sorted(line + "\n" for line in lines)).encode()).hexdigest()


def source_checksum(files: dict[str, SourceFile]) -> str:
    """Return the SHA-256 identifying a set of verified source files (see the module docstring)."""
    return _digest_lines(f"{name} {entry.sha256}" for name, entry in files.items())


_VERSION_DIR = re.compile(r"^\d+\.\d+\.\d+$")


def built_version_dir(
    tfds_dir: str | os.PathLike, config: str, version: str | None = None, dataset: str = DATASET_NAME
) -> Path:
    """Return ``<tfds_dir>/<dataset>/<config>/<version>`` of a completed build (highest version by default).

    TFDS writes into a temporary folder and renames it to the version folder only on success, so
    an existing version folder holding ``dataset_info.json`` is a complete build.

    Raises
    ------
    DataNotFoundError
        Nothing (or not that version) is built there; the message names the command that builds it.
    """
    tfds_dir = Path(tfds_dir).expanduser()
    config_dir = tfds_dir / dataset / config
    name = config if dataset == DATASET_NAME else f"{dataset}/{config}"
    build_hint = (
        f"build it with `ecgbench build-dataset --config {name}` (add --tfds-dir {tfds_dir} "
        f"or set ${TFDS_DIR_ENV} if you keep datasets elsewhere)"
    )
    versions = sorted(
        (p for p in config_dir.glob("*") if _VERSION_DIR.match(p.name) and (p / "dataset_info.json").is_file()),
        key=lambda p: tuple(int(x) for x in p.name.split(".")),
    )
    if not versions:
        raise DataNotFoundError(f"no built TFDS dataset {dataset}/{config} in {config_dir}; {build_hint}")
    if version is None:
        return versions[-1]
    for candidate in versions:
        if candidate.name == version:
            return candidate
    raise DataNotFoundError(
        f"version {version} of {dataset}/{config} is not built in {config_dir} (built: "
        f"{', '.join(v.name for v in versions)}); {build_hint}"
    )


def dataset_checksum(
    tfds_dir: str | os.PathLike, config: str, version: str | None = None, dataset: str = DATASET_NAME
) -> str:
    """Return the SHA-256 identifying a built TFDS config: a digest of its data files' SHA-256.

    Parameters
    ----------
    tfds_dir : path-like
        The TFDS data dir passed to ``tfds.load(..., data_dir=tfds_dir)``.
    config : str
        Builder config name (``"beats"``, ``"rhythm"`` …).
    version : str, optional
        Dataset version; default the highest complete one.
    dataset : str
        TFDS dataset name (``"mitdb"``, ``"svdb"``, ``"vfdb"``).

    Notes
    -----
    Only the example files (``mitdb-<split>.tfrecord-XXXXX-of-YYYYY``) are hashed, by name and
    content (see :func:`example_file_sha256`); ``dataset_info.json`` and ``features.json`` are left
    out because they hold paths and sizes that may vary with the TFDS release without any change to
    the examples. Takes about 4 s for the ~250,000 beat examples.
    """
    folder = built_version_dir(tfds_dir, config, version, dataset)
    data_files = [p for p in folder.iterdir() if p.name.startswith(f"{dataset}-") and "-of-" in p.name]
    if not data_files:
        raise CorruptDataError(f"built dataset folder {folder} holds no example files; rebuild it")
    return _digest_lines(f"{p.name} {example_file_sha256(p)}" for p in data_files)


def example_file_sha256(path: str | os.PathLike) -> str:
    """Return the SHA-256 of a TFRecord file's examples, each serialised deterministically, in order.

    ``tf.train.Example`` holds its features in a protobuf map whose serialised order is not fixed,
    so the file bytes of the same examples vary between builds; ``SerializeToString(deterministic=True)``
    sorts the map keys and makes the digest depend on the examples only.

    Raises
    ------
    CorruptDataError
        The file is not a readable TFRecord file of ``tf.train.Example`` protos.
    """
    import tensorflow as tf  # heavy: only when a checksum is asked for
    from tensorflow.core.example import example_pb2

    digest = hashlib.sha256()
    try:
        for batch in tf.data.TFRecordDataset([str(path)], buffer_size=8 << 20).batch(4096).as_numpy_iterator():
            for serialized in batch:
                digest.update(example_pb2.Example.FromString(serialized).SerializeToString(deterministic=True))
    except (tf.errors.OpError, ValueError) as exc:  # DataLossError on truncation, DecodeError is a ValueError
        raise CorruptDataError(f"cannot read the examples of {path}: {exc}; rebuild the dataset") from exc
    return digest.hexdigest()
