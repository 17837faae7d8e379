import csv
import io
import json

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import Activity, Category
from activities.resources import ActivityResource
from activities.tests.forms import post_form, read_form, submit, text_of

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/activities/activity/import/"
FORMATS = {"csv": "0", "json": "1", "xlsx": "2"}
NEW_ROW = {
    "slug": "joined-webinar",
    "name": "Joined webinar",
    "category": "general",
    "kind": "custom",
    "position": "90",
    "definition": "Recorded when a contact joins one of the company’s webinars.",
}


def exported_rows():
    """Every activity as the admin export writes it: the starting point of a marketing-ops edit."""
    return [dict(row) for row in ActivityResource().export().dict]


def as_csv(rows, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def as_file(rows, file_format):
    rows = [{header: row.get(header, "") for header in rows[0]} for row in rows]
    if file_format == "csv":
        return as_csv(rows)
    if file_format == "json":
        return json.dumps(rows, default=str).encode()
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append([row.get(header) for header in dataset.headers])
    return dataset.export("xlsx")


def preview(client, content, file_format="csv", name=None, url=IMPORT_URL):
    """Choose the file and its format on the import page and click Submit."""
    form = read_form(client.get(url))
    form.set("format", FORMATS[file_format])
    form.attach("import_file", SimpleUploadedFile(name or f"activities.{file_format}", content))
    return post_form(client, form, "Submit")


def confirm(client, preview_response):
    """Click "Confirm import" under the preview, sending the form's hidden inputs as rendered."""
    form = read_form(
        preview_response, action=preview_response.wsgi_request.path.replace("/import/", "/process_import/")
    )
    return post_form(client, form, "Confirm import", follow=True)


def edit_definition(client, slug, definition):
    url = f"/admin/activities/activity/{Activity.objects.get(slug=slug).pk}/change/"
    assert submit(client, url, {"definition": definition}, button="_save").status_code == 302


def snapshot():
    return list(Activity.objects.order_by("pk").values())


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_good_file_previews_then_imports(staff_client, catalog, file_format):
    """A good file previews one new, one updated and the rest unchanged; confirming writes them, with history."""
    rows = exported_rows()
    for row in rows:
        if row["slug"] == "sent-email":
            row["definition"] = "Recorded when the email leaves for the recipient’s server."
    rows.append(NEW_ROW)
    before = snapshot()
    response = preview(staff_client, as_file(rows, file_format), file_format)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (1, 1, 69 - 1)
    html = response.content.decode()
    # The preview marks each row New, Update or Skipped and shows what changes inside it.
    assert "Joined webinar</ins>" in html
    assert "Recorded when the email leaves for the</ins>" in html
    # Only the rows that change are listed; the unchanged ones are counted.
    assert html.count('class="import-type"') == 2
    assert "68 rows unchanged, not listed" in html
    assert snapshot() == before, "the preview writes nothing"

    done = confirm(staff_client, response)
    assert done.status_code == 200
    assert "Import finished" in done.content.decode()
    assert Activity.objects.get(slug="sent-email").definition.endswith("recipient’s server.")
    added = Activity.objects.get(slug="joined-webinar")
    assert (added.kind, added.category.slug) == ("custom", "general")
    assert added.history.first().history_user.username == "editor"
    assert Activity.objects.count() == 70


def test_one_bad_row_writes_nothing(staff_client, catalog):
    """One invalid row is reported with its row number and field, there is nothing to confirm, nothing is written."""
    rows = exported_rows()
    rows[0]["definition"] = "A good edit that must not land alone."
    rows.append(NEW_ROW)
    rows.append(NEW_ROW | {"slug": "bad-row", "name": "Bad row", "category": "no-such-category", "kind": "legendary"})
    before = snapshot()
    response = preview(staff_client, as_csv(rows))
    result = response.context["result"]
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 71
    assert set(invalid.error_dict) == {"category", "kind"}
    html = response.content.decode()
    assert "There is no category with the slug “no-such-category”." in html
    assert "confirm_form" not in response.context
    assert snapshot() == before


def test_wrong_encoding_is_refused_clearly(staff_client, catalog):
    """A Windows-1252 file is refused with advice to save it as UTF-8; nothing is written."""
    rows = [NEW_ROW]
    response = preview(staff_client, as_csv(rows, encoding="cp1252"))
    assert response.status_code == 200
    assert "This file is not UTF-8 text" in response.content.decode()
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_ragged_json_is_refused_clearly(staff_client, catalog):
    """JSON rows with differing keys are refused with a message saying so; nothing is written."""
    rows = [NEW_ROW, {"slug": "other", "name": "Other"}]
    response = preview(staff_client, json.dumps(rows).encode(), "json")
    assert "every row must have the same columns" in response.content.decode()
    assert Activity.objects.count() == 69


def test_missing_key_column_is_refused(staff_client, catalog):
    """A file without the slug column says so; nothing is written."""
    rows = [{key: value for key, value in NEW_ROW.items() if key != "slug"}]
    response = preview(staff_client, as_csv(rows))
    html = response.content.decode()
    assert "slug" in html
    assert "confirm_form" not in response.context
    assert Activity.objects.count() == 69


def test_missing_required_column_is_a_row_error(staff_client, catalog):
    """New rows without a definition column are refused row by row; nothing is written."""
    rows = [{key: value for key, value in NEW_ROW.items() if key != "definition"}]
    response = preview(staff_client, as_csv(rows))
    result = response.context["result"]
    assert "definition" in result.invalid_rows[0].error_dict
    assert Activity.objects.count() == 69


@pytest.mark.parametrize(
    ("rows", "refusal"),
    [
        ([NEW_ROW | {"name": "SENT email"}], "already exists"),
        (
            [NEW_ROW, NEW_ROW | {"slug": "joined-webinar-2", "name": "joined WEBINAR"}],
            "Row 1 has this name too (“joined WEBINAR”): a file may hold each name only once.",
        ),
    ],
    ids=["clashes-with-catalog", "twice-in-file"],
)
def test_duplicate_name_is_a_row_error(staff_client, catalog, rows, refusal):
    """A name already taken, in the catalog or earlier in the file (ignoring case), is refused; nothing is written."""
    response = preview(staff_client, as_csv(rows))
    result = response.context["result"]
    assert result.has_validation_errors()
    assert refusal in text_of(response.content.decode())
    assert Activity.objects.count() == 69


def test_row_exported_before_a_newer_edit_is_refused(staff_client, catalog):
    """A row carrying an older version than the activity's current one is refused, not written over it."""
    rows = exported_rows()
    edit_definition(staff_client, "sent-email", "Edited after the export.")
    for row in rows:
        if row["slug"] == "sent-email":
            row["definition"] = "From the old export."
    response = preview(staff_client, as_csv(rows))
    [invalid] = response.context["result"].invalid_rows
    assert "changed after this file was exported" in str(invalid.error_dict["version"])
    assert Activity.objects.get(slug="sent-email").definition == "Edited after the export."


def test_edit_between_preview_and_confirm_rolls_everything_back(staff_client, catalog):
    """When a previewed row goes stale before the import is confirmed, the whole import is refused."""
    rows = exported_rows()
    for row in rows:
        if row["slug"] in {"sent-email", "sent-sms"}:
            row["definition"] = f"Imported {row['slug']}."
    rows.append(NEW_ROW)
    response = preview(staff_client, as_csv(rows))
    assert "confirm_form" in response.context
    edit_definition(staff_client, "sent-sms", "Edited during the preview.")
    done = confirm(staff_client, response)
    assert "Nothing was imported" in done.content.decode()
    assert Activity.objects.get(slug="sent-sms").definition == "Edited during the preview."
    assert Activity.objects.get(slug="sent-email").definition != "Imported sent-email."
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_categories_import_by_slug(staff_client, catalog):
    """New categories can be imported too, keyed by slug."""
    rows = [{"slug": "webinars", "name": "Webinars", "description": "Online events.", "position": "8"}]
    response = preview(staff_client, as_csv(rows), name="categories.csv", url="/admin/activities/category/import/")
    assert response.context["result"].totals["new"] == 1
    assert "Import finished" in confirm(staff_client, response).content.decode()
    assert Category.objects.get(slug="webinars").description == "Online events."


def test_unchanged_export_imports_as_all_skipped(staff_client, catalog):
    """Importing an export as it is changes nothing: every row is skipped and no history is added."""
    history_before = Activity.history.count()
    response = preview(staff_client, as_csv(exported_rows()))
    assert response.context["result"].totals["skip"] == 69
    confirm(staff_client, response)
    assert Activity.history.count() == history_before
    assert set(Activity.objects.values_list("version", flat=True)) == {1}


def test_admin_import_and_export_pages_load(staff_client, catalog):
    """The admin's import and export pages open for both models and offer CSV, JSON and XLSX."""
    for model in ("activity", "category"):
        for page in ("import", "export"):
            response = staff_client.get(f"/admin/activities/{model}/{page}/")
            assert response.status_code == 200
            html = response.content.decode()
            assert all(name in html for name in ("csv", "json", "xlsx"))
