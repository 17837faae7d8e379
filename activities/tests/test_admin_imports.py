"""
The admin's import, driven through its rendered pages: the upload form, the preview and its hidden inputs.

An upload waits for its confirmation under a name the server chose, owned by whoever uploaded it; the
confirmation accepts nothing else. Files are bounded before they are parsed, and every refusal is a sentence
that names the row and the column.
"""

import io
import os
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from activities.models import Activity, Destination
from activities.tests.forms import post_form, read_form, submit, text_of

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/activities/activity/import/"
CONFIRM_URL = "/admin/activities/activity/process_import/"
# The format picker's options, in the order the page lists them.
FORMAT = {"csv": "0", "json": "1", "xlsx": "2"}
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


def upload(client, content, name="activities.csv", file_format=None, on_top=False):
    """Choose a file on the rendered import page (and a format, if given) and submit it: the preview page."""
    form = read_form(client.get(IMPORT_URL), action="")
    if file_format:
        form.set("format", FORMAT[file_format])
    if on_top:
        form.set("on_top", "on")
    data = form.data()
    data["import_file"] = SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())
    return client.post(IMPORT_URL, data)


def confirm_form(preview):
    return read_form(preview, action=CONFIRM_URL)


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


def preview_text(editor, csv_text):
    response = upload(editor, csv_text)
    assert response.status_code == 200
    return text_of(response.content.decode())


def test_duplicate_slugs_are_refused_with_both_rows(editor):
    """A slug on two rows of one file is refused, naming both rows; nothing is imported."""
    rows = NEW_ROW + NEW_ROW.replace("Joined webinar", "Left webinar")
    page = preview_text(editor, HEADER + rows)
    assert "2 slug Row 1 has this slug too (“joined-webinar”): a file may hold each slug only once." in page
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_missing_slug_column_is_a_sentence_without_a_traceback(editor):
    """A file without a slug column says so and names the columns it has; no traceback, no server path."""
    page = preview_text(editor, "name,definition\r\nJoined webinar,Recorded.\r\n")
    assert "The file has no “slug” column" in page
    assert "it names: “name”, “definition”" in page
    assert "Traceback" not in page and "site-packages" not in page and "FieldError" not in page


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "“abc” is not a whole number; write one such as 10."),
        ("1.5", "“1.5” is not a whole number; write one such as 10."),
        ("-3", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_bad_number_names_its_row_and_column_in_words(editor, cell, message):
    """A position that is not a whole number is refused with its row, its column and a sentence."""
    page = preview_text(editor, HEADER + NEW_ROW.replace(",90,", f",{cell},"))
    assert f"1 position {message}" in page
    assert "decimal" not in page and "ConversionSyntax" not in page and "InvalidOperation" not in page


def test_nul_bytes_are_refused(editor):
    """A NUL character in a cell is refused with its row and column; nothing is imported."""
    page = preview_text(editor, HEADER + NEW_ROW.replace("Recorded when", "Recorded\x00 when"))
    assert "1 definition This cell holds a NUL character" in page
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_preview_lists_only_changing_rows_without_version_noise(editor):
    """The preview lists the one row that changes, what changes in it, and neither `updated` nor `version`."""
    export = submit(editor, "/admin/activities/activity/export/", button="Submit")
    dataset = tablib.Dataset().load(export.content.decode("utf-8-sig"), format="csv")
    rows = [dict(row) for row in dataset.dict]
    next(row for row in rows if row["slug"] == "sent-email")["definition"] = "Recorded on sending."
    changed = tablib.Dataset(*(tuple(row.values()) for row in rows), headers=dataset.headers)
    preview = upload(editor, changed.export("csv"))
    html = preview.content.decode()
    assert html.count('class="import-type"') == 1
    assert "<ins>Recorded on sending</ins>" in html
    headers = read_headers(html)
    assert "updated" not in headers and "version" not in headers
    assert "68 rows unchanged, not listed" in text_of(html)


def read_headers(html):
    table = html[html.index('<table class="import-preview">') :]
    head = table[: table.index("</thead>")]
    return [cell.split(">", 1)[1].split("<", 1)[0] for cell in head.split("<th")[1:]]


def test_import_and_export_pickers_start_at_csv(editor):
    """Both format pickers offer CSV first, already chosen."""
    for page in ("import", "export"):
        form = read_form(editor.get(f"/admin/activities/activity/{page}/"), action="" if page == "import" else None)
        assert form.value("format") == FORMAT["csv"]


def test_destinations_column_sets_them_as_one_versioned_edit(editor):
    """A destinations column gives the activity exactly those destinations: one version more, one history entry."""
    sent = Activity.objects.get(slug="sent-email")
    entries_before = sent.history.count()
    header = "slug,destinations,version\r\n"
    preview = upload(editor, header + f"sent-email,salesforce webhook,{sent.version}\r\n")
    assert post_form(editor, confirm_form(preview)).status_code == 302
    sent_now = Activity.objects.get(slug="sent-email")
    assert sorted(sent_now.destinations.values_list("slug", flat=True)) == ["salesforce", "webhook"]
    assert sent_now.version == sent.version + 1
    entry = sent_now.history.first()
    assert entry.history_change_reason == "Import of activities.csv"
    assert sorted(entry.destinations.values_list("destination__slug", flat=True)) == ["salesforce", "webhook"]
    assert sent_now.history.count() == entries_before + 1


def test_destinations_column_accepts_commas_and_refuses_unknown_slugs(editor):
    """Comma-separated slugs work too; an unknown slug is refused, naming it and the known ones."""
    page = preview_text(editor, 'slug,destinations\r\nsent-email,"webhook, crm-x"\r\n')
    assert "There is no destination with the slug “crm-x”. Known: salesforce, webhook." in page
    preview = upload(editor, 'slug,destinations\r\nsent-email,"webhook,salesforce"\r\n')
    post_form(editor, confirm_form(preview))
    assert Activity.objects.get(slug="sent-email").destinations.count() == 2


def test_destinations_row_from_an_older_version_is_refused(editor):
    """A row exported before a destination change (which raised the version) is refused; the change stays."""
    sent = Activity.objects.get(slug="sent-email")
    exported_at = sent.version
    sent.save_with_destinations([Destination.objects.get(slug="webhook")])
    page = preview_text(editor, f"slug,destinations,version\r\nsent-email,salesforce,{exported_at}\r\n")
    assert "was changed after this file was exported" in page
    assert list(Activity.objects.get(slug="sent-email").destinations.values_list("slug", flat=True)) == ["webhook"]


def stale_export_of_sent_email(new_definition):
    """A file exported before someone added Webhook to Sent email, whose row rewrites the definition."""
    sent = Activity.objects.get(slug="sent-email")
    exported_at = sent.version
    sent.save_with_destinations([Destination.objects.get(slug="webhook")])
    return f"slug,definition,destinations,version\r\nsent-email,{new_definition},,{exported_at}\r\n"


def test_a_stale_row_is_refused_with_what_changed_since_and_how_to_apply_it_on_top(editor):
    page = preview_text(editor, stale_export_of_sent_email("Handed to the recipient's server."))
    assert "was changed after this file was exported" in page
    assert "Changed since: Synced to: none → Webhook." in page
    assert "This row changes definition." in page
    assert "tick “Apply my changes on top of newer versions”" in page
    assert "reload" not in page.lower() and "export again" not in page.lower()
    assert Activity.objects.get(slug="sent-email").definition != "Handed to the recipient's server."


def test_applied_on_top_a_stale_row_writes_only_its_own_changes(editor):
    """Ticked, the row's definition is applied and the destination added since stays: nothing silently undone."""
    content = stale_export_of_sent_email("Handed to the recipient's server.")
    preview = upload(editor, content, on_top=True)
    done = post_form(editor, confirm_form(preview), follow=True)
    assert "Import finished" in text_of(done.content.decode())
    sent = Activity.objects.get(slug="sent-email")
    assert sent.definition == "Handed to the recipient's server."
    assert list(sent.destinations.values_list("slug", flat=True)) == ["webhook"]
    assert sent.history.first().history_change_reason == "Import of activities.csv"


def test_a_stale_row_the_file_did_not_change_is_left_alone(editor):
    """Like an untouched inline row, a stale row that changes nothing never blocks the rest of the file."""
    original = Activity.objects.get(slug="sent-email").definition
    content = stale_export_of_sent_email(f'"{original}"')
    opened = Activity.objects.get(slug="opened-email")
    content += f"opened-email,Counted once per opening.,,{opened.version}\r\n"
    done = post_form(editor, confirm_form(upload(editor, content)), follow=True)
    assert "Import finished" in text_of(done.content.decode())
    assert Activity.objects.get(slug="opened-email").definition == "Counted once per opening."
    assert list(Activity.objects.get(slug="sent-email").destinations.values_list("slug", flat=True)) == ["webhook"]
