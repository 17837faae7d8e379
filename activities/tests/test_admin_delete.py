"""Deleting through the admin: each model's confirmation page, the PROTECT refusal, and "Delete selected"."""

import pytest
from django.utils.html import strip_tags

from activities.models import Activity, Category, Destination, Relation, Synonym
from activities.tests.forms import messages_of, post_form, read_form, text_of
from activities.tests.helpers import run_action

pytestmark = pytest.mark.django_db


def confirm_delete(client, obj):
    """Open the row's delete page, check it asks, and click "Yes, I’m sure"."""
    opts = obj._meta
    page = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/delete/")
    assert page.status_code == 200
    assert "Are you sure you want to delete" in text_of(page.content.decode())
    return post_form(client, read_form(page), "Yes, I’m sure", follow=True)


def messages(response):
    return [strip_tags(message) for message in messages_of(response)]


def events_category():
    return Category.objects.create(name="Events", slug="events", position=8, description="Webinars and meetups.")


@pytest.mark.parametrize(
    ("model", "pick", "public_url", "message"),
    [
        (Activity, {"slug": "sent-email"}, "/activities/sent-email/", "The activity “Sent email” was deleted"),
        (Category, None, "/categories/events/", "The category “Events” was deleted"),
        (Destination, {"slug": "webhook"}, "/destinations/webhook/", "The destination “Webhook” was deleted"),
        (Synonym, {"term": "spam"}, None, "The synonym “spam ↔ "),
    ],
    ids=["activity", "category", "destination", "synonym"],
)
def test_delete_confirmation_removes_the_row(staff_client, client, catalog, model, pick, public_url, message):
    """Each model's delete page asks first; confirming redirects to its list, says so, and the row is gone."""
    obj = model.objects.get(**pick) if pick else events_category()
    if public_url:
        assert client.get(public_url).status_code == 200
    done = confirm_delete(staff_client, obj)
    assert done.redirect_chain == [(f"/admin/activities/{model._meta.model_name}/", 302)]
    assert any(text.startswith(message) and "was deleted successfully" in text for text in messages(done))
    assert not model.objects.filter(pk=obj.pk).exists()
    if public_url:
        assert client.get(public_url).status_code == 404


def test_deleting_a_relation_takes_it_off_both_activities_pages(staff_client, client, catalog):
    """A relation deleted in the admin no longer shows on either activity's public page."""
    relation = Relation.objects.get(from_activity__slug="bounced-email", kind="other_channel")
    shown = '<dt>Same event on another channel</dt><dd><a href="/activities/{}/">'
    assert shown.format("bounced-sms") in client.get("/activities/bounced-email/").content.decode()
    assert shown.format("bounced-email") in client.get("/activities/bounced-sms/").content.decode()
    done = confirm_delete(staff_client, relation)
    assert done.redirect_chain == [("/admin/activities/relation/", 302)]
    assert not Relation.objects.filter(pk=relation.pk).exists()
    assert shown.format("bounced-sms") not in client.get("/activities/bounced-email/").content.decode()
    assert shown.format("bounced-email") not in client.get("/activities/bounced-sms/").content.decode()


def test_a_category_with_activities_cannot_be_deleted(staff_client, client, catalog):
    """The delete page of a category that holds activities says why it cannot go, and offers no button."""
    email = Category.objects.get(slug="email")
    page = staff_client.get(f"/admin/activities/category/{email.pk}/delete/")
    assert page.status_code == 200
    shown = text_of(page.content.decode())
    assert "would require deleting the following protected related objects" in shown
    assert "Sent email" in shown
    assert "Yes, I’m sure" not in shown
    assert Category.objects.filter(slug="email").exists()
    assert client.get("/categories/email/").status_code == 200


def test_delete_selected_asks_then_deletes_only_the_ticked_rows(staff_client, client, catalog):
    """ "Delete selected" lists the ticked activities, and confirming deletes those two and nothing else."""
    page = run_action(staff_client, "delete_selected", ["sent-email", "opened-email"])
    shown = text_of(page.content.decode())
    assert "Are you sure you want to delete the selected activities?" in shown
    assert "Sent email" in shown and "Opened email" in shown
    assert Activity.objects.count() == 69
    done = post_form(staff_client, read_form(page), "Yes, I’m sure", follow=True)
    assert messages(done) == ["Successfully deleted 2 activities."]
    assert Activity.objects.count() == 67
    assert not Activity.objects.filter(slug__in=["sent-email", "opened-email"]).exists()
    assert client.get("/activities/opened-email/").status_code == 404
    assert "Clicked email" in client.get("/categories/email/").content.decode()


def test_delete_selected_on_categories_refuses_one_in_use(staff_client, catalog):
    """Deleting selected categories that hold activities is refused with the reason; nothing is deleted."""
    events_category()
    page = staff_client.get("/admin/activities/category/")
    form = read_form(page, form_id="changelist-form")
    form.set(
        "_selected_action", list(Category.objects.filter(slug__in=["events", "talk"]).values_list("pk", flat=True))
    )
    form.set("action", "delete_selected")
    answer = post_form(staff_client, form, "index", follow=True)
    assert "would require deleting the following protected related objects" in text_of(answer.content.decode())
    assert Category.objects.filter(slug__in=["events", "talk"]).count() == 2
