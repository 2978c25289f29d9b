"""Shared by ``stream_faults.py`` and ``cold_start.py``: print figure rows as a Rich table, optionally save them as JSON."""

from __future__ import annotations

import json
from pathlib import Path


def print_rows(title: str, columns: list[tuple[str, str]], rows: list[dict], left: tuple[str, ...], json_path: Path | None,
               args: dict) -> None:  # fmt: skip
    """Print ``rows`` (dicts) under ``columns`` ``(heading, key)``; ``left``: headings aligned left; write JSON if asked."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for heading, _ in columns:
        table.add_column(heading, justify="left" if heading in left else "right")
    for row in rows:
        table.add_row(*["–" if row[key] is None else f"{row[key]:g}" if isinstance(row[key], float) else str(row[key]) for _, key in columns])
    Console(width=160).print(table)
    if json_path:
        json_path.write_text(json.dumps({"args": {k: str(v) for k, v in args.items()}, "rows": rows}, indent=1) + "\n")
