"""The cnn1d model card's results table equals the committed board (so the card cannot drift from it).

Each row of the card's DS2 table is recomputed from ``leaderboards/beats-interpatient.csv`` (itself
generated from the run records and checked in CI): the counted runs of the variant, mean ± sample SD
over seeds, and in brackets the lowest lower and highest upper bound of their 95 % intervals. On a
mismatch the message prints the row as it should read.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "ecgbench" / "baselines" / "cnn1d" / "README.md"
BOARD = ROOT / "leaderboards" / "beats-interpatient.csv"
FIGURES = ("gross.accuracy", "gross.sveb.f1", "gross.veb.f1")


def _card_rows() -> dict[str, str]:
    rows = {}
    for line in CARD.read_text().splitlines():
        match = re.match(r"\| (cnn1d[\w-]*) \| (\d+) \| .*\[", line)
        if match:
            rows[match.group(1)] = line
    return rows


def expected_row(variant: str, board: list[dict]) -> str:
    """The card's row for ``variant``, from the board's counted runs."""
    runs = [row for row in board if row["submission"] == variant and row["counted"] == "true"]
    cells = []
    for key in FIGURES:
        values = np.array([float(row[key]) for row in runs])
        low = min(float(row[f"{key}.ci_low"]) for row in runs)
        high = max(float(row[f"{key}.ci_high"]) for row in runs)
        cells.append(f"{values.mean():.2f} ± {values.std(ddof=1):.2f} [{low:.2f}–{high:.2f}]")
    return f"| {variant} | {len(runs)} | " + " | ".join(cells) + " |"


@pytest.mark.parametrize("variant", sorted(_card_rows()))
def test_card_row_equals_the_board(variant):
    with BOARD.open(newline="") as handle:
        board = list(csv.DictReader(handle))
    assert _card_rows()[variant] == expected_row(variant, board)


def test_the_card_lists_every_ranked_cnn1d_variant():
    with BOARD.open(newline="") as handle:
        ranked = {row["submission"] for row in csv.DictReader(handle) if row["rank"] and row["submission"].startswith("cnn1d")}
    assert ranked - {"cnn1d-onnx"} <= set(_card_rows())


def test_card_crossdb_ranges_equal_the_svdb_board():
    # "accuracy A-B, SVEB F1 C-D, VEB F1 E-F (variant means ...)": the spread of the cnn1d variants' seed means.
    with (ROOT / "leaderboards" / "beats-crossdb-svdb.csv").open(newline="") as handle:
        board = [row for row in csv.DictReader(handle) if row["counted"] == "true" and row["submission"].startswith("cnn1d")]
    variants = sorted({row["submission"] for row in board})
    spans = []
    for key in FIGURES:
        means = [np.mean([float(row[key]) for row in board if row["submission"] == name]) for name in variants]
        spans.append(f"{min(means):.2f}-{max(means):.2f}")
    expected = f"accuracy {spans[0]}, SVEB F1 {spans[1]},\nVEB F1 {spans[2]} (variant means"
    line = re.search(r"accuracy [\d.]+-[\d.]+, SVEB F1 [\d.]+-[\d.]+,\s+VEB F1 [\d.]+-[\d.]+ \(variant means", CARD.read_text())
    assert line and re.sub(r"\s+", " ", line.group(0)) == re.sub(r"\s+", " ", expected)
