import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from activities.models import Activity, Catalog, Category
from activities.tests.helpers import count_queries, grow_catalog

pytestmark = pytest.mark.django_db


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_is_utf8_with_bom_and_keeps_curly_apostrophes(client, catalog):
    """The CSV starts with a UTF-8 byte-order mark and keeps ’ intact, so spreadsheet software opens it cleanly."""
    activity = Activity.objects.get(slug="sent-email")
    activity.definition = "Recorded when the contact’s email leaves — café included."
    activity.save()
    response = client.get("/activities.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="activities.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "contact’s email leaves — café".encode() in response.content
    rows = csv_rows(response)
    assert len(rows) == 69
    row = next(row for row in rows if row["slug"] == "sent-email")
    assert row["definition"] == "Recorded when the contact’s email leaves — café included."
    assert row["category"] == "email"
    assert row["kind"] == "system"


def test_json_export_is_utf8(client, catalog):
    """The JSON export is a list of the filtered activities, in UTF-8."""
    response = client.get("/activities.json", {"category": "sms"})
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="activities.json"'
    rows = json.loads(response.content.decode("utf-8"))
    assert {row["slug"] for row in rows} == set(Activity.objects.in_category("sms").values_list("slug", flat=True))


@pytest.mark.parametrize("query", ["q=sent+email", "category=email&category=sms&kind=system", "q=carrier", ""])
def test_exports_hold_the_html_lists_results(client, catalog, query):
    """Both exports hold exactly the activities the HTML list shows for the same parameters, in its order."""
    expected = [activity.slug for activity in client.get(f"/activities/?{query}").context["page"].paginator.object_list]
    assert [row["slug"] for row in csv_rows(client.get(f"/activities.csv?{query}"))] == expected
    assert [row["slug"] for row in json.loads(client.get(f"/activities.json?{query}").content)] == expected


@pytest.mark.parametrize("url", ["/activities.csv", "/activities.json"])
@pytest.mark.parametrize(
    ("query", "parameter"),
    [("category=no-such-category", "category"), ("kind=legendary", "kind"), ("q=" + "x" * 300, "q")],
)
def test_bad_parameters_answer_400_naming_them(client, catalog, url, query, parameter):
    """An invalid parameter gets a 400 that names it, never a 500 or a silently empty file."""
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert parameter in response.content.decode()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        # Exports hold every match, so a page number means nothing to them; unknown keys are ignored.
        ("page=abc", 200),
        ("unknown=1", 200),
        # Bytes that are not UTF-8 decode to nothing searchable: the whole list.
        ("q=%ff%fe", 200),
        ("q=%00null", 400),
        ("category=%00", 400),
    ],
)
def test_odd_parameters_never_error(client, catalog, query, status):
    """Odd parameters answer the file or a 400 that says why, never a 500."""
    for url in ("/activities.csv", "/activities.json"):
        assert client.get(f"{url}?{query}").status_code == status, url


def test_list_page_links_to_exports_with_its_query(client, catalog):
    """The list page offers both downloads, keeping the current filters."""
    html = client.get("/activities/?q=sent&category=email").content.decode()
    assert 'href="/activities.csv?q=sent&amp;category=email"' in html
    assert 'href="/activities.json?q=sent&amp;category=email"' in html
    plain = client.get("/activities/").content.decode()
    assert 'href="/activities.csv"' in plain


def test_export_query_count_is_constant(client, catalog):
    """The CSV export runs the same queries for 2,000 activities as for 69: categories come in the same query."""

    small = count_queries(client, "/activities.csv")
    grow_catalog()
    assert count_queries(client, "/activities.csv") == small


@pytest.mark.parametrize("suffix", [".yaml", ".xml"])
def test_dump_catalog_loads_back_identically(catalog, tmp_path, suffix):
    """dump_catalog writes a fixture that, loaded into an emptied database, restores every row and field."""
    email = Category.objects.get(slug="email")
    edited = Activity.objects.get(slug="sent-email")
    edited.definition = "Edited: the contact’s email left."
    edited.save()
    Category.objects.create(name="Webinars", slug="webinars", position=8)
    Activity.objects.create(
        name="Joined webinar", slug="joined-webinar", category=email, definition="Ours.", kind="custom"
    )

    def snapshot():
        return [list(model.objects.order_by("pk").values()) for model in (Catalog, Category, Activity)]

    before = snapshot()
    output = tmp_path / f"backup{suffix}"
    call_command("dump_catalog", output, verbosity=0)
    Activity.objects.all().delete()
    Category.objects.all().delete()
    Catalog.objects.all().delete()
    call_command("loaddata", output, verbosity=0)
    assert snapshot() == before
    # The sequences moved past the loaded keys, so the next addition works.
    Activity.objects.create(name="After restore", slug="after-restore", category=email, definition="New.")


def test_dump_catalog_refuses_a_lossy_format(catalog, tmp_path):
    """A .json name is refused with the reason, and nothing is written."""
    with pytest.raises(CommandError, match="milliseconds"):
        call_command("dump_catalog", tmp_path / "backup.json")
    assert not (tmp_path / "backup.json").exists()
