"""Write the leaderboard files from the run records: ``<task>.md``, ``<task>.csv``, ``index.html``.

Only run records that pass every check (:mod:`ecgbench.leaderboard.checks`) are published; a
failing one is left out with a warning naming it and its failed checks, and the other records
still render. Every file is built in memory first and then written atomically (temporary file +
rename), so an unreadable run record (unknown schema version, broken JSON) stops the render
before anything changes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from ecgbench.errors import CorruptDataError
from ecgbench.leaderboard.checks import CheckSession, check_records
from ecgbench.leaderboard.formats import board_csv, board_markdown
from ecgbench.leaderboard.html import leaderboard_html
from ecgbench.leaderboard.record import _atomic_write_bytes
from ecgbench.leaderboard.store import RunEntry, load_entries
from ecgbench.leaderboard.table import Board, build_boards
from ecgbench.paths import resolve_results_dir

INDEX_FILE = "index.html"

Warn = Callable[[str], None]


def warn_stderr(message: str) -> None:
    """Print ``warning: <message>`` on standard error (the default of :func:`publishable`)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def publishable(entries: list[RunEntry], session: CheckSession | None = None, warn: Warn | None = None) -> list[RunEntry]:
    """Return the run records that pass every check; warn once about each one left out.

    Parameters
    ----------
    entries : list of RunEntry
        Run records read from disk.
    session : CheckSession, optional
        Check settings (built dataset, published checksums); default :meth:`CheckSession.default`.
    warn : callable, optional
        Receives one message per failing record, naming its file and failed checks; default
        :func:`warn_stderr`.
    """
    warn = warn or warn_stderr
    reports = check_records([entry.path for entry in entries], session)
    passing = []
    for entry, report in zip(entries, reports, strict=True):
        if report.ok:
            passing.append(entry)
            continue
        failed = "; ".join(f"{result.check}: {result.message}" for result in report.failures())
        warn(f"{entry.path} is left out of the leaderboards: it fails {failed} (details: ecgbench leaderboard check {entry.path})")
    return passing


def render_texts(
    results_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    *,
    check: bool = True,
    session: CheckSession | None = None,
    warn: Warn | None = None,
) -> tuple[list[Board], dict[str, str]]:
    """Return the boards and ``{file name: text}`` of every leaderboard file, writing nothing.

    Links to run records are relative to ``out_dir`` (default the parent of ``results_dir``).
    With ``check`` (the default) only records passing every check are shown (see
    :func:`publishable` for ``session`` and ``warn``); ``check=False`` shows every readable record,
    for callers that checked them already.

    Raises
    ------
    CorruptDataError
        A run record under ``results_dir`` cannot be read (each is named with its problem).
    """
    results_dir = resolve_results_dir(results_dir)
    entries, problems = load_entries(results_dir)
    if problems:
        listed = "; ".join(f"{path}: {problem}" for path, problem in problems)
        raise CorruptDataError(f"cannot render the leaderboard, unreadable run record(s): {listed}")
    tasks = {entry.task for entry in entries}  # a task whose every record fails still gets its (empty) board
    if check:
        entries = publishable(entries, session, warn)
    boards = build_boards(entries, Path(out_dir) if out_dir is not None else Path(results_dir).parent, tasks)
    texts: dict[str, str] = {}
    for board in boards:
        texts[f"{board.track.task}.md"] = board_markdown(board)
        texts[f"{board.track.task}.csv"] = board_csv(board)
    texts[INDEX_FILE] = leaderboard_html(boards)
    return boards, texts


def render_leaderboards(
    results_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    *,
    check: bool = True,
    session: CheckSession | None = None,
    warn: Warn | None = None,
) -> list[Path]:
    """Rewrite the leaderboard files atomically and return their paths.

    Parameters
    ----------
    results_dir : path-like, optional
        Root of the results tree (``<results_dir>/<task>/<run_id>.json``); default
        :func:`ecgbench.paths.resolve_results_dir`.
    out_dir : path-like, optional
        Where the files go; default the parent of ``results_dir`` (``leaderboards/``), so the
        links ``results/<task>/<run_id>.json`` resolve.
    check, session, warn
        As for :func:`render_texts`: by default only records passing every check are published,
        and each one left out is named on standard error.
    """
    results_dir = resolve_results_dir(results_dir)
    out = Path(out_dir) if out_dir is not None else results_dir.parent
    _, texts = render_texts(results_dir, out, check=check, session=session, warn=warn)
    written = []
    for name, text in texts.items():
        path = out / name
        _atomic_write_bytes(path, lambda handle, text=text: handle.write(text.encode()))
        written.append(path)
    return written
