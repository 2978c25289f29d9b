"""Chunk-size invariance of the streaming pipeline on the real records: beats, labels, confidences.

Each record is streamed through a fresh pipeline once per chunk length (default 1 s and one chunk
holding the whole record) with the same classifier; the final beat events (R sample, label,
confidence) must be identical. Prints, per record, the beat counts and how many beats differ in
position, label or confidence (> 1e-4), and the totals.

    python benchmarks/chunk_invariance.py [--model cnn1d] [--records DS1,DS2] [--chunks 1,0.25,4000] [--json]

``--model`` takes what ``ecgbench run stream --model`` takes (``rules``, ``prior``, a baseline run
name such as ``cnn1d``, or a model folder). Records: ``DS1``, ``DS2`` or comma-separated names.

Quick scope (``--quick``): records 208 (DS1) and 233 (DS2) instead of ``--records`` (same model and
chunks): a smoke check of the same code, not the published figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ecgbench.paths import database_dir, shared_data_dir
from ecgbench.records import parse_record_list
from ecgbench.runner.tf_environment import prepare_tensorflow_process
from ecgbench.streaming.classifier import classifier_factory
from ecgbench.streaming.events import BeatEvent
from ecgbench.streaming.track import stream_record

CONFIDENCE_TOLERANCE = 1e-4
#: The committed results tree: baseline names resolve to its trained models unless --results-dir says otherwise.
COMMITTED_RESULTS = Path(__file__).resolve().parents[1] / "leaderboards" / "results"
#: Records of the quick scope.
QUICK_RECORDS = "208,233"


def final_beats(record: str, directory, make_classifier, chunk: float) -> list[tuple[int, str, float]]:
    """(R sample, label, confidence) of every final beat event of one replay."""
    beats: list[BeatEvent] = []
    stream_record(record, directory, make_classifier(), chunk,
                  on_events=lambda events: beats.extend(e for e in events if isinstance(e, BeatEvent)))  # fmt: skip
    return [(b.sample, b.label, b.confidence) for b in beats]


def compare(reference: list, other: list) -> dict[str, int]:
    """Differences between two replays, beats keyed by R sample.

    ``positions_differ``: beats found by only one of the two replays; ``labels_differ`` and
    ``confidences_differ``: beats found by both whose label, or confidence by more than
    :data:`CONFIDENCE_TOLERANCE`, differ.
    """
    ref = {sample: (label, confidence) for sample, label, confidence in reference}
    oth = {sample: (label, confidence) for sample, label, confidence in other}
    shared = ref.keys() & oth.keys()
    return {
        "beats": len(other),
        "positions_differ": len(ref.keys() ^ oth.keys()),
        "labels_differ": sum(ref[s][0] != oth[s][0] for s in shared),
        "confidences_differ": sum(abs(ref[s][1] - oth[s][1]) > CONFIDENCE_TOLERANCE for s in shared),
    }


def main() -> None:
    prepare_tensorflow_process()  # as the ecgbench commands: AVX2-capped numerics, quiet logs
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cnn1d")
    parser.add_argument("--records", default="DS2,DS1")
    parser.add_argument("--chunks", default="1,4000", help="Chunk lengths (s); the last is the reference.")
    parser.add_argument("--data-dir", default=None, help="Raw data root holding mitdb/ (default ../shared/data).")
    parser.add_argument("--results-dir", type=Path, default=COMMITTED_RESULTS, help="Results tree searched for a baseline name's trained model (default: the committed leaderboards/results).")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help=f"Records {QUICK_RECORDS} only (a smoke check).")
    args = parser.parse_args()
    if args.quick:
        args.records = QUICK_RECORDS
    names = parse_record_list(args.records)
    chunks = [float(c) for c in args.chunks.split(",")]
    directory = database_dir("mitdb", args.data_dir or shared_data_dir())
    make_classifier = classifier_factory(args.model, results_dir=args.results_dir)
    rows = []
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"{len(names)} records × {len(chunks)} chunk lengths", total=len(names))
        for record in names:
            replays = {chunk: final_beats(record, directory, make_classifier, chunk) for chunk in chunks}
            reference = replays[chunks[-1]]
            for chunk in chunks[:-1]:
                rows.append({"record": record, "chunk_s": chunk, "reference_beats": len(reference),
                             **compare(reference, replays[chunk])})  # fmt: skip
            progress.advance(task)
    totals = {key: sum(row[key] for row in rows) for key in ("beats", "positions_differ", "labels_differ", "confidences_differ")}
    if args.json:
        print(json.dumps({"model": args.model, "chunks_s": chunks, "rows": rows, "totals": totals}, indent=2))
        return
    table = Table(title=f"chunk invariance · model {args.model} · reference chunk {chunks[-1]:g} s")
    for column in ("record", "chunk (s)", "beats", "positions differ", "labels differ", "confidences differ"):
        table.add_column(column, justify="left" if column == "record" else "right")
    for row in rows:
        if row["positions_differ"] or row["labels_differ"] or row["confidences_differ"]:
            table.add_row(row["record"], f"{row['chunk_s']:g}", str(row["beats"]), str(row["positions_differ"]),
                          str(row["labels_differ"]), str(row["confidences_differ"]))  # fmt: skip
    table.add_row("all", "", str(totals["beats"]), str(totals["positions_differ"]), str(totals["labels_differ"]),
                  str(totals["confidences_differ"]), style="bold")  # fmt: skip
    Console().print(table)
    Console().print(f"{len(names)} records; rows with no difference are not listed")


if __name__ == "__main__":
    main()
