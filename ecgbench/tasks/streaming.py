"""Task ``streaming``: the DS2 records replayed in chunks through the causal pipeline.

Streaming filter, online QRS detector, the submission's beat classifier (a built-in one or the
trained model of a ``beats-interpatient`` run, :data:`MODEL_TASK`), AF and VT alarms; EC57 beat
statistics on the detected beats, alarm delays, latency and throughput. Its run is the
``ecgbench run stream`` command (chunk length, AF detector and VT rule are options).
"""

from __future__ import annotations

from ecgbench.leaderboard.tracks import Column, Track
from ecgbench.tasks.base import InputField, RunCommand, SplitRoles, Task, metrics_of

#: Task whose trained models a streaming run may stream (``--model`` with a baseline name).
MODEL_TASK = "beats-interpatient"

COLUMNS: tuple[Column, ...] = (
    Column("ectopic.f1", "ectopic F1"),
    Column("veb.f1", "VEB F1"),
    Column("sveb.f1", "SVEB F1"),
    Column("qrs.se", "QRS Se"),
    Column("qrs.ppv", "QRS +P"),
    Column("veb.se", "VEB Se"),
    Column("veb.ppv", "VEB +P"),
    Column("sveb.se", "SVEB Se"),
    Column("sveb.ppv", "SVEB +P"),
    Column("af.episode_se", "AF ep. Se"),
    Column("af.episode_ppv", "AF ep. +P"),
    Column("vt_alarm.alarmed", "VT alarmed", decimals=0),
    Column("vt_alarm.onsets", "VT onsets", decimals=0),
    Column("vt_alarm.alarmed_meeting_rule", "alarmable VT alarmed", decimals=0),
    Column("vt_alarm.onsets_meeting_rule", "alarmable VT onsets", decimals=0),
    Column("vt_alarm.median_delay_s", "VT delay p50 (s)"),
    Column("vt_alarm.false_per_hour", "VT false alarms /h"),
    Column("chunk_s", "chunk (s)", section="recipe"),
    Column("af_method", "AF detector", section="recipe", default="median"),
    Column("af_dwell", "AF dwell (beats)", section="recipe", decimals=0),
    Column("af_start_dwell", "AF start dwell (beats)", section="recipe.alarms", decimals=0),
    Column("vt_probability", "VT p(V)+p(F) ≥", section="recipe"),
    Column("model_run", "model (run streamed)", section="training"),
    Column("latency.algorithmic_p50_s", "latency p50 (s)"),
    Column("latency.algorithmic_p99_s", "latency p99 (s)"),
    Column("latency.first_label_p99_s", "first label p99 (s)"),
    Column("throughput_x_realtime", "× real time"),
)
#: Metrics where a lower value is better (delays, false alarms, latencies).
LOWER_IS_BETTER: tuple[str, ...] = (
    "vt_alarm.median_delay_s", "vt_alarm.false_per_hour",
    "latency.algorithmic_p50_s", "latency.algorithmic_p99_s", "latency.first_label_p99_s",
)  # fmt: skip

BOARD = Track(
    task="streaming",
    title="Streaming (real-time replay of the DS2 records)",
    note=(
        "The 22 DS2 records replayed in chunks through the causal pipeline (streaming filter, online QRS detector, "
        "the submission's beat classifier, AF/VT alarms), as `ecgbench run stream` does. Ranked by the ectopic F1, "
        "the mean of the gross VEB F1 and SVEB F1 of the streamed beats (F1 = 2 TP / (2 TP + FP + FN) of the EC57 "
        "VEB and SVEB statistics): every configuration shares the QRS detector, so what separates them is how well "
        "the detected beats are labelled, and a VEB and an SVEB found or missed are what a monitor's ectopy "
        "counts and VT alarms rest on; runs recorded before the figure existed show a blank and rank last. "
        "EC57 gross QRS, VEB and SVEB Se/+P on the detected beats; AF episode Se/+P from the AF detector (`petrenas`: Petrėnas et al. "
        "2015, with a dwell of judged beats the decision must disagree with the AF state before it changes; "
        "`median`: the 8-beat median-|ΔRR| detector); VT = annotated VT onsets alarmed, of all onsets and of the "
        "alarmable onsets (whose reference beats meet the VT rule: >= 3 beats faster than 100 bpm), the median "
        "delay from onset to alarm (s) and VT alarms with no ventricular run behind them per hour. A beat counts "
        "as ventricular for the VT rule by its label, or also when the classifier's p(V) + p(F) reaches the "
        "VT p(V)+p(F) setting (blank: labels only). The model column names the inter-patient run whose trained "
        "model was streamed (blank for built-in classifiers). Algorithmic latency (R peak → final beat label, s) "
        "p50/p99, and p99 to the first (provisional) label; shorter chunks lower the latency and cost "
        "throughput; compute throughput in × real time (machine-dependent). No bootstrap intervals. Submissions "
        "are ranked at the default configuration of `ecgbench run stream`; runs at other chunk lengths, AF "
        "detectors, dwells or VT settings are listed in the ablation table."
    ),
    columns=COLUMNS,
    headline=("chunk_s", "af_method", "ectopic.f1", "qrs.se", "qrs.ppv", "veb.se", "veb.ppv", "af.episode_se", "vt_alarm.alarmed", "vt_alarm.false_per_hour",
              "latency.algorithmic_p99_s"),
    units="Se/+P in percent; VT alarmed/onsets are counts; delays and latencies in seconds; throughput in × real time",
    recompute_note=(
        "streaming figures come from the replay itself (detections, alarms, timing); the prediction file keeps "
        "the detected beats and labels for inspection, but alarm delays and latency cannot be recomputed from it"
    ),
    # `ecgbench run stream`'s defaults: --records, --chunk, --learning-period (cli/stream.py) and
    # ecgbench.streaming.AlarmConfig's af_method, af_dwell and vt_probability (a test pins them to the code).
    default_config={"records": "DS2", "learning_period_s": 0.0, "chunk_s": 1.0, "af_method": "petrenas", "af_dwell": 32,
                    "af_start_dwell": 8, "vt_probability": None},  # fmt: skip
)

TASK = Task(
    name="streaming",
    title="Real-time replay of the DS2 records: beats, AF and VT alarms, latency",
    dataset=None,
    splits=SplitRoles(train=None, val=None, test="ds2"),
    inputs=(InputField("signal", (2,), "mV", "raw samples of both leads, replayed in chunks"),),
    sampling_rate=360.0,
    leads=("lead 0 (MLII in most records)", "lead 1 (V1 in most records)"),
    metrics=metrics_of(BOARD, LOWER_IS_BETTER),
    ranking_metric="ectopic.f1",
    board=BOARD,
    command=RunCommand("stream", submission_option="--model"),
    params={"model_task": MODEL_TASK},
)
