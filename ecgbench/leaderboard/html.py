"""The self-contained leaderboard page: every track's tables, sortable, no external resources.

Sorting is done by a few lines of inline JavaScript: clicking a header sorts by that column;
numeric cells carry their value in ``data-sort`` so they sort as numbers (undefined last).
"""

from __future__ import annotations

from html import escape

from ecgbench.leaderboard.formats import COUNTED_MARK, compare_note, default_config_text, ranking_rule
from ecgbench.leaderboard.ranking import MIN_SEEDS, Standing
from ecgbench.leaderboard.table import COMPARE_FIGURES, Board, compare_rows, format_interval, format_seeds, format_standing, format_value

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}
th{background:#f0f0f0;cursor:pointer;user-select:none}
td.text,th.text{text-align:left}
.ci{color:#666;font-size:0.85em;display:block}
.leaky{background:#fff3cd;border:1px solid #e0c060;padding:0.5em 1em}
"""

_SCRIPT = """
document.querySelectorAll('table.board').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = th.dataset.type === 'number';
      var dir = th.dataset.dir === 'desc' ? 1 : -1;
      if (!numeric && th.dataset.dir === undefined) { dir = 1; }
      th.dataset.dir = dir === 1 ? 'asc' : 'desc';
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
        if (numeric) {
          var fx = x === '' ? NaN : parseFloat(x), fy = y === '' ? NaN : parseFloat(y);
          if (isNaN(fx) && isNaN(fy)) { return 0; }
          if (isNaN(fx)) { return 1; }
          if (isNaN(fy)) { return -1; }
          return dir * (fx - fy);
        }
        return dir * x.localeCompare(y);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _text_cell(text: str, link: str | None = None) -> str:
    inner = f'<a href="{escape(link)}">{escape(text)}</a>' if link else escape(text)
    return f'<td class="text" data-sort="{escape(text)}">{inner}</td>'


def _number_cell(entry: dict, decimals: int = 2) -> str:
    value = entry.get("value")
    interval = format_interval(entry, decimals)
    ci = f'<span class="ci">{escape(interval)}</span>' if interval else ""
    if isinstance(value, str):
        return _text_cell(value)
    sort = "" if value is None else repr(float(value))
    return f'<td data-sort="{sort}">{escape(format_value(value, decimals))}{ci}</td>'


def _standings_html(board: Board) -> list[str]:
    """The submissions' table (ranked, sortable) and the unranked submissions."""
    labels = [c.label for c in board.metric_columns]
    header = ['<th data-type="number">#</th>', '<th class="text">Submission</th>', '<th class="text">Kind</th>',
              '<th class="text">Seeds</th>', *(f'<th data-type="number">{escape(label)}</th>' for label in labels)]  # fmt: skip
    parts = [f'<table class="board"><thead><tr>{"".join(header)}</tr></thead><tbody>']
    for standing in (s for s in board.standings if s.ranked):
        cells = [f'<td data-sort="{standing.rank}">{standing.rank}</td>', _text_cell(standing.submission), _text_cell(standing.kind)]
        cells += _standing_cells(standing, board)
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    unranked = [s for s in board.standings if not s.ranked]
    if unranked:
        parts.append(f"<p><strong>Unranked</strong> (a seeded training with fewer than {MIN_SEEDS} seeds):</p>")
        header = ['<th class="text">Submission</th>', '<th class="text">Kind</th>', '<th class="text">Seeds</th>',
                  *(f'<th data-type="number">{escape(label)}</th>' for label in labels), '<th class="text">Why unranked</th>']  # fmt: skip
        parts.append(f'<table class="board"><thead><tr>{"".join(header)}</tr></thead><tbody>')
        for standing in unranked:
            cells = [_text_cell(standing.submission), _text_cell(standing.kind)]
            cells += [*_standing_cells(standing, board), _text_cell(standing.reason)]
            parts.append(f"<tr>{''.join(cells)}</tr>")
        parts.append("</tbody></table>")
    return parts


def _standing_cells(standing: Standing, board: Board) -> list[str]:
    """The seed count and the figures of a submission's row; figures sort by their mean."""
    cells = [_text_cell(format_seeds(standing))]
    for column in board.metric_columns:
        mean = standing.mean.get(column.key)
        sort = "" if mean is None else repr(float(mean))
        cells.append(f'<td data-sort="{sort}">{escape(format_standing(standing, column))}</td>')
    return cells


def _runs_html(board: Board, runs) -> list[str]:
    """Every run of ``runs``: identity, every column with its interval, the run record, whether it is averaged."""
    header = ['<th class="text">Submission</th>', '<th class="text">Kind</th>', '<th data-type="number">Seed</th>']
    header += [f'<th data-type="number">{escape(c.label)}</th>' for c in board.columns]
    header += ['<th class="text">Date</th>', '<th class="text">Code</th>', '<th class="text">Run record</th>', '<th class="text">Counted</th>']
    parts = [f'<table class="board runs"><thead><tr>{"".join(header)}</tr></thead><tbody>']
    for row in runs:
        cells = [_text_cell(row.submission), _text_cell(row.kind), f'<td data-sort="{row.seed}">{row.seed}</td>']
        cells += [_number_cell(row.metrics[c.key], c.decimals) for c in board.columns]
        cells += [_text_cell(row.date), _text_cell(row.code), _text_cell(row.run_id, row.link),
                  _text_cell(COUNTED_MARK if board.counted(row) else "")]  # fmt: skip
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    return parts


def _compare_html(board: Board) -> list[str]:
    """Each submission's figures on the ``compare_task`` beside its own (see :func:`ecgbench.leaderboard.table.compare_rows`)."""
    other = board.track.compare_task
    header = ['<th class="text">Submission</th>']
    for _, label in COMPARE_FIGURES:
        header += [f'<th data-type="number">{escape(f"{label} ({other})")}</th>', f'<th data-type="number">{escape(label)} (here)</th>',
                   '<th data-type="number">Δ</th>']  # fmt: skip
    parts = [f"<h3>Beside {escape(other)}</h3>", f"<p>{escape(compare_note(board))}</p>",
             f'<table class="board"><thead><tr>{"".join(header)}</tr></thead><tbody>']  # fmt: skip
    for submission, cells in compare_rows(board):
        row = [_text_cell(submission)]
        for there, here, delta in cells:
            row += [_number_cell({"value": there}), _number_cell({"value": here}), _number_cell({"value": delta})]
        parts.append(f"<tr>{''.join(row)}</tr>")
    parts.append("</tbody></table>")
    return parts


def board_html(board: Board) -> str:
    """Return the ``<section>`` of one task."""
    track = board.track
    parts = [f'<section id="{escape(track.task)}">', f"<h2>{escape(track.title)}</h2>"]
    if track.leaky:
        parts.append('<p class="leaky"><strong>Leaky split:</strong> the same patients are in training and test; '
                     "not comparable with the inter-patient table.</p>")  # fmt: skip
    if track.note:
        parts.append(f"<p>{escape(track.note)}</p>")
    parts.append(f"<p><strong>Ranking.</strong> {escape(ranking_rule(board))}</p>")
    if track.default_config:
        parts.append(f"<p><strong>Default configuration</strong> (the ranked runs): {escape(default_config_text(board))}.</p>")
    parts += _standings_html(board)
    if track.compare_task:
        parts += _compare_html(board)
    if track.default_config:
        parts.append("<h3>Every run at the default configuration</h3>")
        parts += _runs_html(board, board.default_rows)
        parts.append("<h3>Ablation: runs at other configurations</h3>")
        parts += _runs_html(board, board.ablation_rows)
    else:
        parts.append("<h3>Every run</h3>")
        parts += _runs_html(board, board.rows)
    if board.n_quick:
        parts.append(f"<p>{board.n_quick} quick (smoke-test) run(s) are not ranked.</p>")
    parts.append(f"<p>{escape(track.units or 'Values in percent')}; small grey ranges are bootstrap confidence intervals; "
                 f"{COUNTED_MARK}: the run is averaged into its submission's row.</p>")  # fmt: skip
    parts.append("</section>")
    return "\n".join(parts)


def leaderboard_html(boards: list[Board]) -> str:
    """Return the whole page (inline CSS and JS; works offline)."""
    sections = "\n".join(board_html(b) for b in boards) or "<p>No run records yet.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>ecgbench leaderboards</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>ecgbench leaderboards</h1>\n"
        "<p>Generated by <code>ecgbench leaderboard render</code> from the run records in "
        "<code>leaderboards/results/</code>. Each table states its units below it. "
        "Click a column header to sort.</p>\n"
        f"{sections}\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
