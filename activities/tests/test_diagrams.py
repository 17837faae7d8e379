"""The diagrams as drawn: the layout's numbers (diagrams.py) through the templates in templates/activities/diagrams/."""

import re

from activities.models import Activity


def test_each_lifecycle_arrow_runs_from_a_box_to_a_box(client, catalog):
    """Every arrow leaves the middle of one box's right edge and ends just short of another box's left edge."""
    html = client.get("/categories/email/").content.decode()
    boxes = [
        tuple(float(number) for number in box)
        for box in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="8"/>', html)
    ]
    arrows = re.findall(r'<path class="lifecycle__edge" d="M([\d.]+) ([\d.]+) C[\d. ]+ ([\d.]+) ([\d.]+)"', html)
    assert len(arrows) >= 5
    for arrow in arrows:
        x1, y1, x2, y2 = (float(number) for number in arrow)
        assert any(x + width == x1 and y + height / 2 == y1 for x, y, width, height in boxes), arrow
        assert any(x - 4 == x2 and y + height / 2 == y2 for x, y, width, height in boxes), arrow


def test_the_overview_draws_a_bar_per_category_with_its_count(client, catalog):
    """Each category is a row: its name, then its bar of every activity with the number beside it."""
    emails = Activity.objects.filter(category__slug="email").count()
    html = client.get("/").content.decode()
    rows = re.findall(r'<g class="overview-chart__row">.*?</g>', html, re.DOTALL)
    assert len(rows) == 7
    email = next(row for row in rows if ">Email</text>" in row)
    total = r'<rect class="bar bar--total" x="175" y="[\d.]+" width="[\d.]+" height="16" rx="2"/>\s*'
    assert re.search(total + rf'<text class="overview-chart__count" x="[\d.]+" y="[\d.]+">{emails}</text>', email)
