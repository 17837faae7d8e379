"""
The SVG shapes of the diagrams (activities/diagrams.py lays them out), each drawn in one call.

A diagram is hundreds of numbers: as template variables they were most of a page's rendering.
Here each shape is one format string whose every value is escaped (see `html`).
"""

from django import template

from activities.templatetags import html, joined, read

register = template.Library()

BAR = (
    '<rect class="bar bar--{}" x="{}" y="{}" width="{}" height="{}" rx="2"/>\n'
    '      <text class="overview-chart__count" x="{}" y="{}">{}</text>'
)
ROW = '<g class="overview-chart__row">\n      <text class="overview-chart__label" x="0" y="{}">{}</text>'
EDGE = '<path class="lifecycle__edge" d="{}" marker-end="url(#lifecycle-arrow)"/>'
BOX = (
    '<a href="{}" class="lifecycle__node">\n'
    '        <rect x="{}" y="{}" width="{}" height="{}" rx="8"/>\n'
    '        <text x="{}" y="{}" dominant-baseline="central">{}</text>\n'
    "      </a>"
)
LINK = '<a href="{}">{}</a>'


@register.simple_tag
def overview_rows(overview):
    """Each category's row of the overview chart: its label, then each bar with its count beside it."""
    x = read(overview, "label_width")
    rows = []
    for row in read(overview, "rows"):
        label = html(ROW, read(row, "label_y"), read(read(row, "category"), "name"))
        bars = (
            html(
                BAR,
                read(bar, "css_class"),
                x,
                read(bar, "y"),
                read(bar, "width"),
                read(bar, "height"),
                read(bar, "text_x"),
                read(bar, "text_y"),
                read(bar, "count"),
            )
            for bar in read(row, "bars")
        )
        rows.append(joined("\n      ", [label, *bars]) + "\n    </g>")
    return joined("\n    ", rows)


@register.simple_tag
def lifecycle_edges(lifecycle):
    """The lifecycle's arrows, each from an activity to the one that follows it."""
    return joined("\n      ", (html(EDGE, read(edge, "path")) for edge in read(lifecycle, "edges")))


@register.simple_tag
def lifecycle_boxes(lifecycle):
    """The lifecycle's boxes, each a link to its activity."""
    width, height = read(lifecycle, "node_width"), read(lifecycle, "node_height")
    boxes = []
    for node in read(lifecycle, "nodes"):
        activity = read(node, "activity")
        boxes.append(
            html(
                BOX,
                read(activity, "get_absolute_url"),
                read(node, "x"),
                read(node, "y"),
                width,
                height,
                read(node, "text_x"),
                read(node, "text_y"),
                read(activity, "name"),
            )
        )
    return joined("\n      ", boxes)


@register.filter
def linked(activities):
    """Links to these activities, by name, separated by commas."""
    return joined(", ", (html(LINK, read(item, "get_absolute_url"), read(item, "name")) for item in activities))
