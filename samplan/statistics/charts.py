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
}

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
    return any(isinstance(v, int) and v > 0 for _label, cells in table.rows for v in cells)


def chart_svg(table: Table) -> bytes:
    chart = CHARTS[table.key](
        js=[],
        style=STYLE,
        width=720,
        height=360 if table.key == "by_month" else 320,
        show_legend=len(table.columns) > 1,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=0 if table.key != "by_month" else 30,
        truncate_label=-1,
        margin=16,
    )
    chart.x_labels = [label for label, _cells in table.rows]
    for index, column in enumerate(table.columns):
        chart.add(column, [_drawn(cells[index]) for _label, cells in table.rows])
    return SCRIPT.sub(b"", chart.render())


def _drawn(value):
    return value if isinstance(value, int) else None
