"""
The admin's import, driven through its rendered pages: the upload form, the preview and its hidden inputs.

An upload waits for its confirmation under a name the server chose, owned by whoever uploaded it; the
confirmation accepts nothing else. Files are bounded before they are parsed, and every refusal is a sentence
that names the row and the column.
"""

import io
import json
import os
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.test import Client

from activities.models import Activity
from activities.tests.forms import post_form, read_form, text_of
from activities.tests.uploads import FORMAT, IMPORT_URL, confirm_form, upload

pytestmark = pytest.mark.django_db

HEADER = "slug,name,category,kind,position,definition\r\n"
NEW_ROW = "joined-webinar,Joined webinar,general,custom,90,Recorded when a contact joins a webinar.\r\n"


@pytest.fixture
def preview_dir(settings, tmp_path):
    """Where previews wait, empty at the start of each test."""
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    return settings.IMPORT_PREVIEW_DIR


def signed_in(django_user_model, name):
    """A staff member's browser session, with CSRF checked as in production."""
    user = django_user_model.objects.create_superuser(name, f"{name}@example.com", None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def editor(django_user_model, catalog, preview_dir):
    return signed_in(django_user_model, "editor")


def stored(preview_dir):
    return sorted(path.name for path in preview_dir.iterdir()) if preview_dir.exists() else []


def test_confirmation_imports_the_previewed_upload_and_records_why(editor, preview_dir):
    """The upload waits under a server-chosen name until confirmed; then it is imported, named in history, removed."""
    preview = upload(editor, HEADER + NEW_ROW)
    form = confirm_form(preview)
    [name] = stored(preview_dir)
    assert form.value("import_file_name") == name
    assert len(name) == 32 and "activities" not in name
    done = post_form(editor, form, follow=True)
    assert "Import finished: 1 new" in text_of(done.content.decode())
    added = Activity.objects.get(slug="joined-webinar")
    assert added.history.first().history_change_reason == "Import of activities.csv"
    assert stored(preview_dir) == []


@pytest.mark.parametrize(
    "tampered",
    ["../../etc/passwd", "planted.csv", "0" * 32, "owned-by-nobody"],
    ids=["path", "other-file", "unknown-name", "not-a-name"],
)
def test_confirmation_of_any_other_file_is_refused_and_touches_nothing(editor, preview_dir, tampered):
    """A changed file name answers 400: the file is neither read nor deleted, and nothing is imported."""
    preview = upload(editor, HEADER + NEW_ROW)
    planted = preview_dir / ("0" * 32 if tampered == "0" * 32 else "planted.csv")
    planted_bytes = (HEADER + NEW_ROW.replace("joined-webinar", "planted")).encode()
    planted.write_bytes(planted_bytes)
    form = confirm_form(preview)
    form.set("import_file_name", tampered)
    refused = post_form(editor, form)
    assert refused.status_code == 400
    assert "Nothing was imported" in text_of(refused.content.decode())
    assert planted.read_bytes() == planted_bytes
    assert not Activity.objects.filter(slug__in=["joined-webinar", "planted"]).exists()


def test_another_editor_cannot_confirm_my_preview(editor, django_user_model, preview_dir):
    """The hidden inputs of one editor's preview, posted by another, answer 400; the owner can still confirm."""
    preview = upload(editor, HEADER + NEW_ROW)
    other = signed_in(django_user_model, "other")
    other.get(IMPORT_URL)  # a CSRF token of their own
    form = confirm_form(preview)
    form.set("csrfmiddlewaretoken", other.cookies["csrftoken"].value)
    assert post_form(other, form).status_code == 400
    assert not Activity.objects.filter(slug="joined-webinar").exists()
    assert post_form(editor, confirm_form(preview)).status_code == 302
    assert Activity.objects.filter(slug="joined-webinar").exists()


@pytest.mark.parametrize("tampered", ["2", "1", "7", "-1", "csv", ""])
def test_a_changed_format_is_refused(editor, preview_dir, tampered):
    """A format other than the one previewed answers 400, never 500; the upload stays for the real confirmation."""
    preview = upload(editor, HEADER + NEW_ROW)
    form = confirm_form(preview)
    form.set("format", tampered)
    assert post_form(editor, form).status_code == 400
    assert len(stored(preview_dir)) == 1
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_a_preview_whose_file_is_gone_is_refused(editor, preview_dir):
    """A confirmation after the upload was removed answers 400 with the way forward, not a 500."""
    preview = upload(editor, HEADER + NEW_ROW)
    for path in preview_dir.iterdir():
        path.unlink()
    refused = post_form(editor, confirm_form(preview))
    assert refused.status_code == 400
    assert "Upload the file again" in text_of(refused.content.decode())


def test_a_confirmation_is_accepted_once(editor, preview_dir):
    """Posting the same confirmation twice imports once; the second answers 400."""
    form = confirm_form(upload(editor, HEADER + NEW_ROW))
    assert post_form(editor, form).status_code == 302
    assert post_form(editor, form).status_code == 400
    assert Activity.objects.filter(slug="joined-webinar").count() == 1


def test_abandoned_previews_are_removed_after_an_hour(editor, preview_dir):
    """A preview not confirmed within the hour is removed at the next upload, and can no longer be confirmed."""
    abandoned = upload(editor, HEADER + NEW_ROW)
    [old] = stored(preview_dir)
    an_hour_ago = time.time() - 3601
    os.utime(preview_dir / old, (an_hour_ago, an_hour_ago))
    upload(editor, HEADER + NEW_ROW.replace("joined-webinar", "joined-webinar-2"))
    assert old not in stored(preview_dir) and len(stored(preview_dir)) == 1
    assert post_form(editor, confirm_form(abandoned)).status_code == 400


def test_a_refused_file_is_not_kept(editor, preview_dir):
    """A preview with errors has nothing to confirm, so its upload is removed at once."""
    upload(editor, HEADER + NEW_ROW.replace("general", "no-such-category"))
    assert stored(preview_dir) == []


def test_a_file_over_the_size_limit_is_refused_before_reading(editor, preview_dir, settings):
    """A file over IMPORT_MAX_FILE_SIZE is refused with both sizes, and not stored."""
    content = HEADER + NEW_ROW + "#" * (2_100_000 - len(HEADER + NEW_ROW))
    page = text_of(upload(editor, content).content.decode())
    assert "This file is 2.1 MB; an import takes files up to 2 MB." in page
    assert stored(preview_dir) == []


def test_a_csv_over_the_row_limit_is_refused(editor, preview_dir):
    """A CSV with more rows than IMPORT_MAX_ROWS is refused with the limit; nothing is previewed."""
    rows = "".join(NEW_ROW.replace("joined-webinar", f"row-{number}") for number in range(5001))
    page = text_of(upload(editor, HEADER + rows).content.decode())
    assert "This file has more than 5,000 rows; an import takes at most 5,000 rows." in page
    assert Activity.objects.count() == 69


def sheet_xml(rows, declared=None):
    """A worksheet of `rows` one-cell rows, declaring `declared` rows in its dimension (if given)."""
    dimension = f'<dimension ref="A1:A{declared}"/>' if declared else ""
    cells = "<row><c><v>1</v></c></row>" * rows
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{cells}</sheetData></worksheet>"
    )


def xlsx_with(sheet):
    """A real workbook (written by openpyxl) whose first sheet is replaced by this XML."""
    book = openpyxl.Workbook()
    book.active["A1"] = "slug"
    written = io.BytesIO()
    book.save(written)
    source, out = zipfile.ZipFile(io.BytesIO(written.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, data)
    return out.getvalue()


@pytest.mark.parametrize(("rows", "declared"), [(300_000, 300_000), (300_000, None)])
def test_a_spreadsheet_with_too_many_rows_is_refused_in_little_memory(editor, preview_dir, rows, declared):
    """
    A small XLSX holding 300,000 rows (with its size declared or not) is refused with the limit, without the
    rows ever being held in memory: it once took a worker to 360 MB.
    """
    content = xlsx_with(sheet_xml(rows, declared))
    assert len(content) < 2_000_000
    tracemalloc.start()
    try:
        page = text_of(upload(editor, content, name="activities.xlsx", file_format="xlsx").content.decode())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "rows; an import takes at most 5,000 rows." in page
    assert peak < 40_000_000, f"the refusal held {peak:,} bytes"


def test_wrong_encoding_is_refused_clearly(editor):
    """A Windows-1252 file is refused with advice to save it as UTF-8; nothing is written."""
    response = upload(editor, (HEADER + NEW_ROW.replace("a webinar", "the company’s webinar")).encode("cp1252"))
    assert response.status_code == 200
    assert "This file is not UTF-8 text" in text_of(response.content.decode())
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_ragged_json_is_refused_clearly(editor):
    """JSON rows with differing keys are refused with a message saying so; nothing is written."""
    rows = [{"slug": "joined-webinar", "name": "Joined webinar", "definition": "Recorded."}, {"slug": "other"}]
    response = upload(editor, json.dumps(rows), name="activities.json", file_format="json")
    assert "every row must have the same columns" in response.content.decode()
    assert Activity.objects.count() == 69


def test_import_and_export_pickers_start_at_csv(editor):
    """Both format pickers offer CSV first, already chosen."""
    for page in ("import", "export"):
        form = read_form(editor.get(f"/admin/activities/activity/{page}/"), action="" if page == "import" else None)
        assert form.value("format") == FORMAT["csv"]


def test_admin_import_and_export_pages_load(editor):
    """The admin's import and export pages open for both models and offer CSV, JSON and XLSX."""
    for model in ("activity", "category"):
        for page in ("import", "export"):
            response = editor.get(f"/admin/activities/{model}/{page}/")
            assert response.status_code == 200
            html = response.content.decode()
            assert all(name in html for name in ("csv", "json", "xlsx"))
