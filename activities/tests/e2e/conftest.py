"""
Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

A failing test leaves a full-page screenshot in test-artifacts/, which CI lists.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

# Playwright runs an event loop in this thread, which makes Django refuse synchronous database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
# Generous, for CI's two busy cores: a passing step takes milliseconds, only a failing one waits this long.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def production_static_storage(settings):
    """
    The live server serves static files by their source names, from the finders, so pages link to those:
    the manifest's hashed names would answer 404 here. The other tests render through the manifest.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, live_server):
    """The live server's address, serving the committed catalog."""
    call_command("load_catalog", verbosity=0)
    return live_server.url


@pytest.fixture
def open_page(browser, site, request):
    """
    Open pages in fresh browser contexts (keyword arguments go to new_context).
    Every request must stay on the live server, and no page may raise a script error or log an error to
    the console (a resource the CSP refused, a failed request, a script's own console.error).
    """
    contexts = []
    foreign = []
    errors = []

    def refuse_foreign(route):
        foreign.append(route.request.url)
        route.abort()

    def console_error(page, message):
        # A page the test opened on purpose may answer 404; anything it loads must not.
        document_not_found = message.location.get("url") == page.url and "status of 404" in message.text
        if message.type == "error" and not document_not_found:
            errors.append(f"{message.text} ({message.location.get('url')})")

    def open_(path="/", **options):
        context = browser.new_context(base_url=site, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route(re.compile(rf"^(?!{re.escape(site)}/).*"), refuse_foreign)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: console_error(page, message))
        if path is not None:
            page.goto(path)
        return page

    yield open_

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for number, context in enumerate(contexts):
            for index, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{name}-{number}-{index}.png", full_page=True)
    for context in contexts:
        context.close()
    assert foreign == [], "pages asked for something outside the app"
    assert errors == [], "a page raised a script error or logged one to the console"


@pytest.fixture
def artifacts():
    """The folder CI lists after a failure, for screenshots worth keeping."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(open_page):
    """One page in a default context, at the home page."""
    return open_page("/")
