"""The self-contained leaderboard page: every track's table, sortable, no external resources.

Sorting is done by a few lines of inline JavaScript: clicking a header sorts by that column;
numeric cells carry their value in ``data-sort`` so they sort as numbers (undefined last).
"""

from __future__ import annotations

from html import escape

from ecgbench.leaderboard.table import Board, format_interval, format_spread, format_value, seed_spreads

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


def _spread_html(board: Board) -> list[str]:
    """The "spread over seeds" table (mean ± sample SD), or nothing when no submission has two seeds."""
    spreads = seed_spreads(board)
    if not spreads:
        return []
    header = "".join(f"<th>{escape(label)}</th>" for label in ("Submission", "Seeds", *(c.label for c in board.columns)))
    rows = []
    for spread in spreads:
        cells = [_text_cell(spread.submission), _text_cell(", ".join(map(str, spread.seeds)))]
        cells += [f"<td>{escape(format_spread(spread, c))}</td>" for c in board.columns]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return ["<p><strong>Spread over seeds</strong> (mean ± sample standard deviation, newest run per seed):</p>",
            f'<table class="spread"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>']  # fmt: skip


def board_html(board: Board) -> str:
    """Return the ``<section>`` of one task."""
    track = board.track
    parts = [f'<section id="{escape(track.task)}">', f"<h2>{escape(track.title)}</h2>"]
    if track.leaky:
        parts.append('<p class="leaky"><strong>Leaky split:</strong> the same patients are in training and test; '
                     "not comparable with the inter-patient table.</p>")  # fmt: skip
    if track.note:
        parts.append(f"<p>{escape(track.note)}</p>")
    header = ['<th data-type="number">#</th>', '<th class="text">Submission</th>', '<th class="text">Kind</th>',
              '<th data-type="number">Seed</th>']  # fmt: skip
    header += [f'<th data-type="number">{escape(c.label)}</th>' for c in board.columns]
    header += ['<th class="text">Date</th>', '<th class="text">Code</th>', '<th class="text">Run record</th>']
    parts.append(f'<table class="board"><thead><tr>{"".join(header)}</tr></thead><tbody>')
    for row in board.rows:
        cells = [f'<td data-sort="{row.rank}">{row.rank}</td>', _text_cell(row.submission), _text_cell(row.kind),
                 f'<td data-sort="{row.seed}">{row.seed}</td>']  # fmt: skip
        cells += [_number_cell(row.metrics[c.key], c.decimals) for c in board.columns]
        cells += [_text_cell(row.date), _text_cell(row.code), _text_cell(row.run_id, row.link)]
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    if board.n_quick:
        parts.append(f"<p>{board.n_quick} quick (smoke-test) run(s) are not ranked.</p>")
    parts += _spread_html(board)
    parts.append(f"<p>{escape(track.units or 'Values in percent')}; small grey ranges are bootstrap confidence intervals.</p>")
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
