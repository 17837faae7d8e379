"""Renaming a slug never breaks a shared link: the old address answers 301 to the new one, in one hop."""

import pytest

from activities.models import Activity, Category
from activities.tests.forms import submit

pytestmark = pytest.mark.django_db


def rename(editor, row, slug):
    """Change the slug on the row's admin page, as an editor types it."""
    url = f"/admin/activities/{row._meta.model_name}/{row.pk}/change/"
    response = submit(editor, url, {"slug": slug}, form_id=f"{row._meta.model_name}_form", button="_save")
    assert response.status_code == 302


def test_an_activitys_old_links_follow_every_rename_in_one_hop(editor, client, catalog):
    sent = Activity.objects.get(slug="sent-email")
    rename(editor, sent, "email-sent")
    rename(editor, Activity.objects.get(pk=sent.pk), "email-handed-over")
    for old in ("/activities/sent-email/", "/activities/email-sent/"):
        response = client.get(old + "?from=newsletter")
        assert (response.status_code, response["Location"]) == (301, "/activities/email-handed-over/?from=newsletter")
    assert client.get("/activities/email-handed-over/").status_code == 200
    api = client.get("/api/activities/sent-email/")
    assert (api.status_code, api["Location"]) == (301, "/api/activities/email-handed-over/")
    assert client.get(api["Location"]).json()["name"] == "Sent email"
    assert client.get("/activities/never-was/").status_code == 404
    assert client.get("/api/activities/never-was/").status_code == 404


def test_a_categorys_old_links_follow_its_rename(editor, client, catalog):
    talk = Category.objects.get(slug="talk")
    rename(editor, talk, "conversations")
    response = client.get("/categories/talk/")
    assert (response.status_code, response["Location"]) == (301, "/categories/conversations/")
    api = client.get("/api/categories/talk/")
    assert (api.status_code, api["Location"]) == (301, "/api/categories/conversations/")
    assert client.get("/categories/conversations/").status_code == 200


def test_a_slug_in_use_is_never_another_rows_old_slug(editor, client, catalog):
    """Taking a slug that an activity had before makes it the new row's; renaming back takes it back."""
    sent = Activity.objects.get(slug="sent-email")
    rename(editor, sent, "email-sent")
    opened = Activity.objects.get(slug="opened-email")
    rename(editor, opened, "sent-email")
    assert client.get("/activities/sent-email/").context["activity"].name == "Opened email"
    assert client.get("/activities/opened-email/")["Location"] == "/activities/sent-email/"
    rename(editor, Activity.objects.get(pk=sent.pk), "sent-email-again")
    assert client.get("/activities/email-sent/")["Location"] == "/activities/sent-email-again/"
    assert client.get("/activities/sent-email/").context["activity"].name == "Opened email"


def test_a_new_row_may_take_an_old_slug_which_then_stops_redirecting(editor, client, catalog):
    sent = Activity.objects.get(slug="sent-email")
    rename(editor, sent, "email-sent")
    Activity.objects.create(
        name="Sent email (legacy)", slug="sent-email", category=sent.category, definition="Recorded when."
    )
    assert client.get("/activities/sent-email/").context["activity"].name == "Sent email (legacy)"
    Activity.objects.get(slug="sent-email").delete()
    assert client.get("/activities/sent-email/")["Location"] == "/activities/email-sent/"
