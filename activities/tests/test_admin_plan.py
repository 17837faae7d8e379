import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.decisions import Decision
from activities.models import Activity, Destination
from activities.tests.forms import post_form, read_form

pytestmark = pytest.mark.django_db

IMPORT = "/admin/activities/decision/import/"


def edited_plan(client, changes):
    """plan.csv as downloaded, with `changes` ({(slug, destination): (decision, reason)}) made in a spreadsheet."""
    lines = client.get("/plan.csv", {"category": "email"}).content.decode("utf-8-sig").splitlines()
    edited = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        key = (cells[0], cells[3])
        if key in changes:
            cells[4], cells[5] = changes[key]
        edited.append(",".join(cells))
    return ("\n".join(edited) + "\n").encode()


def upload(client, content, name="plan.csv"):
    """Choose the file on the rendered import page and click Import."""
    form = read_form(client.get(IMPORT), form_id="plan_import_form")
    form.attach("plan_file", SimpleUploadedFile(name, content))
    return post_form(client, form, follow=True)


def test_an_edited_plan_file_is_imported_whole(staff_client, catalog):
    """The changed rows become decisions (versioned edits, in history); unchanged rows are left alone."""
    content = edited_plan(
        staff_client, {("sent-email", "salesforce"): ("sync", "Sales"), ("opened-email", "webhook"): ("dont", "Noise")}
    )
    page = upload(staff_client, content)
    assert "Imported the plan file: 2 decisions changed." in page.content.decode()
    assert list(Activity.objects.synced_to(["salesforce"]).values_list("slug", flat=True)) == ["sent-email"]
    assert Decision.objects.get(activity__slug="opened-email").reason == "Noise"
    entry = Activity.objects.get(slug="sent-email").history.first()
    assert entry.history_change_reason == "Plan file imported: Salesforce: Sync (Sales)"
    assert Decision.objects.count() == 2


def test_a_stale_row_refuses_the_whole_file(staff_client, catalog):
    """A row whose decision changed after the download refuses the file; no row of it is saved."""
    content = edited_plan(
        staff_client, {("sent-email", "salesforce"): ("sync", ""), ("opened-email", "webhook"): ("dont", "")}
    )
    # Someone decides "don't sync" for Opened email and Webhook after the download: that row is stale.
    opened = Activity.objects.get(slug="opened-email")
    Decision.objects.create(activity=opened, destination=Destination.objects.get(slug="webhook"), decision="dont")
    page = upload(staff_client, content).content.decode()
    assert "was changed after this file was exported" in page and "Nothing was imported." in page
    assert not Activity.objects.synced_to(["salesforce"]).exists()


def test_a_bad_row_is_named(staff_client, catalog):
    """An unknown slug or decision is named by its row, and nothing is imported."""
    content = b"slug,destination,decision,reason,version\nsent-email,salesforce,maybe,,0\nno-such,webhook,sync,,0\n"
    page = upload(staff_client, content).content.decode()
    assert "Row 2: “maybe” is not a decision" in page
    assert "Row 3: no activity “no-such”." in page
    assert not Decision.objects.exists()


def test_the_decisions_list_links_to_the_import(staff_client, catalog):
    """The decisions' admin list offers the import and reads decisions only."""
    page = staff_client.get("/admin/activities/decision/").content.decode()
    assert f'href="{IMPORT}">Import a plan file' in page
