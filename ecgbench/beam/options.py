"""Parse the ``--beam-options`` text that ecgbench's commands share with ``tfds build``.

The text is the one ``tfds build --beam_pipeline_options`` takes: comma-separated ``key=value``
pairs, each becoming a ``--key=value`` pipeline flag, e.g.
``"runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecgbench.errors import ConfigError

if TYPE_CHECKING:  # apache_beam is imported only when a Beam run is asked for
    from apache_beam.options.pipeline_options import PipelineOptions

#: Where record-level work runs: ``local`` (this process, the default) or ``beam`` (a Beam pipeline).
RUNNERS = ("local", "beam")


def pipeline_options(text: str | None) -> PipelineOptions:
    """Return Beam pipeline options for a ``--beam-options`` text.

    Parameters
    ----------
    text : str or None
        Comma-separated ``key=value`` pairs (``tfds build --beam_pipeline_options`` syntax). None or
        empty gives Beam's defaults (DirectRunner, one worker).

    Returns
    -------
    apache_beam.options.pipeline_options.PipelineOptions

    Raises
    ------
    ConfigError
        Apache Beam is not installed, or a pair is not ``key=value``.
    """
    try:
        from apache_beam.options.pipeline_options import PipelineOptions
    except ImportError:
        raise ConfigError(
            "--runner beam needs Apache Beam; install it with: pip install 'apache-beam>=2.60'"
        ) from None
    pairs = [part.strip() for part in (text or "").split(",") if part.strip()]
    for pair in pairs:
        key, sep, _ = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"--beam-options: {pair!r} is not key=value; write e.g. "
                "'runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing'"
            )
    return PipelineOptions(flags=[f"--{pair}" for pair in pairs])
