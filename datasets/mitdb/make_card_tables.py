"""Regenerate the class-count tables of README.md (the dataset card) from a real build.

Run: ``python datasets/mitdb/make_card_tables.py --manual-dir ../shared/data/mitdb --output-dir DIR``.
Builds (or reuses) every config in DIR, counts the labels of every split by reading the built
examples back, and rewrites the block between ``<!-- counts:begin -->`` and ``<!-- counts:end -->``
in README.md. Nothing in the tables is typed by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CARD = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- counts:begin -->", "<!-- counts:end -->"


def markdown_table(config: str, version: str, counts: dict[str, dict[str, int]]) -> str:
    """One Markdown table: a row per split, a column per class, then the total."""
    classes = list(next(iter(counts.values())))
    lines = [f"**mitdb/{config}** (version {version})", "", "| split | " + " | ".join(classes) + " |"]
    lines.append("|---|" + "---:|" * len(classes))
    for split, row in counts.items():
        lines.append(f"| {split} | " + " | ".join(f"{row[c]:,}" for c in classes) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Build/reuse the configs, count, and rewrite the card's tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manual-dir", required=True, type=Path)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--configs", nargs="+", default=["beats", "rhythm", "rhythm_4s", "rhythm_30s"])
    args = parser.parse_args()

    import tensorflow_datasets as tfds

    from ecgbench.records.dataset import build_config, split_class_counts
    from ecgbench.records.physionet import dataset_checksum

    tfds.disable_progress_bar()
    blocks = []
    for config in args.configs:
        with contextlib.redirect_stdout(sys.stderr):  # TFDS prints progress notes to stdout
            builder, _ = build_config(config, args.output_dir, args.manual_dir)
        counts = split_class_counts(builder, read_back=True)
        blocks.append(markdown_table(config, str(builder.version), counts))
        blocks.append(
            f"source checksum `{builder.info.metadata.get('source_checksum')}`, "
            f"dataset checksum `{dataset_checksum(args.output_dir, config)}`\n"
        )
    text = CARD.read_text()
    block = f"{BEGIN}\n" + "\n".join(blocks) + f"{END}"
    CARD.write_text(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S))
    print(block)


if __name__ == "__main__":
    main()
