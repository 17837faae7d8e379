"""
Every admin page, the import preview, the browsable API and Swagger UI, in Chromium under the app's own CSP.

The header is the one the app sends (settings.SECURE_CSP): nothing here replaces it. A page that loses a
script or a style to the policy says so in the console, and so does one whose script fails or whose file is
missing; any console error fails the test.
"""

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory
from playwright.sync_api import expect

from activities.models import Activity, Category, Destination, Relation, Synonym

PASSWORD = "a-long-browser-test-password"
ONE_ROW_CHANGED = "slug,name,category,kind,position,definition\r\nsent-email,Sent email,email,system,1,Edited.\r\n"


@pytest.fixture
def editor_page(open_page, django_user_model, site):
    """A browser signed in as staff through the login form, collecting every console error and CSP refusal."""
    page_user = django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    Synonym.objects.get_or_create(term="text", defaults={"equivalents": "sms"})
    page = open_page("/admin/login/?next=/admin/")
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.user = page_user
    return page


def admin_pages(user):
    """Every registered model's changelist, its add page where the user may add, and its first row's change page."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        yield f"{info}/"
        if model_admin.has_add_permission(request):
            yield f"{info}/add/"
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield f"{info}/{first.pk}/change/"


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_load_state("load")
    assert page.console_errors == [], f"{path}: {page.console_errors}"


def test_every_admin_page_works_under_the_csp(editor_page):
    """Index, each model's changelist, add and change page, and the history pages raise no console error."""
    page = editor_page
    visit(page, "/admin/")
    for path in admin_pages(page.user):
        visit(page, path)
    for model in (Activity, Category):
        first = model.objects.order_by("pk").first()
        info = f"/admin/activities/{model._meta.model_name}/{first.pk}"
        visit(page, f"{info}/history/")
        version = first.history.order_by("history_id").first()
        visit(page, f"{info}/history/{version.history_id}/")
    assert Destination.objects.exists() and Relation.objects.exists()


def test_import_preview_and_export_work_under_the_csp(editor_page, tmp_path):
    """The import form, its preview (styled changes) and the export page (with a working "Select all")."""
    page = editor_page
    visit(page, "/admin/activities/activity/import/")
    upload = Path(tmp_path) / "activities.csv"
    upload.write_text(ONE_ROW_CHANGED, encoding="utf-8")
    page.get_by_label("File to import").set_input_files(upload)
    expect(page.get_by_label("Format")).to_have_value("0")
    page.locator("#content form").get_by_role("button", name="Submit").click()
    changed = page.locator("table.import-preview ins").first
    expect(changed).to_contain_text("Edited")
    # The stylesheet marks an addition: the CSP refused the inline style that did it before.
    assert changed.evaluate("node => getComputedStyle(node).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.console_errors == []

    visit(page, "/admin/activities/activity/export/")
    columns = page.locator(".selectable-field-export-row input[type=checkbox]")
    expect(columns.first).to_be_checked()
    page.get_by_label("Select all").uncheck()
    for box in columns.all():
        expect(box).not_to_be_checked()
    page.get_by_label("Select all").check()
    for box in columns.all():
        expect(box).to_be_checked()
    assert page.console_errors == []


@pytest.mark.parametrize("path", ["/api/categories/", "/api/activities/", "/api/activities/sent-email/", "/api/docs/"])
def test_api_pages_work_under_the_csp(editor_page, path):
    """The browsable API and Swagger UI keep their styles and scripts: Swagger UI draws the operations."""
    page = editor_page
    visit(page, path)
    if path == "/api/docs/":
        expect(page.locator(".opblock").first).to_be_visible()
    else:
        expect(page.locator(".response-info")).to_be_visible()
        assert page.locator("body").evaluate("node => getComputedStyle(node).fontFamily") != "Times New Roman"
    assert page.console_errors == []
