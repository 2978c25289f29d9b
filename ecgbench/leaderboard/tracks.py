"""Leaderboard tracks: which tasks exist, how each is titled, ranked and shown.

A run record's ``task`` (its folder under ``leaderboards/results/``) selects a :class:`Track`.
Tasks without a definition here still render, with a generic table of their metrics, so a new
track (e.g. rhythm or digitisation) shows up before anyone writes its column list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ecgbench.records import AAMI_CLASSES


@dataclass(frozen=True)
class Column:
    """One table column: run-record key, the header shown, and the record section the key is in.

    ``section`` is ``"metrics"`` (entries ``{"value", "ci_low", "ci_high"}``) or another top-level
    section holding plain values, e.g. ``"recipe"`` for a setting that changes what the figures
    mean (the streaming chunk length). ``decimals`` is how many digits are shown after the
    point (0 for counts). ``default`` is the value of a setting in records written before the
    setting existed (what those runs used); a setting's value may be text.
    """

    key: str
    label: str
    section: str = "metrics"
    decimals: int = 2
    default: float | str | None = None

    def entry(self, record: dict) -> dict:
        """Return this column's ``{"value", ...}`` entry of a run record (``{}`` when absent)."""
        if self.section == "metrics":
            return record.get("metrics", {}).get(self.key) or {}
        value = (record.get(self.section) or {}).get(self.key, self.default)
        return {} if value is None else {"value": value}


@dataclass(frozen=True)
class Track:
    """How one task is shown.

    Attributes
    ----------
    task : str
        Folder name under the results tree, e.g. ``"beats-interpatient"``.
    title : str
        Heading of its table.
    note : str
        One paragraph under the heading (what the split is, caveats).
    columns : tuple of Column
        Metric columns, in order; the first is the ranking key (higher is better).
    leaky : bool
        True when the test split shares patients with training (scores are optimistic).
    beat_predictions : bool
        True when prediction files hold ``record``, ``sample``, ``label``, ``probabilities`` and
        metrics can be recomputed with the EC57 beat scorer.
    sampling_rate : float
        Hz of the ``sample`` positions in the prediction files.
    headline : tuple of str
        Metric keys shown by the terminal table (``leaderboard show``); empty: the first columns.
    units : str
        Sentence on the units of the columns, replacing "Values in percent" under the table.
    recompute_note : str
        Why the metrics and labels checks cannot recompute this task's figures from its prediction
        file (shown when they skip); empty for tasks without such an explanation.
    default_config : mapping
        The registered default configuration: setting column key → value (None: unset). Only runs
        made at it are ranked; the others go to an ablation table. Empty: every run is ranked.
    """

    task: str
    title: str
    note: str
    columns: tuple[Column, ...]
    leaky: bool = False
    beat_predictions: bool = False
    sampling_rate: float = 360.0
    headline: tuple[str, ...] = ()
    units: str = ""
    recompute_note: str = ""
    default_config: Mapping[str, float | str | None] = field(default_factory=dict)


_BEAT_COLUMNS: tuple[Column, ...] = (
    Column("gross.accuracy", "Acc"),
    Column("gross.sveb.se", "SVEB Se"),
    Column("gross.sveb.ppv", "SVEB +P"),
    Column("gross.sveb.f1", "SVEB F1"),
    Column("gross.veb.se", "VEB Se"),
    Column("gross.veb.ppv", "VEB +P"),
    Column("gross.veb.f1", "VEB F1"),
    *(Column(f"gross.classes.{c}.f1", f"{c} F1") for c in AAMI_CLASSES),
)

_BEAT_HEADLINE: tuple[str, ...] = ("gross.accuracy", "gross.sveb.f1", "gross.veb.f1")

_RHYTHM_COLUMNS: tuple[Column, ...] = (
    Column("macro_f1", "macro-F1"),
    Column("accuracy", "Acc"),
    Column("af.se", "AF Se"),
    Column("af.sp", "AF Sp"),
    Column("af.ppv", "AF +P"),
    Column("ventricular.se", "VT+VFL Se"),
    Column("ventricular.sp", "VT+VFL Sp"),
    Column("vt.se", "VT Se (AHA >75)"),
    Column("vf.se", "VF Se (AHA >90)"),
)
_RHYTHM_HEADLINE: tuple[str, ...] = ("macro_f1", "af.se", "af.sp", "ventricular.se", "ventricular.sp")

_STREAM_COLUMNS: tuple[Column, ...] = (
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
    Column("vt_probability", "VT p(V)+p(F) ≥", section="recipe"),
    Column("model_run", "model (run streamed)", section="training"),
    Column("latency.algorithmic_p50_s", "latency p50 (s)"),
    Column("latency.algorithmic_p99_s", "latency p99 (s)"),
    Column("latency.first_label_p99_s", "first label p99 (s)"),
    Column("throughput_x_realtime", "× real time"),
)

_DIGITIZE_COLUMNS: tuple[Column, ...] = (
    Column("snr_db.clean.median", "SNR clean p50 (dB)"),
    Column("snr_db.degraded.median", "SNR degraded p50 (dB)"),
    Column("qrs.clean.se", "QRS Se clean"),
    Column("qrs.clean.ppv", "QRS +P clean"),
    Column("qrs.degraded.se", "QRS Se degraded"),
    Column("qrs.degraded.ppv", "QRS +P degraded"),
    Column("failures.degraded", "failed (degraded)"),
)

TRACKS: dict[str, Track] = {
    "beats-interpatient": Track(
        task="beats-interpatient",
        title="Beat classification — inter-patient (DS1 → DS2)",
        note=(
            "Trained and selected on DS1 records only (ds1_train / ds1_val), tested on the 22 DS2 records "
            "(de Chazal et al. 2004). EC57 gross statistics in percent; ranges are 95 % bootstrap intervals "
            "over subjects (records resampled, never beats)."
        ),
        columns=_BEAT_COLUMNS,
        beat_predictions=True,
        headline=_BEAT_HEADLINE,
    ),
    "beats-intrapatient": Track(
        task="beats-intrapatient",
        title="Beat classification — intra-patient (LEAKY: same patients in train and test)",
        note=(
            "A random beat-level 80/20 split of the 44 records: the same patients appear in training and "
            "test, so these scores are optimistic and not comparable with the inter-patient table. Shown "
            "only to compare with the papers that use it."
        ),
        columns=_BEAT_COLUMNS,
        leaky=True,
        beat_predictions=True,
        headline=_BEAT_HEADLINE,
    ),
    "rhythm": Track(
        task="rhythm",
        title="Rhythm classification — 10-s windows (train → val → test records)",
        note=(
            "Window-level rhythm classification (10 classes) on the 10 record- and subject-disjoint rhythm test "
            "records; model selection on val only. AF = AFIB vs rest; VT+VFL = ventricular vs rest (AHA goals: "
            "VF Se > 90, VT Se > 75, Sp > 95). The test split holds a single 10-s VT window and no VFL, so "
            "ventricular sensitivities are anecdotal. Ranges are 95 % bootstrap intervals over subjects."
        ),
        columns=_RHYTHM_COLUMNS,
        headline=_RHYTHM_HEADLINE,
    ),
    **{
        f"rhythm-{seconds}s": Track(
            task=f"rhythm-{seconds}s",
            title=f"Rhythm classification — {seconds}-s windows (latency/accuracy trade-off)",
            note=f"As the 10-s rhythm table, with {seconds}-s windows (same records and splits).",
            columns=_RHYTHM_COLUMNS,
            headline=_RHYTHM_HEADLINE,
        )
        for seconds in (4, 30)
    },
    "streaming": Track(
        task="streaming",
        title="Streaming (real-time replay of the DS2 records)",
        note=(
            "The 22 DS2 records replayed in chunks through the causal pipeline (streaming filter, online QRS detector, "
            "the submission's beat classifier, AF/VT alarms), as `ecgbench run stream` does. EC57 gross QRS, VEB and "
            "SVEB Se/+P on the detected beats; AF episode Se/+P from the AF detector (`petrenas`: Petrėnas et al. "
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
        columns=_STREAM_COLUMNS,
        headline=("chunk_s", "af_method", "qrs.se", "qrs.ppv", "veb.se", "veb.ppv", "af.episode_se", "vt_alarm.alarmed", "vt_alarm.false_per_hour",
                  "latency.algorithmic_p99_s"),
        units="Se/+P in percent; VT alarmed/onsets are counts; delays and latencies in seconds; throughput in × real time",
        recompute_note=(
            "streaming figures come from the replay itself (detections, alarms, timing); the prediction file keeps "
            "the detected beats and labels for inspection, but alarm delays and latency cannot be recomputed from it"
        ),
        # `ecgbench run stream`'s defaults: --records, --chunk, --learning-period (cli/stream.py) and
        # ecgbench.streaming.AlarmConfig's af_method, af_dwell and vt_probability (a test pins them to the code).
        default_config={"records": "DS2", "learning_period_s": 0.0, "chunk_s": 1.0, "af_method": "petrenas", "af_dwell": 32,
                        "vt_probability": None},  # fmt: skip
    ),
    "digitize": Track(
        task="digitize",
        title="Digitisation (paper image → signal)",
        note=(
            "Records rendered as ECG paper images (clean and degraded: blur, noise, rotation, grid) and read back "
            "with OpenCV; median SNR (dB) of the recovered signal against the original, and EC57 QRS Se/+P of the "
            "online detector on the recovered signal."
        ),
        columns=_DIGITIZE_COLUMNS,
        units="SNR in dB; QRS Se/+P in percent; failures are segment counts",
        recompute_note="digitisation figures come from the rendered images, which the run does not keep",
    ),
}

#: Display order of the known tracks; unknown tasks follow alphabetically.
TRACK_ORDER: tuple[str, ...] = tuple(TRACKS)


def track_for(task: str) -> Track:
    """Return the :class:`Track` of a task; unknown tasks get a generic definition."""
    if task in TRACKS:
        return TRACKS[task]
    return Track(task=task, title=task, note="", columns=())


def ordered_tasks(tasks) -> list[str]:
    """Return ``tasks`` in display order: known tracks first, then the rest alphabetically."""
    tasks = set(tasks)
    known = [t for t in TRACK_ORDER if t in tasks]
    return known + sorted(tasks - set(known))
