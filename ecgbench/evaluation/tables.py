"""Rich tables for EC57 results: gross vs average figures, confusion matrix, per-record table."""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table

from ecgbench.evaluation.statistics import CLASSES, COLUMNS, ROWS

_BEAT_ROWS = (
    ("QRS Se", ("qrs", "se")),
    ("QRS +P", ("qrs", "ppv")),
    ("VEB Se", ("veb", "se")),
    ("VEB +P", ("veb", "ppv")),
    ("VEB FPR", ("veb", "fpr")),
    ("SVEB Se", ("sveb", "se")),
    ("SVEB +P", ("sveb", "ppv")),
    ("SVEB FPR", ("sveb", "fpr")),
    ("Accuracy", ("accuracy",)),
)


def fmt(value, digits: int = 2) -> str:
    """Format a percentage; ``-`` when undefined (as bxb prints)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _get(tree, path):
    for key in path:
        if tree is None:
            return None
        tree = tree.get(key)
    return tree


def beat_table(result) -> Table:
    """Gross and average beat statistics side by side."""
    table = Table(title="EC57 beat statistics (%): gross = pooled counts, average = mean of records")
    table.add_column("figure")
    table.add_column("gross", justify="right")
    table.add_column("average", justify="right")
    for label, path in _BEAT_ROWS:
        table.add_row(label, fmt(_get(result.gross, path)), fmt(_get(result.average, path)))
    return table


def class_table(result) -> Table:
    """Per-class one-vs-rest figures (gross / average)."""
    table = Table(title="Per-class statistics (%), gross / average")
    table.add_column("class")
    for name in ("Se", "+P", "Spec", "F1"):
        table.add_column(name, justify="right")
    for c in CLASSES:
        g, a = result.gross["classes"][c], result.average["classes"][c]
        table.add_row(c, *(f"{fmt(g[k])} / {fmt(a[k])}" for k in ("se", "ppv", "spec", "f1")))
    return table


def confusion_table(matrix, title: str = "Confusion (rows: reference, columns: test)") -> Table:
    """The bxb-shaped confusion matrix (O/X rows: extra test beats; o/x columns: missed)."""
    table = Table(title=title)
    table.add_column("")
    for col in COLUMNS:
        table.add_column(col, justify="right")
    for r, row in enumerate(ROWS):
        cells = [str(int(v)) for v in matrix[r]]
        if row in ("O", "X"):
            cells[5:] = ["", ""]
        table.add_row(row, *cells)
    return table


def rhythm_table(result) -> Table:
    """Ventricular run, AF episode and (where VF is marked) VF episode figures (gross / average)."""
    table = Table(title="Runs and AF / VF episodes (%), gross / average")
    table.add_column("figure")
    table.add_column("Se", justify="right")
    table.add_column("+P", justify="right")
    for name in ("couplet", "short_run", "long_run"):
        g, a = result.gross["runs"][name], result.average["runs"][name]
        table.add_row(
            f"V {name.replace('_', ' ')}", f"{fmt(g['se'])} / {fmt(a['se'])}", f"{fmt(g['ppv'])} / {fmt(a['ppv'])}"
        )
    if result.gross.get("af") is None:
        table.add_row("AF", "not scored (no rhythm annotations in the test files)", "")
    for kind in ("af", "vf"):
        if result.gross.get(kind) is None:
            continue
        g, a = result.gross[kind], result.average[kind]
        for key in ("episode", "duration"):
            table.add_row(
                f"{kind.upper()} {key}",
                f"{fmt(g[key + '_se'])} / {fmt(a[key + '_se'])}",
                f"{fmt(g[key + '_ppv'])} / {fmt(a[key + '_ppv'])}",
            )
    return table


def per_record_table(result) -> Table:
    """One row per record: beat counts and the main figures."""
    table = Table(title="Per-record statistics (%)")
    for col in ("record", "ref beats", "QRS Se", "QRS +P", "VEB Se", "VEB +P", "SVEB Se", "SVEB +P"):
        table.add_column(col, justify="right" if col != "record" else "left")
    for cmp in result.comparisons:
        f = result.per_record[cmp.record]
        n_ref = int(cmp.confusion[:5].sum())
        table.add_row(
            cmp.record,
            str(n_ref),
            *(fmt(_get(f, p)) for p in (("qrs", "se"), ("qrs", "ppv"), ("veb", "se"), ("veb", "ppv"), ("sveb", "se"), ("sveb", "ppv"))),
        )
    return table


def result_tables(result, per_record: bool = False) -> Group:
    """Every table of an :class:`~ecgbench.evaluation.result.EC57Result`, as one Rich group."""
    tables = [beat_table(result), class_table(result), confusion_table(result.confusion), rhythm_table(result)]
    if per_record:
        tables.append(per_record_table(result))
    return Group(*tables)
