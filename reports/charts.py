"""Report charts as SVG images, drawn on the server by pygal (docs/decisions.md, "Reports").

The page shows each chart as `<img src="….svg">`. An SVG used as an image runs no script and fetches
nothing; on top of that the drawing is sanitised here: pygal's tooltip script is switched off
(`js=[]`) and its config `<script>`, comments and `style` attributes are removed from the tree before
it is written. What is left styles itself with one `<style>` element, and the image's response carries
its own Content-Security-Policy that allows that element by its SHA-256 hash and nothing else (no
script, no fetch, no unsafe-inline). The page's own policy is untouched.
"""

import base64
import hashlib
from xml.etree import ElementTree

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from reports.figures import Table

WIDTH = 720  # CSS pixels; the height comes from the table (Table.chart_height)
# The site's brand teal first, then colours that stay apart for colour-blind readers (Okabe-Ito).
COLOURS = ("#0b6e69", "#d55e00", "#0072b2", "#cc79a7", "#e69f00", "#56b4e9", "#009e73", "#6c4c9a")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#5c636a",
    opacity="1",
    opacity_hover="0.85",
    colors=COLOURS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    tooltip_font_size=12,
)
KINDS = {"hbar": pygal.HorizontalBar, "bar": pygal.Bar, "stacked": pygal.HorizontalStackedBar}
SVG = "{http://www.w3.org/2000/svg}"


def render(table: Table) -> tuple[bytes, str]:
    """`table` drawn as its `chart` kind: one bar per row (labelled by the first column), one series
    per column in `table.series`; percentages on a 0–100 axis.

    Returns the sanitised SVG as UTF-8 bytes and the Content-Security-Policy to serve it with.
    """
    kind = KINDS[table.chart]
    chart = kind(
        style=STYLE,
        js=[],
        width=WIDTH,
        height=table.chart_height,
        explicit_size=True,
        show_legend=len(table.series) > 1,
        legend_at_bottom=True,
        print_values=len(table.rows) * len(table.series) <= 24,
        print_values_position="top",
        truncate_label=-1,
        truncate_legend=-1,
        no_data_text=_("Nothing in this period"),
        range=(0, 100) if table.percent else None,
        include_x_axis=True,
        value_formatter=(lambda value: f"{value:g} %") if table.percent else (lambda value: f"{value:g}"),
        margin=16,
    )
    # Horizontal bars are drawn bottom-up: reverse them so the chart reads top-down like its table.
    rows = table.rows[::-1] if table.chart in ("hbar", "stacked") else table.rows
    chart.x_labels = [str(row[0]) for row in rows]
    if not table.is_empty:
        for index in table.series:
            chart.add(table.columns[index], [row[index] for row in rows])
    return sanitised(chart.render_tree())


def sanitised(root: ElementTree.Element) -> tuple[bytes, str]:
    """Remove every script, comment and `style` attribute from an SVG tree; return the SVG bytes and a
    policy that allows its remaining `<style>` elements by hash only."""
    hashes = []
    for parent in root.iter():
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag in (f"{SVG}script", "script"):
                parent.remove(child)
        parent.attrib.pop("style", None)
        if parent.tag in (f"{SVG}style", "style") and parent.text:
            digest = hashlib.sha256(parent.text.encode()).digest()
            hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    policy = f"default-src 'none'; style-src {' '.join(hashes) or "'none'"}"
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True), policy
