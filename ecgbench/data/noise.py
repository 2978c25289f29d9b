"""Real recorded ECG noise from the MIT-BIH Noise Stress Test Database, for augmentation.

NSTDB's ``bw`` (baseline wander) and ``ma`` (muscle artifact) records are 30 min of noise on two
channels at 360 Hz, recorded from active volunteers with electrodes placed where the ECG is
small (Moody et al. 1984). :class:`NoiseBank` holds them centred on zero (each channel's mean over
the record is removed, so a window carries the noise's own drift rather than an arbitrary
electrode offset), together with each channel's mean power over the whole record. The
augmentation scales a randomly placed window so that *record-level* noise power relative to the
beat's power hits a target SNR, as the NSTDB's own ``nst`` tool calibrates gains on the whole
noise record rather than on each window.

References
----------
Moody GB, Muldrow WE, Mark RG. A noise stress test for arrhythmia detectors. Computers in
Cardiology 11:381-384 (1984).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ecgbench.errors import ConfigError, DataNotFoundError, unknown_choice
from ecgbench.paths import database_dir
from ecgbench.records import read_record

#: Noise records usable for augmentation (NSTDB's ``em``, electrode motion, is not shipped here).
NSTDB_NOISE_KINDS = ("bw", "ma")
#: Sampling rate of the NSTDB records and of MIT-BIH, Hz.
NSTDB_FS = 360.0


@dataclass(frozen=True)
class NoiseBank:
    """Centred noise records stacked for fast windowed gathering.

    Attributes
    ----------
    kinds : tuple of str
        Record names in the order of the first axis, e.g. ``("bw", "ma")``.
    signal : numpy.ndarray
        Float32 ``[kinds, samples, channels]`` in mV, each channel's record mean removed.
    power : numpy.ndarray
        Float32 ``[kinds, channels]``: mean square of ``signal`` over the record (mV²).
    fs : float
        Sampling rate in Hz.
    """

    kinds: tuple[str, ...]
    signal: np.ndarray
    power: np.ndarray
    fs: float

    @property
    def n_samples(self) -> int:
        """Samples per noise record."""
        return int(self.signal.shape[1])

    @property
    def n_channels(self) -> int:
        """Channels per noise record."""
        return int(self.signal.shape[2])

    @classmethod
    def from_arrays(cls, records: dict[str, np.ndarray], fs: float = NSTDB_FS) -> NoiseBank:
        """Build a bank from ``{kind: [samples, channels] mV}`` arrays (cut to the shortest record)."""
        if not records:
            raise ConfigError("a noise bank needs at least one noise record")
        kinds = tuple(records)
        length = min(np.asarray(signal).shape[0] for signal in records.values())
        stacked = np.stack([np.asarray(records[kind], np.float32)[:length] for kind in kinds])
        if stacked.ndim != 3:
            raise ConfigError("noise records must be [samples, channels] arrays")
        centred = stacked - stacked.mean(axis=1, keepdims=True)
        power = np.square(centred, dtype=np.float64).mean(axis=1).astype(np.float32)
        if np.any(power <= 0):
            raise ConfigError(f"a noise record in {kinds} has a flat (zero-power) channel; it cannot be scaled to an SNR")
        return cls(kinds=kinds, signal=centred.astype(np.float32), power=power, fs=float(fs))


def load_noise_bank(
    data_dir: str | os.PathLike | None = None,
    kinds: tuple[str, ...] = NSTDB_NOISE_KINDS,
) -> NoiseBank:
    """Read NSTDB noise records into a :class:`NoiseBank`.

    Parameters
    ----------
    data_dir : path-like, optional
        Root of the raw PhysioNet data (the records are read from ``<data_dir>/nstdb``); default
        ``$ECGBENCH_DATA_DIR``, else ``~/ecgbench_data`` (see :mod:`ecgbench.paths`).
    kinds : tuple of str
        Which noise records to load, a subset of :data:`NSTDB_NOISE_KINDS`.

    Returns
    -------
    NoiseBank

    Raises
    ------
    DataNotFoundError
        The NSTDB folder or a record in it is missing.
    """
    for kind in kinds:
        if kind not in NSTDB_NOISE_KINDS:
            raise unknown_choice("noise record", kind, NSTDB_NOISE_KINDS)
    folder = database_dir("nstdb", data_dir)
    if not folder.is_dir():
        raise DataNotFoundError(
            f"NSTDB folder {folder} not found; real-noise augmentation needs the noise records "
            f"{', '.join(kinds)} there: pass --data-dir (or set $ECGBENCH_DATA_DIR) to a folder holding nstdb/, "
            "or set the real-noise probability to 0"
        )
    records = {}
    fs = None
    for kind in kinds:
        record = read_record(kind, folder)
        if fs is not None and record.fs != fs:
            raise ConfigError(f"noise records in {folder} have different sampling rates ({fs} and {record.fs} Hz)")
        fs = record.fs
        records[kind] = record.signal
    return NoiseBank.from_arrays(records, fs=fs)
