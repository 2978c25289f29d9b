"""Golden tests of AF episodes, ventricular runs, window classification and the record bootstrap."""

import math

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from ecgbench.errors import ConfigError
from ecgbench.evaluation import compare_record
from ecgbench.evaluation.bootstrap import bootstrap_ci
from ecgbench.evaluation.classification import classification_report
from ecgbench.evaluation.rhythm import RunAnnotator, af_episode_stats, rhythm_episodes, ventricular_run_stats

FS = 360.0


def test_rhythm_episodes_and_af_stats():
    ref = rhythm_episodes(np.array([0, 1000, 3000, 5000]), np.array(["+"] * 4), ["(N", "(AFIB", "(N", "(AFIB"], "(AFIB", 8000)
    assert ref.tolist() == [[1000, 3000], [5000, 8000]]
    test = np.array([[1500, 2000], [3500, 4000]])
    c = af_episode_stats(ref, test, start=0, end=8000, fs=FS)
    assert (c.tp_se, c.fn, c.tp_ppv, c.fp) == (1, 1, 1, 1)
    f = c.figures()
    assert f["duration_se"] == pytest.approx(100 * 500 / 5000)
    assert f["duration_ppv"] == pytest.approx(50.0)
    # a test episode wholly inside reference flutter is ignored for +P
    c = af_episode_stats(ref, test, 0, 8000, FS, ref_flutter=np.array([[3200, 4500]]))
    assert (c.tp_ppv, c.fp) == (1, 0)


def _run_annotator(sample, labels):
    sample = np.array(sample)
    return RunAnnotator(sample, np.array([c in "VF" for c in labels]), np.zeros((0, 2), np.int64), np.zeros(0, np.int64))


def test_ventricular_runs():
    rr = 300
    ref_labels = "NVVNVVVNVVVVVVVN"  # couplet, short run (3), long run (6)
    test_labels = "NVVNVNVNVVVVVVVN"  # couplet found, short run split, long run found
    s = np.arange(len(ref_labels)) * rr + 1000
    counts = ventricular_run_stats(_run_annotator(s, ref_labels), _run_annotator(s, test_labels), 54)
    f = counts.figures()
    assert (f["couplet"]["tp_se"], f["couplet"]["fn"]) == (1, 0)
    assert (f["short_run"]["tp_se"], f["short_run"]["fn"]) == (0, 1)
    assert (f["long_run"]["tp_se"], f["long_run"]["fn"]) == (1, 0)
    assert f["long_run"]["se"] == 100.0 and f["short_run"]["se"] == 0.0


def test_af_through_compare_record():
    ref_s, test_s = np.array([0, 360, 720, 1080]), np.array([0, 360, 720, 1080])
    c = compare_record("r", ref_s, ["+", "N", "+", "N"], test_s, ["+", "N", "+", "N"], fs=FS,
                       ref_aux=["(AFIB", "", "(N", ""], test_aux=["(AFIB", "", "(N", ""])
    assert c.af.figures()["episode_se"] == 100.0 and c.test_has_rhythm


def test_classification_report_matches_sklearn():
    y_true = ["AF", "N", "N", "N", "AF", "O", "O", "N"]
    y_pred = ["AF", "N", "AF", "N", "N", "O", "N", "N"]
    rep = classification_report(y_true, y_pred)
    p, r, f1, _ = precision_recall_fscore_support(y_true, y_pred, labels=list(rep.labels), zero_division=0)
    assert np.allclose(rep.se, 100 * r) and np.allclose(rep.ppv, 100 * p) and np.allclose(rep.f1, 100 * f1)
    assert rep.accuracy == pytest.approx(100 * 5 / 8)
    assert rep.sp[rep.labels.index("AF")] == pytest.approx(100 * 5 / 6)
    assert rep.macro_f1 == pytest.approx(100 * f1.mean())
    d = rep.to_dict()
    assert d["classes"]["O"]["support"] == 2 and d["n"] == 8
    with pytest.raises(ConfigError, match="not in the label list"):
        classification_report(["A"], ["B"], labels=["A"])
    with pytest.raises(ConfigError, match="empty"):
        classification_report([], [])


def test_classification_absent_class_is_nan_not_zero():
    rep = classification_report(["N", "N"], ["N", "N"], labels=["N", "AF"])
    assert math.isnan(rep.se[1]) and rep.macro_f1 == 100.0


def _records(n, seed):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        s = np.arange(20) * 400 + 500
        test_sym = ["V" if rng.random() < 0.3 else "N" for _ in s]
        out.append(compare_record(f"{200 + k}", s, ["N"] * 10 + ["V"] * 10, s, test_sym, fs=FS))
    return out


def test_bootstrap_resamples_records_and_is_seeded():
    cmps = _records(12, 0)
    a = bootstrap_ci(cmps, metrics=("veb.se", "qrs.se"), n_resamples=300, seed=7)
    b = bootstrap_ci(cmps, metrics=("veb.se", "qrs.se"), n_resamples=300, seed=7)
    assert a == b
    assert a["qrs.se"]["low"] == a["qrs.se"]["high"] == 100.0
    v = a["veb.se"]
    assert v["low"] < v["estimate"] < v["high"]
    # resampling records: the interval is at least as wide as the record-to-record spread implies
    per_record = [c.figures()["veb"]["se"] for c in cmps]
    assert v["high"] - v["low"] > np.std(per_record) / np.sqrt(len(cmps))
    c = bootstrap_ci(cmps, metrics=("veb.se",), n_resamples=300, seed=8)
    assert c != a
    with pytest.raises(ConfigError, match="unknown metric"):
        bootstrap_ci(cmps, metrics=("veb.sensitivity",))
    subj = bootstrap_ci(cmps, metrics=("veb.se",), n_resamples=100, by_subject=True)
    assert subj["veb.se"]["estimate"] == v["estimate"]
