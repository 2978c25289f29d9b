"""Shared by the DS1-only alarm benchmarks (``af_detector_ds1.py``, ``vt_detector_ds1.py``).

Streams the 22 DS1 records once per (beat classifier, alarm variant) through the streaming track
(never a DS2 record: DS2 is the streaming track's test set) and yields each track result, so each
script only states its variants and the figures it prints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated

import typer

DataDirOption = Annotated[Path | None, typer.Option(help="Raw data root holding mitdb/ (default ../shared/data).")]
ClassifiersOption = Annotated[str, typer.Option(help="Comma-separated --model values of `ecgbench run stream`.")]
ChunkOption = Annotated[float, typer.Option(help="Chunk length, seconds.")]
ResultsDirOption = Annotated[Path, typer.Option(help="Results tree holding the classifiers' runs.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def sweep_ds1(classifiers: str, variants: Mapping[str, dict], data_dir: Path | None, chunk: float,
              results_dir: Path) -> Iterator[tuple[str, str, object]]:  # fmt: skip
    """Yield ``(classifier, variant, TrackResult)`` over DS1 for every classifier and ``AlarmConfig`` variant.

    Parameters
    ----------
    classifiers : str
        Comma-separated ``--model`` values of ``ecgbench run stream``.
    variants : mapping
        Variant label → :class:`ecgbench.streaming.AlarmConfig` keyword arguments.
    data_dir : Path or None
        Raw data root holding ``mitdb/`` (None: ``../shared/data``).
    chunk : float
        Chunk length, seconds.
    results_dir : Path
        Results tree holding the classifiers' runs.
    """
    from ecgbench.paths import database_dir, shared_data_dir
    from ecgbench.records.splits import DS1
    from ecgbench.streaming.alarms import AlarmConfig
    from ecgbench.streaming.classifier import classifier_factory
    from ecgbench.streaming.track import run_track

    directory = database_dir("mitdb", data_dir or shared_data_dir())
    for model in [name.strip() for name in classifiers.split(",") if name.strip()]:
        make_classifier = classifier_factory(model, results_dir=results_dir)
        for variant, options in variants.items():
            yield model, variant, run_track(DS1, directory, make_classifier, chunk, alarms=AlarmConfig(**options))
