"""Charts as SVG drawn on the server (pygal), shown with <img>: no script reaches a page.

pygal writes a small configuration script into every SVG even with `js=[]`; it is cut out
here, and the SVG's response forbids scripts anyway (views.chart). A suppressed count is not
drawn (a gap), so a chart never shows more than the table beside it.
"""

import re

import pygal
from pygal.style import Style

from samplan.statistics.indicators import Indicators, Table

# The tables drawn, and how: the months as columns over time, the others as bars.
CHARTS = {
    "by_month": pygal.Bar,
    "closed_by_reason": pygal.HorizontalBar,
    "by_age": pygal.Bar,
    "failures_by_kind": pygal.HorizontalBar,
    "evaluation_questions": pygal.HorizontalBar,
    "evaluation_by_month": pygal.Line,
}
# The tables drawn as a share: only that column ("80 %"), on a scale from 0 to 100; a share
# not shown ("–") is a gap.
SHARE_COLUMNS = {"evaluation_questions": 1, "evaluation_by_month": 1}
# The tables whose labels are months.
MONTHLY = {"by_month", "evaluation_by_month"}

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1c2530",
    foreground_strong="#1c2530",
    foreground_subtle="#56616e",
    colors=("#1d4e89", "#6f9bd1", "#1e6b3a", "#7a4b00"),
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
)

SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)


def chart_tables(result: Indicators) -> list[Table]:
    """The tables drawn: those with a chart and at least one count shown above zero."""
    return [table for table in result.tables if table.key in CHARTS and _drawable(table)]


def _drawable(table: Table) -> bool:
    """A count shown above zero, or a share shown (0 % too)."""
    least = 0 if table.key in SHARE_COLUMNS else 1
    return any(
        isinstance(v, int) and v >= least for _label, values in _series(table) for v in values
    )


def _series(table: Table) -> list[tuple[str, list]]:
    """(column, the values drawn) per column drawn."""
    if table.key in SHARE_COLUMNS:
        index = SHARE_COLUMNS[table.key]
        return [(table.columns[index], [_percent(cells[index]) for _l, cells in table.rows])]
    return [
        (column, [_drawn(cells[index]) for _label, cells in table.rows])
        for index, column in enumerate(table.columns)
    ]


def chart_svg(table: Table) -> bytes:
    series = _series(table)
    options = {"range": (0, 100)} if table.key in SHARE_COLUMNS else {}
    chart = CHARTS[table.key](
        js=[],
        style=STYLE,
        width=720,
        height=360 if table.key in MONTHLY else 320,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=30 if table.key in MONTHLY else 0,
        truncate_label=-1,
        margin=16,
        **options,
    )
    chart.x_labels = [label for label, _cells in table.rows]
    for column, values in series:
        chart.add(column, values)
    return SCRIPT.sub(b"", chart.render())


def _drawn(value):
    return value if isinstance(value, int) else None


def _percent(value):
    """80 from "80 %"; None for a share not shown."""
    number = str(value).removesuffix(" %")
    return int(number) if number.isdigit() else None
