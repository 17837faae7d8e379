"""Pictures of the catalog, laid out from data: lifecycle diagrams and the home page's overview.

Each function returns plain numbers for the templates in templates/activities/diagrams/ to draw; nothing here
is hand-drawn, and no markup is written here.
Positions are SVG presentation attributes, never inline styles, and colours come from the stylesheet.
"""

from collections import defaultdict
from dataclasses import dataclass, field

MIN_NODE_WIDTH = 150
# An average bold glyph at the diagram's 13px font, generous so that no name spills out of its box.
CHARACTER_WIDTH = 8
NODE_HEIGHT = 34
COLUMN_GAP = 56
ROW_GAP = 14
PADDING = 6


@dataclass
class Node:
    activity: object
    column: int = 0
    row: int = 0
    later: list = field(default_factory=list)
    width: int = MIN_NODE_WIDTH

    @property
    def x(self):
        return PADDING + self.column * (self.width + COLUMN_GAP)

    @property
    def y(self):
        return PADDING + self.row * (NODE_HEIGHT + ROW_GAP)

    @property
    def text_x(self):
        return self.x + 12

    @property
    def text_y(self):
        return self.y + NODE_HEIGHT / 2


def plain(number):
    """A whole number as an int, so that path data reads "23", not "23.0"."""
    return int(number) if float(number).is_integer() else number


@dataclass
class Edge:
    """An arrow from the right edge of the earlier node to the left edge of the later one, curving at `middle`."""

    earlier: Node
    later: Node

    @property
    def x1(self):
        return plain(self.earlier.x + self.earlier.width)

    @property
    def y1(self):
        return plain(self.earlier.y + NODE_HEIGHT / 2)

    @property
    def x2(self):
        return plain(self.later.x - 4)

    @property
    def y2(self):
        return plain(self.later.y + NODE_HEIGHT / 2)

    @property
    def middle(self):
        return plain((self.x1 + self.x2) / 2)


@dataclass
class Lifecycle:
    nodes: list
    edges: list
    width: int
    height: int
    node_width: int = MIN_NODE_WIDTH
    node_height: int = NODE_HEIGHT

    def __bool__(self):
        return bool(self.edges)

    @property
    def starts(self):
        """The nodes nothing leads to, in the order drawn: where the text alternative begins."""
        return [node for node in self.nodes if node.column == 0]


def _sort_key(activity):
    return (activity.position, activity.name)


def lifecycle(relations):
    """
    Lay `follows` relations out left to right: each activity sits one column after the
    latest activity it follows, and each column is ordered by the rows of what it follows.
    """
    nodes = {}
    edges = []
    for relation in relations:
        earlier = nodes.setdefault(relation.to_activity_id, Node(relation.to_activity))
        later = nodes.setdefault(relation.from_activity_id, Node(relation.from_activity))
        edges.append(Edge(earlier, later))
    # Longest path from a start; bounded so that a loop an editor makes cannot run forever.
    for _ in range(len(nodes)):
        moved = False
        for edge in edges:
            if edge.later.column <= edge.earlier.column and edge.earlier.column + 1 < len(nodes):
                edge.later.column = edge.earlier.column + 1
                moved = True
        if not moved:
            break
    earlier_of = defaultdict(list)
    for edge in edges:
        earlier_of[id(edge.later)].append(edge.earlier)
    columns = defaultdict(list)
    for node in nodes.values():
        columns[node.column].append(node)
    for number in sorted(columns):
        # Under the rows of what they follow (earlier columns are already placed), then article order.
        def key(node, number=number):
            rows = [other.row for other in earlier_of[id(node)] if other.column < number]
            return (min(rows, default=0), *_sort_key(node.activity))

        for row, node in enumerate(sorted(columns[number], key=key)):
            node.row = row
    for edge in edges:
        edge.earlier.later.append(edge.later.activity)
    for node in nodes.values():
        node.later.sort(key=_sort_key)
    # One width for every box, wide enough for the longest name, keeps the columns aligned.
    node_width = max([MIN_NODE_WIDTH, *(24 + CHARACTER_WIDTH * len(node.activity.name) for node in nodes.values())])
    for node in nodes.values():
        node.width = node_width
    ordered = sorted(nodes.values(), key=lambda node: (node.column, node.row))
    columns_used = max((node.column for node in ordered), default=-1) + 1
    rows_used = max((len(column) for column in columns.values()), default=0)
    return Lifecycle(
        nodes=ordered,
        edges=edges,
        width=2 * PADDING + columns_used * node_width + max(columns_used - 1, 0) * COLUMN_GAP,
        height=2 * PADDING + rows_used * NODE_HEIGHT + max(rows_used - 1, 0) * ROW_GAP,
        node_width=node_width,
    )


LABEL_WIDTH = 175
BAR_AREA = 300
TOTAL_BAR_HEIGHT = 16
SERIES_BAR_HEIGHT = 9
SERIES_GAP = 3
ROW_PADDING = 14
SERIES_CLASSES = 4


@dataclass
class Bar:
    label: str
    count: int
    width: float
    y: float
    height: float
    css_class: str

    @property
    def text_x(self):
        return LABEL_WIDTH + self.width + 6

    @property
    def text_y(self):
        return self.y + self.height - 1


@dataclass
class OverviewRow:
    category: object
    y: float
    bars: list

    @property
    def label_y(self):
        return self.y + TOTAL_BAR_HEIGHT - 3


@dataclass
class Overview:
    rows: list
    series: list
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    @property
    def description(self):
        """The whole picture in words, for readers who cannot see it."""
        parts = []
        for row in self.rows:
            total, *synced = row.bars
            details = ", ".join(f"{bar.count} synced to {bar.label}" for bar in synced)
            parts.append(f"{row.category.name}: {total.count} activities" + (f", {details}" if details else ""))
        return ". ".join(parts) + "." if parts else "The catalog is empty."


def overview(categories, destinations, counts):
    """
    Bars for each category: its activities, then one thinner bar per destination, all on
    one scale. `categories` carry `activity_count`; `counts` maps (category id, destination id) to a count.
    """
    destinations = list(destinations)
    series = [
        (destination, f"series-{index % SERIES_CLASSES}", sum(n for (_, d), n in counts.items() if d == destination.pk))
        for index, destination in enumerate(destinations)
    ]
    largest = max((category.activity_count for category in categories), default=0) or 1

    def scaled(count):
        return round(BAR_AREA * count / largest, 1)

    row_height = TOTAL_BAR_HEIGHT + len(destinations) * (SERIES_BAR_HEIGHT + SERIES_GAP) + ROW_PADDING
    rows = []
    for index, category in enumerate(categories):
        y = index * row_height
        bars = [Bar("all", category.activity_count, scaled(category.activity_count), y, TOTAL_BAR_HEIGHT, "total")]
        for number, (destination, css_class, _) in enumerate(series):
            count = counts.get((category.pk, destination.pk), 0)
            bar_y = y + TOTAL_BAR_HEIGHT + SERIES_GAP + number * (SERIES_BAR_HEIGHT + SERIES_GAP)
            bars.append(Bar(destination.name, count, scaled(count), bar_y, SERIES_BAR_HEIGHT, css_class))
        rows.append(OverviewRow(category, y, bars))
    return Overview(
        rows=rows,
        series=series,
        width=LABEL_WIDTH + BAR_AREA + 40,
        height=max(len(rows) * row_height - ROW_PADDING, 1),
    )
