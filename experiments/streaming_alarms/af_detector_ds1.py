"""DS1-only comparison of the streaming AF detectors (the choice of ``AlarmConfig.af_method``).

Streams the 22 DS1 records (never a DS2 record: this script chose the default detector, and DS2 is
the streaming track's test set) through the streaming pipeline once per (beat classifier, AF
detector) pair and prints the EC57 AF figures: episode sensitivity and positive predictivity,
duration sensitivity and positive predictivity, the median and the longest delay (s) from an annotated AF
onset to the alarm being raised, and the seconds of AF alarm per record.

Detectors (:mod:`ecgbench.streaming.alarms`):

- ``median``: 8-beat median |ΔRR| / mean RR with hysteresis, thresholds set on DS1 earlier;
- ``petrenas``: Petrėnas et al. (2015), the paper's parameter values, causal, RR intervals next
  to a V-labelled beat skipped, no dwell;
- ``petrenas, RR only``: the same without skipping V-adjacent intervals (the paper's detector);
- ``petrenas, dwell N``: ``petrenas`` changing state only after N consecutive beats of disagreeing
  decisions (``AlarmConfig.af_dwell``; the default is dwell 32).

Classifiers: ``cnn1d`` (its committed inter-patient run; trained on DS1's training records, so its
labels on DS1 are better than on unseen records) and the untrained built-in ``rules``, so the
comparison does not hinge on one classifier's DS1 fit.

    python -m experiments.streaming_alarms.af_detector_ds1 [--data-dir ../shared/data] [--classifiers cnn1d,rules] [--chunk 1] [--json]

About 30 s per (classifier, detector) pair on one core.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import typer
from experiments.streaming_alarms.ds1_alarm_sweep import ChunkOption, ClassifiersOption, DataDirOption, JsonOption, ResultsDirOption, sweep_ds1
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

#: Detector variants: label → ``AlarmConfig`` keyword arguments.
VARIANTS: dict[str, dict] = {
    "median": {"af_method": "median"},
    "petrenas": {"af_method": "petrenas", "af_skip_ventricular": True, "af_dwell": 1},
    "petrenas, RR only": {"af_method": "petrenas", "af_skip_ventricular": False, "af_dwell": 1},
    "petrenas, dwell 8": {"af_method": "petrenas", "af_skip_ventricular": True, "af_dwell": 8},
    "petrenas, dwell 16": {"af_method": "petrenas", "af_skip_ventricular": True, "af_dwell": 16},
    "petrenas, dwell 32": {"af_method": "petrenas", "af_skip_ventricular": True, "af_dwell": 32},
}
#: AF figures printed (keys of ``TrackResult.metrics``, percent).
FIGURES = ("af.episode_se", "af.episode_ppv", "af.duration_se", "af.duration_ppv", "af_alarm.median_delay_s", "af_alarm.max_delay_s")


def af_seconds_by_record(result) -> dict[str, float]:
    """Seconds of AF alarm per streamed record (records with none left out)."""
    out = {}
    for streamed in result.streams:
        intervals = streamed.collector.alarm_intervals("AF", until=streamed.n_samples / streamed.fs)
        seconds = sum(end - start for start, end in intervals)
        if seconds > 0:
            out[streamed.record] = round(seconds, 1)
    return out


@app.command()
def main(
    data_dir: DataDirOption = None,
    classifiers: ClassifiersOption = "cnn1d,rules",
    chunk: ChunkOption = 1.0,
    results_dir: ResultsDirOption = Path("leaderboards/results"),
    as_json: JsonOption = False,
) -> None:
    """Compare the AF detectors on DS1 with each classifier."""
    from ecgbench.records.splits import DS1

    rows = []
    for model, variant, result in sweep_ds1(classifiers, VARIANTS, data_dir, chunk, results_dir):
        metrics = result.metrics()
        rows.append({"classifier": model, "detector": variant, **{k: round(float(metrics[k]), 2) for k in FIGURES},
                     "af_alarm_s_by_record": af_seconds_by_record(result)})  # fmt: skip
    if as_json:
        import json

        print(json.dumps({"records": list(DS1), "chunk_s": chunk, "rows": rows}, indent=2))
        return
    table = Table(title=f"Streaming AF detectors on the 22 DS1 records (chunk {chunk:g} s; EC57 AF figures, %)")
    for column in ("classifier", "detector", "episode Se", "episode +P", "duration Se", "duration +P", "AF alarm delay p50 s", "AF alarm delay max s", "AF alarm s by record"):
        table.add_column(column, justify="left" if column in ("classifier", "detector", "AF alarm s by record") else "right")
    for row in rows:
        alarms = ", ".join(f"{record} {seconds:.0f}" for record, seconds in row["af_alarm_s_by_record"].items())
        table.add_row(row["classifier"], row["detector"], *(f"{row[k]:.2f}" for k in FIGURES), alarms)
    Console().print(table)


if __name__ == "__main__":
    app()
