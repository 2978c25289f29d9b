"""Parse the ``--beam-options`` text that ecgbench's commands share with ``tfds build``.

The text is the one ``tfds build --beam_pipeline_options`` takes: comma-separated ``key=value``
pairs, each becoming a ``--key=value`` pipeline flag, e.g.
``"runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"``.
"""

from __future__ import annotations

import contextlib
import io
import logging
from typing import TYPE_CHECKING

from ecgbench.errors import ConfigError

if TYPE_CHECKING:  # apache_beam is imported only when a Beam run is asked for
    from apache_beam.options.pipeline_options import PipelineOptions

#: Where record-level work runs: ``local`` (this process, the default) or ``beam`` (a Beam pipeline).
RUNNERS = ("local", "beam")
#: An example of the ``--beam-options`` syntax, quoted in help texts and error messages.
EXAMPLE = "runner=DirectRunner,direct_num_workers=2,direct_running_mode=multi_processing"


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
        Apache Beam is not installed, a pair is not ``key=value``, a key is no Beam pipeline option,
        a value does not parse (e.g. ``direct_num_workers=two``) or the runner is unknown.
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
            raise ConfigError(f"--beam-options: {pair!r} is not key=value; write e.g. '{EXAMPLE}'")
    options = PipelineOptions(flags=[f"--{pair}" for pair in pairs])
    _check(options)
    return options


def with_quiet_workers(text: str | None) -> str:
    """Add ``default_sdk_harness_log_level=ERROR`` to a ``--beam-options`` text unless it sets the level.

    Beam workers log their start-up and shutdown at INFO on stderr; a command that hides
    TensorFlow's and Beam's notes (no ``--verbose``) hides theirs too.
    """
    text = (text or "").strip().strip(",")
    if "default_sdk_harness_log_level" in text:
        return text
    return ",".join(part for part in (text, "default_sdk_harness_log_level=ERROR") if part)


def _check(options: PipelineOptions) -> None:
    """Parse every option now (Beam would only warn about an unknown one, or exit on a bad value, later)."""
    usage = io.StringIO()
    beam_log = logging.getLogger("apache_beam.options.pipeline_options")
    level = beam_log.level
    beam_log.setLevel(logging.ERROR)  # its "Discarding unparseable args" warning: reported below instead
    try:
        with contextlib.redirect_stderr(usage):  # argparse prints its usage before exiting
            known = options.get_all_options()
            given = options.get_all_options(retain_unknown_options=True)
    except SystemExit:
        message = usage.getvalue().strip().splitlines()[-1].partition("error: ")[2]
        raise ConfigError(f"--beam-options: {message}") from None
    finally:
        beam_log.setLevel(level)
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ConfigError(
            f"--beam-options: {', '.join(map(repr, unknown))} is not a Beam pipeline option "
            f"(Beam's options: https://beam.apache.org/documentation/programming-guide/#configuring-pipeline-options); e.g. '{EXAMPLE}'"
        )
    runner = known.get("runner")
    if runner:
        from apache_beam.runners.runner import create_runner

        try:
            create_runner(runner)
        except ValueError as exc:
            raise ConfigError(f"--beam-options: {exc}") from None
