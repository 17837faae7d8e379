import pytest
from django.core.management import call_command

from activities.models import Activity, Category
from activities.tests.test_concurrent_edits import concurrent_save, editors, form_data  # noqa: F401

pytestmark = pytest.mark.django_db


def test_loaded_catalog_starts_with_one_history_entry_per_row(db):
    """load_catalog gives every category and activity an initial history entry."""
    call_command("load_catalog", verbosity=0)
    for model in (Category, Activity):
        assert model.history.count() == model.objects.count()
        assert set(model.history.values_list("history_type", "history_change_reason").distinct()) == {
            ("+", "Loaded from fixtures/catalog.json")
        }
    assert Activity.objects.get(slug="sent-email").history.count() == 1


def test_admin_edit_is_recorded_with_who_and_what(staff_client, catalog):
    """An admin edit adds a history entry naming the editor; the history page shows the old and new values."""
    activity = Activity.objects.get(slug="sent-email")
    old_definition = activity.definition
    url = f"/admin/activities/activity/{activity.pk}/change/"
    data = form_data(staff_client.get(url)) | {"definition": "Edited <b>definition</b>."}
    assert staff_client.post(url, data).status_code == 302
    latest = activity.history.first()
    assert latest.history_type == "~"
    assert latest.history_user.username == "editor"
    assert latest.definition == "Edited <b>definition</b>."

    html = staff_client.get(f"/admin/activities/activity/{activity.pk}/history/").content.decode()
    assert "definition" in html
    assert old_definition.replace("'", "&#x27;") in html
    assert "Edited &lt;b&gt;definition&lt;/b&gt;." in html
    assert "editor" in html


def test_revert_to_an_earlier_version(staff_client, catalog):
    """The admin reverts an activity to an earlier version from its history, recording the revert."""
    activity = Activity.objects.get(slug="sent-email")
    original = activity.definition
    url = f"/admin/activities/activity/{activity.pk}/change/"
    staff_client.post(url, form_data(staff_client.get(url)) | {"definition": "A mistake."})
    first = activity.history.earliest()
    revert_url = f"/admin/activities/activity/{activity.pk}/history/{first.history_id}/"
    page = staff_client.get(revert_url)
    assert page.status_code == 200
    data = form_data(page)
    assert data["definition"] == original
    assert staff_client.post(revert_url, data).status_code == 302
    assert Activity.objects.get(pk=activity.pk).definition == original
    assert activity.history.count() == 3


def test_category_history_is_recorded(staff_client, catalog):
    """Category edits are recorded in their own history too."""
    category = Category.objects.get(slug="talk")
    url = f"/admin/activities/category/{category.pk}/change/"
    staff_client.post(url, form_data(staff_client.get(url)) | {"description": "Chats."})
    assert category.history.first().description == "Chats."
    assert "Chats." in staff_client.get(f"/admin/activities/category/{category.pk}/history/").content.decode()


def test_public_page_shows_when_last_edited(client, staff_client, catalog):
    """The public detail page shows the time of the latest edit."""
    activity = Activity.objects.get(slug="sent-email")
    before = activity.updated
    url = f"/admin/activities/activity/{activity.pk}/change/"
    staff_client.post(url, form_data(staff_client.get(url)) | {"definition": "Edited now."})
    after = Activity.objects.get(pk=activity.pk).updated
    assert after > before
    html = client.get("/activities/sent-email/").content.decode()
    assert f'datetime="{after.isoformat()}"' in html or after.strftime("%-d %B %Y, %H:%M") in html


def selected(*slugs):
    return [str(pk) for pk in Activity.objects.filter(slug__in=slugs).values_list("pk", flat=True)]


def test_move_to_category_asks_then_moves_and_records(staff_client, catalog):
    """Moving selected activities shows a page to choose the category, then moves them, recorded in history."""
    ids = selected("sent-email", "sent-sms")
    page = staff_client.post("/admin/activities/activity/", {"action": "move_to_category", "_selected_action": ids})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Move activities to a category" in html
    assert "Sent email" in html and "Sent SMS" in html
    talk = Category.objects.get(slug="talk")
    done = staff_client.post(
        "/admin/activities/activity/",
        {"action": "move_to_category", "_selected_action": ids, "category": talk.pk, "apply": "Move"},
        follow=True,
    )
    assert "Moved to Talk: 2 activities." in done.content.decode()
    assert set(Activity.objects.in_category("talk").filter(pk__in=ids).values_list("slug", flat=True)) == {
        "sent-email",
        "sent-sms",
    }
    latest = Activity.objects.get(slug="sent-email").history.first()
    assert (latest.history_change_reason, latest.history_user.username, latest.category_id) == (
        "Moved to Talk",
        "editor",
        talk.pk,
    )


def test_set_kind_is_recorded(staff_client, catalog):
    """Setting the kind of selected activities saves each one, recorded in history."""
    ids = selected("sent-email", "opened-email")
    staff_client.post("/admin/activities/activity/", {"action": "set_kind_custom", "_selected_action": ids})
    assert set(Activity.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"custom"}
    assert Activity.objects.get(slug="opened-email").history.first().history_change_reason == "Kind set to custom"
    staff_client.post("/admin/activities/activity/", {"action": "set_kind_system", "_selected_action": ids})
    assert set(Activity.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"system"}


def test_bulk_action_racing_an_edit_changes_nothing(staff_client, catalog, concurrent_save):  # noqa: F811
    """When one selected activity is saved by someone else mid-action, the action changes none of them."""
    ids = selected("sent-email", "sent-sms", "opened-email")
    concurrent_save["sent-sms"] = 1
    response = staff_client.post(
        "/admin/activities/activity/", {"action": "set_kind_custom", "_selected_action": ids}, follow=True
    )
    assert "Nothing was changed" in response.content.decode()
    assert set(Activity.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"system"}
