import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from activities.models import Activity, Destination

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The parts this feature adds; the rest of each page is checked where it is built.
SYNC_PARTS = [".overview-chart", ".lifecycle", ".relations", ".facts", ".facet--destination", ".destination-group"]
PAGES = [
    "/",
    "/categories/email/",
    "/activities/sent-sms/",
    "/activities/?destination=webhook",
    "/destinations/webhook/",
]


@pytest.fixture(scope="module")
def browser():
    # Playwright's event loop runs in the test thread; Django's database calls there are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def synced_catalog(transactional_db):
    call_command("load_catalog", verbosity=0)
    webhook = Destination.objects.get(slug="webhook")
    for activity in Activity.objects.filter(category__slug__in=["email", "sms"]):
        activity.destinations.add(webhook)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sync_parts_pass_axe_in_both_themes(browser, live_server, synced_catalog, scheme):
    """Badges, facet, relations, lifecycle and overview have no axe violations, contrast included, in either theme."""
    page = browser.new_page(color_scheme=scheme)
    for path in PAGES:
        page.goto(live_server.url + path)
        present = [selector for selector in SYNC_PARTS if page.locator(selector).count()]
        assert present, path
        results = Axe().run(page, context={"include": [[selector] for selector in present]})
        assert results.violations_count == 0, (path, results.generate_report())
    page.close()


def test_lifecycle_is_drawn_in_theme_colours(browser, live_server, synced_catalog):
    """The diagram's boxes and text take the theme's colours, so it stays readable when the theme changes."""
    colours = {}
    for scheme in ("light", "dark"):
        page = browser.new_page(color_scheme=scheme)
        page.goto(live_server.url + "/categories/email/")
        node = page.locator(".lifecycle__node", has_text="Opened email")
        colours[scheme] = node.locator("text").evaluate("element => getComputedStyle(element).fill")
        node.click()
        assert page.url.endswith("/activities/opened-email/")
        page.close()
    assert colours["light"] != colours["dark"]
