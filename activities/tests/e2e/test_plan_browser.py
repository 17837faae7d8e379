import csv
import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PASSWORD = "a-long-browser-test-password"
CHOSEN = {"sent-email": "Sales follow sends", "opened-email": "Shows interest", "clicked-email": "Hot lead"}


def sign_in(page):
    page.goto("/admin/login/?next=/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_an_editor_decides_three_and_reads_them_back(open_page, django_user_model, settings):
    """Home → undecided for Salesforce → three decisions with reasons → progress → plan.csv → the API."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    page = open_page(None)
    sign_in(page)
    page.get_by_role("region", name="Decide what to sync").get_by_role("link", name="69 undecided").first.click()
    expect(page).to_have_url(re.compile(r"/sync-plan/\?undecided=salesforce$"))
    progress = page.locator("#plan-progress")
    expect(progress).to_contain_text("Salesforce: 0 sync · 0 don't · 69 undecided")
    names = {
        "sent-email": "Sent email",
        "opened-email": "Opened email",
        "clicked-email": "Clicked email",
    }
    for done, (slug, reason) in enumerate(CHOSEN.items(), start=1):
        cell = page.get_by_role("group", name=f"Salesforce for {names[slug]}").locator("xpath=ancestor::div[1]")
        cell.get_by_label("Sync", exact=True).check()
        cell.get_by_label("Reason").fill(reason)
        cell.get_by_role("button", name=re.compile("^Save")).press("Enter")
        expect(progress).to_contain_text(f"Salesforce: {done} sync · 0 don't · {69 - done} undecided")
    # The whole plan: the filtered page's link would leave out what was just decided.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync plan").click()
    expect(page).to_have_url(re.compile(r"/sync-plan/$"))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    chosen = {
        row["slug"]: row["reason"] for row in rows if row["destination"] == "salesforce" and row["decision"] == "sync"
    }
    assert chosen == CHOSEN
    api = page.request.get("/api/destinations/salesforce/").json()
    assert {item["activity"]: item["reason"] for item in api["decisions"] if item["decision"] == "sync"} == CHOSEN
    assert api["sync"] == 3


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_the_plan_passes_axe(open_page, django_user_model, settings, scheme, width):
    """The plan, the index pages and the home page have no axe violations, for visitors and staff, in each theme."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    viewport = {"width": width, "height": 800}
    visitor = open_page(None, color_scheme=scheme, viewport=viewport)
    editor = open_page(None, color_scheme=scheme, viewport=viewport)
    sign_in(editor)
    for page in (visitor, editor):
        for path in ("/", "/sync-plan/?category=email", "/categories/", "/destinations/", "/destinations/webhook/"):
            page.goto(path)
            results = Axe().run(page)
            assert results.violations_count == 0, (path, results.generate_report())
