"""Reverting from history restores the whole version, destinations included, as an edit of its own."""

import pytest
from django.test import Client

from activities.models import Activity, Category, Destination
from activities.tests.forms import post_form, read_form, submit, text_of

pytestmark = pytest.mark.django_db


def revert_url(row, entry):
    return f"/admin/activities/{row._meta.model_name}/{row.pk}/history/{entry.history_id}/"


def test_revert_restores_text_and_destinations_and_shows_what_changes_first(editor, client, catalog):
    sent = Activity.objects.get(slug="sent-email")
    sent.save_with_destinations(Destination.objects.filter(slug="webhook"))
    good = sent.history.first()
    change = f"/admin/activities/activity/{sent.pk}/change/"
    salesforce = str(Destination.objects.get(slug="salesforce").pk)
    submit(
        editor,
        change,
        {"definition": "A mistake.", "destinations": [salesforce]},
        form_id="activity_form",
        button="_save",
    )

    page = editor.get(revert_url(sent, good))
    shown = text_of(page.content.decode())
    assert "What reverting to the version of" in shown
    assert "Definition A mistake. " + good.definition in shown
    assert "Synced to Salesforce Webhook" in shown
    form = read_form(page, form_id="historicalactivity_form")
    assert form.value("definition") == good.definition
    assert form.values("destinations") == [str(Destination.objects.get(slug="webhook").pk)]

    response = post_form(editor, form, button="_save")
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.definition == good.definition
    assert [d.slug for d in sent.destinations.all()] == ["webhook"]
    entry = sent.history.first()
    assert entry.history_change_reason.startswith("Reverted to the version of ")
    assert entry.history_user.username == "editor"
    assert good.definition in text_of(client.get("/activities/sent-email/").content.decode())


def test_a_stale_revert_is_refused_and_keeps_the_reverted_values(editor, django_user_model, catalog):
    """Someone saves while the revert page is open: the revert is refused with what changed, never a 500."""
    sent = Activity.objects.get(slug="sent-email")
    original = sent.history.first()
    change = f"/admin/activities/activity/{sent.pk}/change/"
    submit(editor, change, {"definition": "Second."}, form_id="activity_form", button="_save")
    form = read_form(editor.get(revert_url(sent, original)), form_id="historicalactivity_form")

    other = Client(enforce_csrf_checks=True)
    other.force_login(django_user_model.objects.create_superuser("bob", "bob@example.com", None))
    submit(other, change, {"position": "42"}, form_id="activity_form", button="_save")

    refused = post_form(editor, form, button="_save")
    assert refused.status_code == 200
    shown = text_of(refused.content.decode())
    assert "was changed by bob" in shown
    assert "Position: 1 → 42" in shown or "Position:" in shown
    kept = read_form(refused, form_id="historicalactivity_form")
    assert kept.value("definition") == original.definition
    assert kept.value("position") == "42"
    assert Activity.objects.get(pk=sent.pk).definition == "Second."
    assert post_form(editor, kept, button="_save").status_code == 302
    assert (Activity.objects.get(pk=sent.pk).definition, Activity.objects.get(pk=sent.pk).position) == (
        original.definition,
        42,
    )


def test_category_revert(editor, catalog):
    talk = Category.objects.get(slug="talk")
    original = talk.history.first()
    change = f"/admin/activities/category/{talk.pk}/change/"
    submit(editor, change, {"description": "Chats."}, form_id="category_form", button="_save")
    form = read_form(editor.get(revert_url(talk, original)), form_id="historicalcategory_form")
    assert post_form(editor, form, button="_save").status_code == 302
    talk.refresh_from_db()
    assert talk.description == original.description
    assert talk.history.first().history_change_reason.startswith("Reverted to the version of ")


def test_history_never_shows_a_bare_none(editor, catalog):
    sent = Activity.objects.get(slug="sent-email")
    change = f"/admin/activities/activity/{sent.pk}/change/"
    submit(editor, change, {"definition": "Edited."}, form_id="activity_form", button="_save")
    Destination.objects.get(slug="webhook").activities.add(sent)
    sent.destinations.add(Destination.objects.get(slug="salesforce"))
    reasons = list(sent.history.values_list("history_change_reason", flat=True))
    assert None not in reasons
    assert reasons[:3] == ["Destinations changed", "Webhook added to its destinations", "Changed definition"]
    shown = text_of(editor.get(f"/admin/activities/activity/{sent.pk}/history/").content.decode())
    assert "Changed editor Changed definition Definition:" in shown
    assert "Changed — Webhook added to its destinations Destinations: [] → [Webhook]" in shown
