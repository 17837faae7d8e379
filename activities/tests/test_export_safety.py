"""
Exports, admin and public: no cell a spreadsheet would run, CSV that keeps ’, and one shape of data everywhere.

The admin's files are downloaded through its rendered export form and parsed as a spreadsheet would read them.
"""

import csv
import io
import json
from datetime import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from activities.models import Activity, Destination
from activities.tests.forms import post_form, read_form, submit, text_of

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/activities/activity/export/"
IMPORT_URL = "/admin/activities/activity/import/"
FORMAT = {"csv": "0", "json": "1", "xlsx": "2"}
FORMULAS = {
    "sent-email": '=HYPERLINK("http://evil.example/","click")',
    "sent-sms": "+1+1",
    "bounced-sms": "-2+3",
    "opened-email": "@SUM(A1)",
    "clicked-email": "\t=1+1",
    "delivered-sms": "\r=1+1",
}


@pytest.fixture
def editor(django_user_model, catalog):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def hostile(catalog):
    """Definitions that a spreadsheet would run as formulas if they reached it as they are."""
    for slug, definition in FORMULAS.items():
        Activity.objects.filter(slug=slug).update(definition=definition)
    sent = Activity.objects.get(slug="sent-email")
    sent.save_with_destinations(list(Destination.objects.all()))
    return FORMULAS


def admin_export(client, file_format):
    return submit(client, EXPORT_URL, {"format": FORMAT[file_format]}, button="Submit")


def test_admin_csv_guards_formulas_and_has_a_byte_order_mark(editor, hostile):
    """The admin's CSV starts with a BOM, keeps ’, and guards every formula start as the public CSV does."""
    Activity.objects.filter(slug="bounced-email").update(definition="Recorded when the recipient’s server refuses it.")
    response = admin_export(editor, "csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    for slug, definition in hostile.items():
        assert rows[slug]["definition"] == "'" + definition
    assert rows["bounced-email"]["definition"] == "Recorded when the recipient’s server refuses it."
    public = {
        row["slug"]: row
        for row in csv.DictReader(io.StringIO(editor.get("/activities.csv").content.decode("utf-8-sig")))
    }
    assert {slug: rows[slug]["definition"] for slug in hostile} == {
        slug: public[slug]["definition"] for slug in hostile
    }


def test_admin_xlsx_holds_text_never_formulas(editor, hostile):
    """Every cell of the admin's XLSX is a value; a formula-like definition is a guarded text cell."""
    response = admin_export(editor, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for slug, definition in hostile.items():
        cell = rows[slug]["definition"]
        # XML, which XLSX is made of, reads a carriage return as a line feed.
        assert (cell.data_type, cell.value) == ("s", "'" + definition.replace("\r", "\n"))
    assert rows["sent-email"]["destinations"].value == "salesforce webhook"


def test_admin_csv_export_imports_back_unchanged(editor, hostile):
    """Re-importing the admin's own CSV changes nothing: the guard comes off, every row is unchanged."""
    exported = admin_export(editor, "csv").content
    before = list(Activity.objects.order_by("pk").values())
    data = read_form(editor.get(IMPORT_URL), action="").data()
    data["import_file"] = SimpleUploadedFile("activities.csv", exported)
    preview = editor.post(IMPORT_URL, data)
    assert "0 new, 0 updated; 69 rows unchanged" in text_of(preview.content.decode())
    post_form(editor, read_form(preview, action="/admin/activities/activity/process_import/"))
    assert list(Activity.objects.order_by("pk").values()) == before


def test_public_json_uses_the_apis_types(client, hostile):
    """/activities.json: numbers as numbers, the time as the API writes it, destinations as a list of slugs."""
    rows = {row["slug"]: row for row in json.loads(client.get("/activities.json").content)}
    api = client.get("/api/activities/sent-email/").json()
    sent = rows["sent-email"]
    assert sent["position"] == api["position"] and isinstance(sent["position"], int)
    assert isinstance(sent["version"], int)
    assert sent["updated"] == api["updated"]
    assert datetime.fromisoformat(sent["updated"]).utcoffset() is not None
    assert sent["destinations"] == ["salesforce", "webhook"]
    assert rows["sent-sms"]["destinations"] == []
    assert sent["definition"] == hostile["sent-email"]


def test_public_csv_lists_destination_slugs(client, hostile):
    """The public CSV names destinations by slug, space-separated, as the admin's import reads them."""
    rows = {
        row["slug"]: row
        for row in csv.DictReader(io.StringIO(client.get("/activities.csv").content.decode("utf-8-sig")))
    }
    assert rows["sent-email"]["destinations"] == "salesforce webhook"
    assert rows["sent-sms"]["destinations"] == ""


def test_plan_json_uses_the_apis_types(client, hostile):
    """A destination's plan.json has the same row shape as /activities.json."""
    plan = json.loads(client.get("/destinations/webhook/plan.json").content)
    [row] = plan["activities"]
    assert row["destinations"] == ["salesforce", "webhook"]
    assert isinstance(row["position"], int)
    assert row["updated"] == client.get("/api/activities/sent-email/").json()["updated"]
