"""Write the leaderboard files from the run records: ``<task>.md``, ``<task>.csv``, ``index.html``.

Every file is built in memory first and then written atomically (temporary file + rename), so
a bad run record (unknown schema version, broken JSON) stops the render before anything changes.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecgbench.errors import CorruptDataError
from ecgbench.leaderboard.formats import board_csv, board_markdown
from ecgbench.leaderboard.html import leaderboard_html
from ecgbench.leaderboard.record import _atomic_write_bytes
from ecgbench.leaderboard.store import load_entries
from ecgbench.leaderboard.table import Board, build_boards
from ecgbench.paths import resolve_results_dir

INDEX_FILE = "index.html"


def render_texts(
    results_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
) -> tuple[list[Board], dict[str, str]]:
    """Return the boards and ``{file name: text}`` of every leaderboard file, writing nothing.

    Links to run records are relative to ``out_dir`` (default the parent of ``results_dir``).

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
    boards = build_boards(entries, Path(out_dir) if out_dir is not None else Path(results_dir).parent)
    texts: dict[str, str] = {}
    for board in boards:
        texts[f"{board.track.task}.md"] = board_markdown(board)
        texts[f"{board.track.task}.csv"] = board_csv(board)
    texts[INDEX_FILE] = leaderboard_html(boards)
    return boards, texts


def render_leaderboards(
    results_dir: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
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
    """
    results_dir = resolve_results_dir(results_dir)
    out = Path(out_dir) if out_dir is not None else results_dir.parent
    _, texts = render_texts(results_dir, out)
    written = []
    for name, text in texts.items():
        path = out / name
        _atomic_write_bytes(path, lambda handle, text=text: handle.write(text.encode()))
        written.append(path)
    return written
