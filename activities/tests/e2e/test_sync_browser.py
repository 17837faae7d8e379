import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from activities.models import Activity, Destination

# The parts this feature adds; the rest of each page is checked where it is built.
SYNC_PARTS = [".overview-chart", ".lifecycle", ".relations", ".facts", ".facet--destination", ".destination-group"]
PAGES = [
    "/",
    "/categories/email/",
    "/activities/sent-sms/",
    "/activities/?destination=webhook",
    "/destinations/webhook/",
]


@pytest.fixture
def synced_catalog(site):
    """The live catalog with every Email and SMS activity synced to the webhook."""
    webhook = Destination.objects.get(slug="webhook")
    for activity in Activity.objects.filter(category__slug__in=["email", "sms"]):
        activity.destinations.add(webhook)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sync_parts_pass_axe_in_both_themes(open_page, synced_catalog, scheme):
    """Badges, facet, relations, lifecycle and overview have no axe violations, contrast included, in either theme."""
    page = open_page(None, color_scheme=scheme)
    for path in PAGES:
        page.goto(path)
        present = [selector for selector in SYNC_PARTS if page.locator(selector).count()]
        assert present, path
        results = Axe().run(page, context={"include": [[selector] for selector in present]})
        assert results.violations_count == 0, (path, results.generate_report())


def test_lifecycle_is_drawn_in_theme_colours(open_page, synced_catalog):
    """The diagram's boxes and text take the theme's colours, so it stays readable when the theme changes."""
    colours = {}
    for scheme in ("light", "dark"):
        page = open_page("/categories/email/", color_scheme=scheme)
        node = page.locator(".lifecycle__node", has_text="Opened email")
        colours[scheme] = node.locator("text").evaluate("element => getComputedStyle(element).fill")
        node.click()
        expect(page).to_have_url(re.compile(r"/activities/opened-email/$"))
    assert colours["light"] != colours["dark"]
