import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from activities.models import Activity, Category
from activities.tests.forms import messages_of, post_form, read_form, submit
from activities.tests.helpers import run_action
from activities.tests.test_concurrent_edits import concurrent_save  # noqa: F401

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
    assert submit(staff_client, url, {"definition": "Edited <b>definition</b>."}, button="_save").status_code == 302
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
    assert submit(staff_client, url, {"definition": "A mistake."}, button="_save").status_code == 302
    first = activity.history.earliest()
    revert_url = f"/admin/activities/activity/{activity.pk}/history/{first.history_id}/"
    page = staff_client.get(revert_url)
    assert page.status_code == 200
    form = read_form(page, form_id="historicalactivity_form")
    assert form.value("definition") == original
    response = post_form(staff_client, form, "_save", follow=True)
    assert response.redirect_chain[0][1] == 302
    assert [strip_tags(message) for message in messages_of(response)] == [
        "The activity “Sent email” was changed successfully."
    ]
    assert Activity.objects.get(pk=activity.pk).definition == original
    assert original.replace("'", "&#x27;") in staff_client.get("/activities/sent-email/").content.decode()
    assert activity.history.count() == 3


def test_category_history_is_recorded(staff_client, catalog):
    """Category edits are recorded in their own history too."""
    category = Category.objects.get(slug="talk")
    url = f"/admin/activities/category/{category.pk}/change/"
    assert submit(staff_client, url, {"description": "Chats."}, button="_save").status_code == 302
    assert category.history.first().description == "Chats."
    assert "Chats." in staff_client.get(f"/admin/activities/category/{category.pk}/history/").content.decode()


def test_public_page_shows_when_last_edited(client, staff_client, catalog):
    """The public detail page shows the time of the latest edit."""
    activity = Activity.objects.get(slug="sent-email")
    before = activity.updated
    url = f"/admin/activities/activity/{activity.pk}/change/"
    assert submit(staff_client, url, {"definition": "Edited now."}, button="_save").status_code == 302
    after = Activity.objects.get(pk=activity.pk).updated
    assert after > before
    html = client.get("/activities/sent-email/").content.decode()
    assert f'datetime="{after.isoformat()}"' in html or after.strftime("%-d %B %Y, %H:%M") in html


def test_move_to_category_asks_then_moves_and_records(staff_client, catalog):
    """Moving selected activities shows a page to choose the category, then moves them, recorded in history."""
    page = run_action(staff_client, "move_to_category", ["sent-email", "sent-sms"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Move activities to a category" in html
    assert "Sent email" in html and "Sent SMS" in html
    talk = Category.objects.get(slug="talk")
    form = read_form(page)
    form.set("category", talk.pk)
    done = post_form(staff_client, form, "apply", follow=True)
    assert messages_of(done) == ["Moved to Talk: 2 activities."]
    assert set(
        Activity.objects.in_category("talk").filter(slug__in=["sent-email", "sent-sms"]).values_list("slug", flat=True)
    ) == {
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
    slugs = ["sent-email", "opened-email"]
    done = run_action(staff_client, "set_kind_custom", slugs)
    assert messages_of(done) == ["Kind set to custom: 2 activities."]
    assert set(Activity.objects.filter(slug__in=slugs).values_list("kind", flat=True)) == {"custom"}
    assert Activity.objects.get(slug="opened-email").history.first().history_change_reason == "Kind set to custom"
    run_action(staff_client, "set_kind_system", slugs)
    assert set(Activity.objects.filter(slug__in=slugs).values_list("kind", flat=True)) == {"system"}


def test_bulk_action_racing_an_edit_changes_nothing(staff_client, catalog, concurrent_save):  # noqa: F811
    """When one selected activity is saved by someone else mid-action, the action changes none of them."""
    slugs = ["sent-email", "sent-sms", "opened-email"]
    page = staff_client.get("/admin/activities/activity/")
    form = read_form(page, form_id="changelist-form")
    form.set("_selected_action", list(Activity.objects.filter(slug__in=slugs).values_list("pk", flat=True)))
    form.set("action", "set_kind_custom")
    concurrent_save["sent-sms"] = 1
    response = post_form(staff_client, form, "index", follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert set(Activity.objects.filter(slug__in=slugs).values_list("kind", flat=True)) == {"system"}
