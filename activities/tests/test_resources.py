"""
Rows of a file in and out of the catalog (activities/resources.py), through the admin's rendered import pages:
what the preview shows, what the confirmation writes (each changed row once, with its history entry), and
which rows are refused: cells, names and slugs taken, rows exported before a newer save.
"""

import csv
import io
import json

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, Category, Destination
from activities.resources import ActivityResource
from activities.tests.forms import submit, text_of
from activities.tests.uploads import confirm, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

# A new activity, as a row of a file and as a line of a CSV file under HEADER.
NEW_ROW = {
    "slug": "joined-webinar",
    "name": "Joined webinar",
    "category": "general",
    "kind": "custom",
    "position": "90",
    "definition": "Recorded when a contact joins one of the company’s webinars.",
}
HEADER = "slug,name,category,kind,position,definition\r\n"
NEW_LINE = "joined-webinar,Joined webinar,general,custom,90,Recorded when a contact joins a webinar.\r\n"


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
    response = upload(staff_client, as_file(rows, file_format), f"activities.{file_format}", file_format)
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
    response = upload(staff_client, as_csv(rows))
    result = response.context["result"]
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 71
    assert set(invalid.error_dict) == {"category", "kind"}
    html = response.content.decode()
    assert "There is no category with the slug “no-such-category”." in html
    assert "confirm_form" not in response.context
    assert snapshot() == before


def test_missing_key_column_is_refused(staff_client, catalog):
    """A file without the slug column says so; nothing is written."""
    rows = [{key: value for key, value in NEW_ROW.items() if key != "slug"}]
    response = upload(staff_client, as_csv(rows))
    html = response.content.decode()
    assert "slug" in html
    assert "confirm_form" not in response.context
    assert Activity.objects.count() == 69


def test_missing_required_column_is_a_row_error(staff_client, catalog):
    """New rows without a definition column are refused row by row; nothing is written."""
    rows = [{key: value for key, value in NEW_ROW.items() if key != "definition"}]
    response = upload(staff_client, as_csv(rows))
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
    response = upload(staff_client, as_csv(rows))
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
    response = upload(staff_client, as_csv(rows))
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
    response = upload(staff_client, as_csv(rows))
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
    response = upload(staff_client, as_csv(rows), name="categories.csv", url="/admin/activities/category/import/")
    assert response.context["result"].totals["new"] == 1
    assert "Import finished" in confirm(staff_client, response).content.decode()
    assert Category.objects.get(slug="webinars").description == "Online events."


def test_unchanged_export_imports_as_all_skipped(staff_client, catalog):
    """Importing an export as it is changes nothing: every row is skipped and no history is added."""
    history_before = Activity.history.count()
    response = upload(staff_client, as_csv(exported_rows()))
    assert response.context["result"].totals["skip"] == 69
    confirm(staff_client, response)
    assert Activity.history.count() == history_before
    assert set(Activity.objects.values_list("version", flat=True)) == {1}


def preview_text(editor, csv_text):
    response = upload(editor, csv_text)
    assert response.status_code == 200
    return text_of(response.content.decode())


def test_duplicate_slugs_are_refused_with_both_rows(editor):
    """A slug on two rows of one file is refused, naming both rows; nothing is imported."""
    rows = NEW_LINE + NEW_LINE.replace("Joined webinar", "Left webinar")
    page = preview_text(editor, HEADER + rows)
    assert "2 slug Row 1 has this slug too (“joined-webinar”): a file may hold each slug only once." in page
    assert not Activity.objects.filter(slug="joined-webinar").exists()


def test_missing_slug_column_is_a_sentence_without_a_traceback(editor):
    """A file without a slug column says so and names the columns it has; no traceback, no server path."""
    page = preview_text(editor, "name,definition\r\nJoined webinar,Recorded.\r\n")
    assert "The file has no “slug” column" in page
    assert "it names: “name”, “definition”" in page
    assert "Traceback" not in page and "site-packages" not in page and "FieldError" not in page


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


def test_destinations_column_sets_them_as_one_versioned_edit(editor):
    """A destinations column gives the activity exactly those destinations: one version more, one history entry."""
    sent = Activity.objects.get(slug="sent-email")
    entries_before = sent.history.count()
    header = "slug,destinations,version\r\n"
    preview = upload(editor, header + f"sent-email,salesforce webhook,{sent.version}\r\n")
    assert confirm(editor, preview, follow=False).status_code == 302
    sent_now = Activity.objects.get(slug="sent-email")
    assert sorted(sent_now.destinations.values_list("slug", flat=True)) == ["salesforce", "webhook"]
    assert sent_now.version == sent.version + 1
    entry = sent_now.history.first()
    assert entry.history_change_reason == "Import of activities.csv"
    assert sorted(entry.destinations.values_list("destination__slug", flat=True)) == ["salesforce", "webhook"]
    assert sent_now.history.count() == entries_before + 1


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
    done = confirm(editor, preview)
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
    done = confirm(editor, upload(editor, content))
    assert "Import finished" in text_of(done.content.decode())
    assert Activity.objects.get(slug="opened-email").definition == "Counted once per opening."
    assert list(Activity.objects.get(slug="sent-email").destinations.values_list("slug", flat=True)) == ["webhook"]


def grown_file(count, prefix):
    """
    A file that edits the first `count` activities of the export (their definitions, and Webhook as their only
    destination) and adds `count` new ones that sync to Salesforce; the other rows are left as exported.
    """
    rows = exported_rows()
    for row in rows[:count]:
        row |= {"definition": f"{row['definition']} ({prefix})", "destinations": "webhook"}
    new = [
        NEW_ROW | {"slug": f"{prefix}-{n}", "name": f"{prefix} {n}", "destinations": "salesforce"} for n in range(count)
    ]
    return as_csv(rows + [{header: row.get(header, "") for header in rows[0]} for row in new])


def queries_to_import(client, content):
    """The queries the preview and the confirmation of this file take, as the editor clicks through them."""
    with CaptureQueriesContext(connection) as previewing:
        preview = upload(client, content)
    with CaptureQueriesContext(connection) as confirming:
        assert confirm(client, preview, follow=False).status_code == 302
    return len(previewing), len(confirming)


def test_an_import_takes_the_same_queries_for_2_rows_as_for_20(staff_client):
    """
    The preview checks every row against one read of the catalog, and the confirmation writes the rows that change
    in bulk (rows, history entries, destinations), so neither takes a query more per row, as both once took
    several.
    """
    # A first import fills what a running server keeps from its first one (the admin log's content type...).
    queries_to_import(staff_client, grown_file(1, "first"))
    # On PostgreSQL, import-export also moves the id sequence past the new rows: one query more.
    expected = (21, {"sqlite": 35, "postgresql": 36}[connection.vendor])
    assert queries_to_import(staff_client, grown_file(2, "few")) == expected
    assert queries_to_import(staff_client, grown_file(20, "many")) == expected
    written = [
        *Activity.objects.filter(definition__endswith="(many)"),
        *Activity.objects.filter(slug__startswith="many-"),
    ]
    assert len(written) == 40
    for activity in written:
        [entry] = activity.history.filter(
            history_change_reason="Import of activities.csv", row_version=activity.version
        )
        assert list(entry.destinations.values_list("destination__slug", flat=True)) == list(
            activity.destinations.values_list("slug", flat=True)
        )
    # Edited by one, two or all three files.
    assert sorted(activity.version for activity in written[:20]) == [2] * 18 + [3, 4]
    assert {activity.version for activity in written[20:]} == {1}
    assert Destination.objects.get(slug="webhook").activities.filter(definition__endswith="(many)").count() == 20


def test_unchanged_rows_are_not_written(staff_client):
    """Rows the file leaves as they are keep their version, their "Last updated" and their history."""
    untouched = {activity.slug: activity.updated for activity in Activity.objects.all()[2:]}
    history_before = Activity.history.count()
    confirm(staff_client, upload(staff_client, grown_file(2, "few")))
    assert {a.slug: a.updated for a in Activity.objects.filter(slug__in=untouched)} == untouched
    assert set(Activity.objects.filter(slug__in=untouched).values_list("version", flat=True)) == {1}
    assert Activity.history.count() == history_before + 4


def test_destinations_taken_off_by_a_file_leave_history_with_both_states(staff_client):
    """A row that drops a destination removes it, and history keeps the entry before with both and after with one."""
    sent = Activity.objects.get(slug="sent-email")
    sent.save_with_destinations(list(Destination.objects.all()))
    content = f"slug,destinations,version\r\nsent-email,salesforce,{sent.version}\r\n"
    assert "Import finished" in text_of(confirm(staff_client, upload(staff_client, content)).content.decode())
    assert list(sent.destinations.values_list("slug", flat=True)) == ["salesforce"]
    after, before = sent.history.all()[:2]
    assert list(after.destinations.values_list("destination__slug", flat=True)) == ["salesforce"]
    assert sorted(before.destinations.values_list("destination__slug", flat=True)) == ["salesforce", "webhook"]
