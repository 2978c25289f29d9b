"""Golden tests of the EC57 record comparison and pooled statistics on hand-built annotations."""

import math

import numpy as np
import pytest

from ecgbench.errors import ConfigError, CorruptDataError
from ecgbench.evaluation import ROWS, compare_annotations, compare_record, score_records
from ecgbench.records import Annotations

FS = 360.0


def cell(cmp, row, col):
    return int(cmp.confusion[ROWS.index(row), "nsvfqox".index(col)])


def cmp_of(ref, test, **kw):
    (rs, rsym), (ts, tsym) = ref, test
    return compare_record("r1", np.array(rs), list(rsym), np.array(ts), list(tsym), fs=FS, **kw)


def test_window_edges_and_classes():
    ref = ([1000, 2000, 3000, 4000], "NVNA")
    test = ([1054, 1946, 3055, 4000], "NVNN")  # +150 ms, -150 ms, +152.8 ms, exact
    c = cmp_of(ref, test)
    assert (cell(c, "N", "n"), cell(c, "V", "v"), cell(c, "S", "n")) == (1, 1, 1)
    assert (cell(c, "N", "o"), cell(c, "O", "n")) == (1, 1)  # the 3055 beat is outside the window
    f = c.figures()
    assert f["qrs"]["se"] == pytest.approx(75.0) and f["qrs"]["ppv"] == pytest.approx(75.0)
    assert f["sveb"]["se"] == 0.0 and math.isnan(f["sveb"]["ppv"])
    assert f["veb"]["se"] == 100.0


def test_two_test_beats_near_one_reference():
    c = cmp_of(([1000], "N"), ([980, 1010], "VN"))
    assert cell(c, "N", "n") == 1 and cell(c, "O", "v") == 1
    assert c.tp == 1 and c.fp == 1 and c.fn == 0


def test_empty_test_and_all_misses():
    c = cmp_of(([1000, 2000, 3000], "NVN"), ([], ""))
    assert c.fn == 3 and c.tp == 0 and c.figures()["qrs"]["se"] == 0.0
    assert math.isnan(c.figures()["qrs"]["ppv"])
    c = cmp_of(([1000, 2000], "NN"), ([1500, 2500], "NN"))
    assert (c.tp, c.fn, c.fp) == (0, 2, 2)


def test_non_beat_symbols_are_filtered_in_both_lists():
    ref = ([0, 1000, 1000, 1500, 2000, 2100], ["+", "N", '"', "|", "V", "~"])
    test = ([10, 1005, 1400, 2003], ["+", "N", "x", "V"])
    c = cmp_of(ref, test, ref_aux=["(N", "", "MISSB", "", "", ""], test_aux=["(N", "", "", ""])
    assert (c.tp, c.fn, c.fp) == (2, 0, 0)


def test_veb_and_sveb_rules_for_f_and_q():
    # reference F labelled V (Fv) and Q labelled V (Qv) are not VEB false positives; Qs not an SVEB FP
    ref = ([1000, 2000, 3000, 4000, 5000], "FQQNN")
    test = ([1000, 2000, 3000, 4000, 5000], "VVSVS")
    f = cmp_of(ref, test).figures()
    assert f["veb"]["fp"] == 1 and f["veb"]["tn"] == 2  # FP only Nv; TN are Qs and Ns
    assert f["sveb"]["fp"] == 1  # only Ns
    assert f["veb"]["fpr"] == pytest.approx(100 / 3)


def test_aami_letters_and_class_maps():
    ref = ([1000, 2000], "ej")
    test = ([1000, 2000], "NS")
    aami = cmp_of(ref, test)
    bxb = cmp_of(ref, test, class_map="bxb")
    assert cell(aami, "N", "n") == 1 and cell(aami, "N", "s") == 1
    assert cell(bxb, "S", "n") == 1 and cell(bxb, "S", "s") == 1


def test_learning_period():
    ref = ([100, 1000, 2000], "NNN")
    test = ([100, 1030, 5000], "NNN")
    c = cmp_of(ref, test, learning_period=1000 / FS)  # the first beat is in the learning period
    assert (c.tp, c.fn, c.fp) == (1, 1, 1)


def test_ventricular_fibrillation_is_not_scored():
    ref = ([1000, 2000, 2500, 3000, 4000], ["N", "[", "!", "]", "N"])
    test = ([1000, 2100, 2600, 4000], "NVVN")  # detections inside reference VF are not counted
    c = cmp_of(ref, test)
    assert (c.tp, c.fn, c.fp) == (2, 0, 0)


def test_shutdown_marks_x_row_and_column():
    ref = ([1000, 2000, 3000, 5000], ["N", "~", "~", "N"])
    test = ([1000, 2500, 5000], "NNN")
    sub = [0, -1, 0, 0]
    c = cmp_of(ref, test, ref_subtype=sub)
    assert cell(c, "X", "n") == 1 and c.fp == 1
    c = cmp_of(ref, test, ref_subtype=sub, exclude_shutdown=True)
    assert c.fp == 0 and c.tp == 2
    # test-marked shutdown: the missed reference beat goes to the x column
    c = cmp_of(([1000, 2500], "NN"), ([1000, 2000, 3000], ["N", "~", "~"]), test_subtype=[0, 0x30, 0])
    assert cell(c, "N", "x") == 1


def test_unknown_symbol_and_bad_arrays():
    with pytest.raises(CorruptDataError, match="unknown symbol"):
        cmp_of(([1000], "N"), ([1000], ["Z"]))
    with pytest.raises(CorruptDataError, match="not sorted"):
        cmp_of(([2000, 1000], "NN"), ([1000], "N"))
    with pytest.raises(CorruptDataError, match="differ in shape"):
        cmp_of(([1000, 2000], "N"), ([1000], "N"))
    with pytest.raises(ConfigError, match="class map"):
        cmp_of(([1000], "N"), ([1000], "N"), class_map="mine")


def _ann(record, sample, symbol, fs, ext):
    n = len(sample)
    return Annotations(record, ext, np.array(sample, np.int64), np.array(list(symbol), "<U2"), ("",) * n, fs)


def test_sampling_rate_mismatch():
    ref = _ann("r1", [360, 720], "NN", 360.0, "atr")
    test = _ann("r1", [250, 500], "NN", 250.0, "qrs")
    with pytest.raises(CorruptDataError, match="360 Hz but test annotations .* 250 Hz"):
        compare_annotations(ref, test)
    c = compare_annotations(ref, test, rescale=True)
    assert c.tp == 2
    with pytest.raises(CorruptDataError, match="record r1 but test annotations for record r2"):
        compare_annotations(ref, _ann("r2", [360], "N", 360.0, "qrs"))


def test_score_records_gross_vs_average_and_paced():
    a = compare_record("100", np.array([1000, 2000, 3000, 4000]), list("NNNN"), np.array([1000, 2000, 3000, 4000]), list("NNNN"), fs=FS)
    b = compare_record("101", np.array([1000, 2000]), list("NN"), np.array([1000]), list("N"), fs=FS)
    p = compare_record("102", np.array([1000]), list("/"), np.array([]), [], fs=FS)
    res = score_records([a, b, p])
    assert res.records == ["100", "101"] and res.excluded == {"102": "paced (EC57)"}
    assert res.gross["qrs"]["se"] == pytest.approx(100 * 5 / 6)  # pooled
    assert res.average["qrs"]["se"] == pytest.approx(75.0)  # mean of 100 and 50
    d = res.to_dict()
    assert d["gross"]["qrs"]["se"] == pytest.approx(100 * 5 / 6)
    assert d["gross"]["classes"]["V"]["se"] is None  # undefined → null
    assert set(d["gross"]) >= {"qrs", "classes", "veb", "sveb", "accuracy", "runs", "af"}
    assert d["confusion"]["rows"] == list("NSVFQOX") and d["settings"]["units"] == "percent"
    with pytest.raises(ConfigError, match="more than once"):
        score_records([a, a])
    with pytest.raises(ConfigError, match="no record"):
        score_records([])
    assert "QRS Se" in _render(res.summary(per_record=True))


def _render(renderable):
    from rich.console import Console

    console = Console(width=120, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()
