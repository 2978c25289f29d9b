"""``ecgbench stream`` (live monitor of a replayed record or stdin) and ``ecgbench run stream`` (the track).

``app`` holds the ``stream`` verb (attached to the root); ``run_app`` holds the ``stream`` command
of the ``run`` noun (``run.app.add_typer(stream.run_app)``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ecgbench.cli._common import (
    BeamOptionsOption,
    DataDirOption,
    JsonOption,
    ResultsDirOption,
    RunnerOption,
    console,
    err_console,
    print_json,
    rerender_leaderboards,
    runner_execution,
)

app = typer.Typer()
run_app = typer.Typer()

ModelOption = Annotated[
    str,
    typer.Option("--model", help="Beat classifier: built-in 'rules' or 'prior'; a baseline name (cnn1d: its newest inter-patient run at the recipe's seed with a saved model); a run record (.json) or its artefact folder."),
]
ChunkOption = Annotated[float, typer.Option("--chunk", help="Chunk length in seconds.")]
AFDetectorOption = Annotated[
    str | None,
    typer.Option("--af-detector", help="AF alarm logic: 'median' (8-beat median |dRR|, thresholds set on DS1) or 'petrenas' (Petrenas et al. 2015, published parameters). Default: ecgbench.streaming.AlarmConfig's.", show_default=False),
]
AFDwellOption = Annotated[
    int | None,
    typer.Option("--af-dwell", min=1, help="petrenas: judged beats the decision must disagree with the AF state before it changes (1: the paper's detector, no dwell). Default: ecgbench.streaming.AlarmConfig's.", show_default=False),
]
AFStartDwellOption = Annotated[
    int | None,
    typer.Option("--af-start-dwell", min=1, help="petrenas: the dwell at cold start (until the detector has judged --af-dwell beats or changed state once). Default: ecgbench.streaming.AlarmConfig's.", show_default=False),
]

VTProbabilityOption = Annotated[
    float | None,
    typer.Option("--vt-probability", min=0.0, max=1.0, help="VT rule: a beat also counts as ventricular when the classifier's p(V) + p(F) reaches this (0 < p <= 1). Default: the beat labels alone (ecgbench.streaming.AlarmConfig's).", show_default=False),
]


def _alarm_config(af_detector: str | None, af_dwell: int | None = None, vt_probability: float | None = None,
                  af_start_dwell: int | None = None):  # fmt: skip
    """The :class:`~ecgbench.streaming.AlarmConfig` of ``--af-detector``, ``--af-dwell`` and ``--vt-probability``.

    A bad detector name gets a clear error; click rejects a dwell below 1 and a probability outside [0, 1],
    AlarmConfig a probability of 0.
    """
    from ecgbench.errors import ConfigError
    from ecgbench.streaming.alarms import AF_METHODS, AlarmConfig

    options: dict = {}
    if af_detector is not None:
        if af_detector not in AF_METHODS:
            raise ConfigError(f"--af-detector {af_detector!r} is not one of {', '.join(AF_METHODS)}")
        options["af_method"] = af_detector
    if af_dwell is not None:
        options["af_dwell"] = af_dwell
    if vt_probability is not None:
        options["vt_probability"] = vt_probability
    if af_start_dwell is not None:
        options["af_start_dwell"] = af_start_dwell
    return AlarmConfig(**options)


def _af_label(alarms) -> str:
    """The AF detector as the tables show it: ``median``, ``petrenas`` or ``petrenas, dwell N``."""
    if alarms.af_method == "petrenas" and alarms.af_dwell > 1:
        return f"petrenas, dwell {alarms.af_dwell}"
    return alarms.af_method


def _record_location(record: str, data_dir: Path | None) -> tuple[str, Path]:
    """A record name in <data-dir>/mitdb, or a path to a record without extension."""
    from ecgbench.errors import DataNotFoundError
    from ecgbench.paths import database_dir

    path = Path(record)
    if path.with_name(path.name + ".hea").is_file():
        return path.name, path.parent
    folder = database_dir("mitdb", data_dir)
    if (folder / f"{record}.hea").is_file():
        return record, folder
    raise DataNotFoundError(
        f"record {record!r} not found as {path}.hea nor in {folder}; give a record path without extension "
        "or the folder above mitdb/ with --data-dir"
    )


@app.command("stream")
def stream(
    record: Annotated[str, typer.Argument(help="MIT-BIH record name (e.g. 208), a record path without extension, or '-' for stdin.")],
    model: ModelOption = "rules",
    speed: Annotated[float | None, typer.Option("--speed", help="Replay speed: 1 real time, N times faster, 0 as fast as possible. Default: real time with the live monitor on a terminal, else as fast as possible.", show_default=False)] = None,
    chunk: ChunkOption = 1.0,
    events: Annotated[Path | None, typer.Option("--events", help="Also write every event as JSON lines to this file.")] = None,
    annotations: Annotated[Path | None, typer.Option("--annotations", help="Write beats and rhythm alarms as WFDB annotation file <record>.stream in this folder.")] = None,
    data_dir: DataDirOption = None,
    fs: Annotated[float, typer.Option("--fs", help="stdin: sampling rate in Hz.")] = 360.0,
    leads: Annotated[int | None, typer.Option("--leads", help="stdin: interleaved leads per sample (default 2). A record: stream only its first N leads (an error if it has fewer).", show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", help="stdin: int16, float32 (little-endian, interleaved) or csv. Missing samples: -32768 (int16), NaN (float32); csv: an empty line, or '#gap N' for N samples.")] = "int16",
    timestamps: Annotated[bool, typer.Option("--timestamps", help="stdin csv: the first column is the sample time (s); jumps are filled with missing samples.")] = False,
    max_bad_lines: Annotated[int, typer.Option("--max-bad-lines", min=0, help="stdin csv: garbage lines reported and read as missing samples before the stream is refused.")] = 100,
    gain: Annotated[float, typer.Option("--gain", help="stdin: ADC units per mV.")] = 200.0,
    baseline: Annotated[float, typer.Option("--baseline", help="stdin: ADC value of 0 mV.")] = 0.0,
    monitor: Annotated[bool, typer.Option("--monitor/--no-monitor", help="Live monitor on a terminal; without a terminal events are printed as JSON lines.")] = True,
    results_dir: ResultsDirOption = None,
    af_detector: AFDetectorOption = None,
    af_dwell: AFDwellOption = None,
    af_start_dwell: AFStartDwellOption = None,
    vt_probability: VTProbabilityOption = None,
) -> None:
    """Stream a record (or stdin) through the pipeline with a live monitor, or JSON-line events."""
    from rich.live import Live

    from ecgbench.streaming.classifier import load_classifier
    from ecgbench.streaming.clock import Pacer
    from ecgbench.streaming.events import AnnotationCollector, JsonLinesWriter
    from ecgbench.streaming.monitor import LiveMonitor
    from ecgbench.streaming.pipeline import PipelineConfig, StreamingPipeline
    from ecgbench.streaming.source import RecordSource, StdinSource

    classifier = load_classifier(model, results_dir=results_dir)
    if record == "-":
        source = StdinSource(fs, 2 if leads is None else leads, fmt, gain, baseline, chunk, target_rate=classifier.sampling_rate,
                             timestamps=timestamps, max_bad_lines=max_bad_lines)  # fmt: skip
        directory = None
    else:
        name, directory = _record_location(record, data_dir)
        source = RecordSource(name, directory, classifier.sampling_rate, chunk, n_leads=leads)
    pipeline = StreamingPipeline(source.fs, source.n_leads, classifier, config=PipelineConfig(alarms=_alarm_config(af_detector, af_dwell, vt_probability, af_start_dwell)))
    live_view = monitor and console.is_terminal
    pacer = Pacer((1.0 if live_view else 0.0) if speed is None else speed)
    stdout_writer = None if live_view else JsonLinesWriter(sys.stdout)
    event_file = open(events, "w", encoding="utf-8") if events else None  # noqa: SIM115 - closed below
    file_writer = JsonLinesWriter(event_file) if event_file else None
    collector = AnnotationCollector() if annotations else None
    view = LiveMonitor(source.name, width=max(20, min(console.width - 6, 150)))

    def handle(batch):
        for writer in (stdout_writer, file_writer):
            if writer:
                writer.write(batch)
        if collector:
            collector.add(batch, source.fs)
        view.add(batch)

    try:
        if live_view:
            with Live(view.render(pipeline), console=console, refresh_per_second=8, transient=False) as live:
                last_draw = 0.0
                for piece in source:
                    pacer.wait_until(piece.stop / source.fs)
                    handle(pipeline.process(piece.signal, piece.start))
                    now = time.monotonic()
                    if now - last_draw > 0.1:
                        live.update(view.render(pipeline))
                        last_draw = now
                handle(pipeline.flush())
                live.update(view.render(pipeline))
        else:
            for piece in source:
                pacer.wait_until(piece.stop / source.fs)
                handle(pipeline.process(piece.signal, piece.start))
            handle(pipeline.flush())
    except KeyboardInterrupt:
        handle(pipeline.flush())
    finally:
        if event_file:
            event_file.close()
        for warning in getattr(source, "warnings", [])[:20]:
            err_console.print(f"warning: {warning}")
        if len(getattr(source, "warnings", [])) > 20:
            err_console.print(f"warning: … {len(source.warnings) - 20} more")
    if collector is not None:
        path = collector.write(source.name, annotations, source.source_fs, scale=source.source_fs / source.fs)
        err_console.print(f"annotations written to {path}")
    summary = pipeline.latency.summary()
    err_console.print(
        f"{summary.beats} beats, {summary.signal_seconds:.1f} s of signal, {summary.throughput:.0f}× real time "
        f"(compute only), algorithmic latency p50 {summary.algorithmic_p50:.3f} s / p99 {summary.algorithmic_p99:.3f} s"
        + (f"; first label (provisional) p50 {summary.first_label_p50:.3f} s / p99 {summary.first_label_p99:.3f} s, "
           f"{summary.provisional_agreement:.1f} % equal to the final label" if summary.provisional_beats else "")
    )


@run_app.command("stream")
def run_stream(
    model: ModelOption = "rules",
    records: Annotated[str, typer.Option("--records", help="Record list: DS2 (default, the test split), DS1, or comma-separated names.")] = "DS2",
    chunk: ChunkOption = 1.0,
    learning_period: Annotated[float, typer.Option("--learning-period", help="Seconds at each record's start left out of EC57 beat statistics.")] = 0.0,
    data_dir: DataDirOption = None,
    results_dir: ResultsDirOption = None,
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the run record.")] = True,
    json_output: JsonOption = False,
    af_detector: AFDetectorOption = None,
    af_dwell: AFDwellOption = None,
    af_start_dwell: AFStartDwellOption = None,
    vt_probability: VTProbabilityOption = None,
    runner: RunnerOption = "local",
    beam_options: BeamOptionsOption = None,
) -> None:
    """The streaming track: replay records, score beats, AF, ventricular runs, alarm delays and latency."""
    from rich.progress import Progress
    from rich.table import Table

    from ecgbench.paths import database_dir, resolve_results_dir
    from ecgbench.records import parse_record_list
    from ecgbench.streaming.classifier import classifier_factory
    from ecgbench.streaming.runrecord import write_stream_run
    from ecgbench.streaming.track import run_track

    try:
        names = parse_record_list(records)
    except ValueError as exc:
        from ecgbench.errors import ConfigError

        raise ConfigError(f"--records: {exc}") from None
    execution = runner_execution(runner, beam_options)
    directory = database_dir("mitdb", data_dir)
    results_dir = resolve_results_dir(results_dir)  # where the record goes, and where --model NAME is looked up
    make_classifier = classifier_factory(model, results_dir=results_dir)  # fails early on a bad --model
    alarms = _alarm_config(af_detector, af_dwell, vt_probability, af_start_dwell)
    started = time.time()
    where = "" if runner == "local" else f" on Beam ({beam_options or 'DirectRunner, 1 worker'})"
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task(f"streaming {len(names)} records{where}", total=len(names))
        result = run_track(names, directory, make_classifier, chunk, learning_period, on_record=lambda r: progress.advance(task),
                           alarms=alarms, runner=runner, beam_options=beam_options)  # fmt: skip
    metrics = result.metrics()
    path = None
    if save:
        _, path = write_stream_run(result, model, names, directory, started, results_dir,
                                   records_spec=records if records in ("DS1", "DS2") else None, execution=execution)  # fmt: skip
        rerender_leaderboards(results_dir, path)
    if json_output:
        print_json({"metrics": metrics, "delays": result.delays, "vt_alarms": result.vt_alarms, "run_record": str(path) if path else None})
        return
    table = Table(title=f"streaming track · model {model} · {records} · chunk {chunk:g} s · AF detector {_af_label(alarms)}"
                  + (f" · VT p(V)+p(F) >= {alarms.vt_probability:g}" if alarms.vt_probability is not None else ""))
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.4g}" if value == value else "–")
    console.print(table)
    if path:
        err_console.print(f"run record written to {path}")
