"""Fixtures of the runner tests: a tiny synthetic beat track and submissions written on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecgbench.runner.synthetic import synthetic_track


@pytest.fixture(scope="session")
def tiny_track():
    """Nine 30-s synthetic records (4 train, 2 val, 3 test), ~35 beats each."""
    return synthetic_track()


@pytest.fixture()
def write_submission(tmp_path: Path):
    """Write ``submission.py`` (+ optional ``recipe.json``) into a fresh folder and return it."""

    def write(name: str, source: str, recipe: str | None = None) -> Path:
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        (folder / "submission.py").write_text(source)
        if recipe is not None:
            (folder / "recipe.json").write_text(recipe)
        return folder

    return write
