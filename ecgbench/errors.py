"""Exceptions that carry a message fit to show a user.

Every error raised for bad input names the file, record or field at fault and says how to fix it.
The CLI prints these to stderr and exits non-zero; any other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations


class EcgbenchError(Exception):
    """Base class for errors caused by input, configuration or data (not by bugs)."""


class DataNotFoundError(EcgbenchError, FileNotFoundError):
    """A record, annotation file or data folder is missing."""


class CorruptDataError(EcgbenchError, ValueError):
    """A file exists but its content is wrong (truncated, bad checksum, unreadable)."""


class ConfigError(EcgbenchError, ValueError):
    """An option, config name or method name is not one of the valid values."""


def unknown_choice(kind: str, value: object, valid: list[str] | tuple[str, ...]) -> ConfigError:
    """Build the error for a value that is not among the valid choices.

    Parameters
    ----------
    kind : str
        What is being chosen, e.g. ``"config"`` or ``"filter method"``.
    value : object
        The value the user gave.
    valid : sequence of str
        The accepted values, listed in the message.
    """
    return ConfigError(f"unknown {kind} {value!r}; valid {kind}s: {', '.join(map(str, valid))}")
