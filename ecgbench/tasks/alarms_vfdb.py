"""Task ``alarms-vfdb``: the 22 VFDB records replayed through the streaming chain; VT, VF and asystole alarms.

The MIT-BIH Malignant Ventricular Ectopy Database (VFDB: 22 records, 250 Hz, rhythm annotations
only) is replayed chunk by chunk through the causal chain of the ``streaming`` task (filter,
online QRS detector, the submission's beat classifier, AF/VT/asystole alarms) plus the VF alarm
that runs the DS1-chosen VF detector on the signal itself. The chain works at the classifier's
rate, 360 Hz: each record is resampled 250 → 360 Hz with ``scipy.signal.resample_poly``, the
polyphase filter of the dataset builders. Scoring (:mod:`ecgbench.streaming.alarm_scoring`): VT,
VF (VFL, VF, VFIB) and asystole episode sensitivity, median and 95th-percentile alarm delay, false
alarms per hour outside NOISE (alarms raised during NOISE counted apart), and the AHA
shockable-rhythm statistics on fixed 8-s windows with subject-bootstrap intervals (2000
resamples, seed 0; a record is a subject). Nothing is chosen on VFDB. Its run is ``ecgbench run
alarms-vfdb --model NAME``.

References
----------
Greenwald SD. The development and analysis of a ventricular fibrillation detector. M.S. thesis,
MIT Dept. of EECS, 1986 (VFDB).
Kerber RE et al. Circulation 95(6):1677-1682 (1997) (AHA performance goals).
"""

from __future__ import annotations

from ecgbench.leaderboard.tracks import Column, Track
from ecgbench.tasks.base import InputField, RunCommand, SplitRoles, Task, metrics_of

NAME = "alarms-vfdb"
#: Task whose trained models a run may stream (``--model`` with a baseline name).
MODEL_TASK = "beats-interpatient"
#: Delay range (s) of bedside monitors' VT alarms on a standard VT test: the anchor the VT criterion is judged against.
MONITOR_VT_DELAY_S = (1.5, 4.6)

COLUMNS: tuple[Column, ...] = (
    Column("vf.se", "VF ep. Se"),
    Column("vt.se", "VT ep. Se (VT alarm)"),
    Column("vt_shockable.se", "VT ep. Se (VT/VF alarm)"),
    Column("asystole.se", "ASYS ep. Se"),
    Column("vtvf.median_delay_s", "VT/VF delay p50 (s)"),
    Column("vtvf.p95_delay_s", "VT/VF delay p95 (s)"),
    Column("vf.median_delay_s", "VF delay p50 (s)"),
    Column("vt.median_delay_s", "VT delay p50 (s)"),
    Column("vt.p95_delay_s", "VT delay p95 (s)"),
    Column("vtvf.false_per_hour", "false VT/VF /h (outside NOISE)"),
    Column("vt.false_per_hour", "false VT /h"),
    Column("vf.false_per_hour", "false VF /h"),
    Column("vtvf.alarms_in_noise", "VT/VF alarms in NOISE", decimals=0),
    Column("asystole.false_per_hour", "false ASYS /h"),
    Column("aha.vf_se", "AHA VF Se"),
    Column("aha.vt_se", "AHA VT Se"),
    Column("aha.nonshock_sp", "AHA non-shockable Sp"),
    Column("chunk_s", "chunk (s)", section="recipe"),
    Column("vf_method", "VF detector", section="recipe"),
    Column("model_run", "model (run streamed)", section="training"),
    Column("throughput_x_realtime", "× real time"),
)
#: Metrics where a lower value is better (delays, false alarms, alarms in noise).
LOWER_IS_BETTER: tuple[str, ...] = (
    "vtvf.median_delay_s", "vtvf.p95_delay_s", "vf.median_delay_s", "vt.median_delay_s", "vt.p95_delay_s",
    "vtvf.false_per_hour", "vt.false_per_hour", "vf.false_per_hour", "vtvf.alarms_in_noise", "asystole.false_per_hour",
)  # fmt: skip

BOARD = Track(
    task=NAME,
    title="Alarms on VFDB (VT, VF, asystole; real-time replay)",
    note=(
        "The 22 records of the MIT-BIH Malignant Ventricular Ectopy Database (VFDB), resampled 250 → 360 Hz "
        "(scipy resample_poly, as the dataset builders) and replayed in chunks through the streaming chain: the "
        "submission's beat classifier drives the VT rule (>= 3 ventricular beats above 100 bpm) and the asystole "
        "alarm (no QRS for 4 s, the PhysioNet/CinC 2015 definition); the VF alarm runs the TCSC detector "
        "(threshold chosen on MIT-BIH DS1, experiments/vf_detector/README.md) on 8-s windows every second of the "
        "signal itself, vetoed where the QRS detector finds an organized rhythm (>= 5 beats, median |dRR| / mean RR <= "
        "0.2, <= 120 bpm; chosen on DS1, experiments/vfdb_alarms/README.md). Episode Se: reference VT, VF (VFL/VF/VFIB) and asystole episodes alarmed by an alarm of "
        "their kind (or, for VT, by either VT or VF alarm) from the onset up to 10 s after the episode; delays "
        "from onset to the alarm's decision (s). False alarms: VT/VF alarms overlapping no VT or VF episode, per "
        "hour outside NOISE; alarms raised during NOISE are counted apart. AHA (Kerber et al. 1997; goals VF Se "
        "> 90, VT Se > 75, non-shockable Sp > 95): 8-s windows every 8 s, called shockable when a VT or VF alarm "
        "is active at the window's end; NOISE windows count as non-shockable; ranges are 95 % subject-bootstrap "
        "intervals (2000 resamples, seed 0, a record is a subject). The streaming VT criterion is judged by the "
        "VT-alarm columns against bedside monitors' 1.5–4.6 s VT alarm delays. Nothing is chosen on VFDB. "
        "Throughput is compute only (machine-dependent)."
    ),
    columns=COLUMNS,
    headline=("vf.se", "vt.se", "asystole.se", "vtvf.median_delay_s", "vtvf.false_per_hour", "aha.vf_se", "aha.vt_se", "aha.nonshock_sp",
              "throughput_x_realtime"),  # fmt: skip
    units="Se/Sp in percent; delays in seconds; false alarms per hour of signal outside NOISE; throughput in × real time",
    recompute_note=(
        "alarm figures come from the replay itself; the prediction file keeps the detected beats and every alarm "
        "event (with the records' rhythm annotations the episode and AHA figures follow from them, "
        "ecgbench.streaming.alarm_scoring), but the checks do not read the VFDB annotations, and latency and "
        "throughput cannot be recomputed"
    ),
    # `ecgbench run alarms-vfdb`'s defaults (cli/alarms.py) and AlarmConfig's VF and asystole settings.
    default_config={"records": "VFDB", "chunk_s": 1.0, "vf_method": "tcsc", "vf_step_s": 1.0, "vf_veto_irregularity": 0.2,
                    "vf_veto_max_rate_bpm": 120.0, "asystole_s": 4.0, "vt_probability": None},  # fmt: skip
)

TASK = Task(
    name=NAME,
    title="VFDB replayed through the streaming chain: VT, VF and asystole alarms, AHA shockable-rhythm statistics",
    dataset=None,
    splits=SplitRoles(train=None, val=None, test="vfdb"),
    inputs=(InputField("signal", (2,), "mV", "raw samples of both leads, resampled 250 → 360 Hz, replayed in chunks"),),
    sampling_rate=360.0,
    leads=("VFDB ECG lead 0", "VFDB ECG lead 1"),
    metrics=metrics_of(BOARD, LOWER_IS_BETTER),
    ranking_metric="vf.se",
    board=BOARD,
    command=RunCommand(NAME, submission_option="--model"),
    params={"model_task": MODEL_TASK, "monitor_vt_delay_s": MONITOR_VT_DELAY_S, "raw_database": "vfdb"},
)
