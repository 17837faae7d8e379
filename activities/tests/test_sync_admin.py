import re

import pytest

from activities.models import Activity, Destination, Relation
from activities.tests.forms import messages_of, pick_from_autocomplete, post_form, read_form, submit, text_of
from activities.tests.helpers import run_action

pytestmark = pytest.mark.django_db


def destination_names(slug):
    return sorted(Activity.objects.get(slug=slug).destinations.values_list("name", flat=True))


def change_destinations(staff_client, slugs, how, destinations):
    """Run "Change destinations" on these activities: choose how, tick the destinations, click Apply."""
    page = run_action(staff_client, "change_destinations", slugs)
    form = read_form(page)
    form.set("how", how)
    form.set("destinations", list(Destination.objects.filter(slug__in=destinations).values_list("pk", flat=True)))
    return post_form(staff_client, form, "apply", follow=True)


def test_bulk_action_asks_first(staff_client, catalog):
    """Choosing the action shows a form listing the selected activities, and changes nothing yet."""
    response = run_action(staff_client, "change_destinations", ["sent-email", "sent-sms"])
    html = response.content.decode()
    assert "Change the destinations of these 2 activities" in html
    assert "Sent SMS" in html
    assert not Activity.destinations.through.objects.exists()


def test_bulk_action_adds_removes_and_sets(staff_client, catalog):
    """The bulk action adds, removes, or replaces destinations on every selected activity, and says so."""
    response = change_destinations(staff_client, ["sent-email", "sent-sms"], "add", ["webhook"])
    assert messages_of(response) == ["Added Webhook to 2 activities."]
    assert destination_names("sent-email") == destination_names("sent-sms") == ["Webhook"]
    change_destinations(staff_client, ["sent-sms"], "add", ["salesforce"])
    assert destination_names("sent-sms") == ["Salesforce", "Webhook"]
    change_destinations(staff_client, ["sent-email", "sent-sms"], "remove", ["webhook"])
    assert destination_names("sent-email") == []
    assert destination_names("sent-sms") == ["Salesforce"]
    change_destinations(staff_client, ["sent-email", "sent-sms"], "set", ["webhook"])
    assert destination_names("sent-email") == destination_names("sent-sms") == ["Webhook"]
    assert destination_names("opened-email") == []


def test_bulk_add_without_a_destination_is_refused(staff_client, catalog):
    """Adding nothing is refused with a message, and the selection is kept on the form."""
    response = change_destinations(staff_client, ["sent-email"], "add", [])
    html = response.content.decode()
    assert "Choose at least one destination to add or remove." in html
    assert "Sent email" in html


def test_the_activity_list_filters_by_destination(staff_client, catalog):
    """The list's "By destinations" filter shows exactly the activities synced there."""
    webhook = Destination.objects.get(slug="webhook")
    Activity.objects.get(slug="sent-email").destinations.add(webhook)
    listed = staff_client.get("/admin/activities/activity/", {"destinations__id__exact": webhook.pk})
    assert [activity.slug for activity in listed.context["cl"].result_list] == ["sent-email"]
    assert "1 activity" in text_of(listed.content.decode())


def test_the_destination_list_counts_what_each_receives(staff_client, catalog):
    """The destination list shows each destination with how many activities it receives."""
    Activity.objects.get(slug="sent-email").destinations.add(Destination.objects.get(slug="webhook"))
    listed = staff_client.get("/admin/activities/destination/")
    rows = {destination.name: destination.activity_count for destination in listed.context["cl"].result_list}
    assert rows == {"Salesforce": 0, "Webhook": 1}


def test_destinations_are_edited_on_the_activity_page(staff_client, catalog):
    """An activity's admin page has a checkbox per destination, and ticking one syncs the activity."""
    activity = Activity.objects.get(slug="clicked-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    response = submit(
        staff_client, url, {"destinations": [Destination.objects.get(slug="salesforce").pk]}, button="_save"
    )
    assert response.status_code == 302
    assert destination_names("clicked-email") == ["Salesforce"]


def add_relation(staff_client, from_name, kind, to_name):
    """Fill in the relation add page: both activities through their autocomplete, the kind from its list."""
    form = read_form(staff_client.get("/admin/activities/relation/add/"), form_id="relation_form")
    pick_from_autocomplete(staff_client, form, "from_activity", from_name)
    form.set("kind", kind)
    pick_from_autocomplete(staff_client, form, "to_activity", to_name)
    return post_form(staff_client, form, "_save")


def test_admin_refuses_a_self_relation_with_a_clear_message(staff_client, catalog):
    """Relating an activity to itself is refused in the admin, with a message saying why."""
    response = add_relation(staff_client, "Tag added", "opposite", "Tag added")
    assert response.status_code == 200
    assert "An activity cannot be related to itself" in response.content.decode()


def test_admin_refuses_a_reversed_duplicate_with_a_clear_message(staff_client, catalog):
    """Entering a seeded opposite the other way round is refused, with a message saying why."""
    count = Relation.objects.count()
    response = add_relation(staff_client, "Tag removed", "opposite", "Tag added")
    assert "already have a relation of this kind" in response.content.decode()
    assert Relation.objects.count() == count


def test_inline_refuses_a_duplicate(staff_client, catalog):
    """The relation inline on an activity refuses a duplicate with the same message."""
    Relation.objects.all().delete()
    activity = Activity.objects.get(slug="sent-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    form = read_form(staff_client.get(url), form_id="activity_form")
    for _ in range(2):
        row = form.add_inline_row("relations_from", {"kind": "other_channel"})
        pick_from_autocomplete(staff_client, form, f"relations_from-{row}-to_activity", "Sent SMS")
    response = post_form(staff_client, form, "_save")
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not Relation.objects.exists()


def test_activity_page_lists_relations_entered_on_the_other_activity(staff_client, catalog):
    """An activity's admin page lists the relations entered from the other side, linking to each."""
    ended = Activity.objects.get(slug="voice-call-ended")
    relation = Relation.objects.get(from_activity__slug="voice-call-started", kind="opposite")
    html = staff_client.get(f"/admin/activities/activity/{ended.pk}/change/").content.decode()
    link = f'<a href="/admin/activities/relation/{relation.pk}/change/">'
    assert f"{link}Voice call started · opposite · Voice call ended</a>" in html


def test_destination_changes_are_recorded_in_history(staff_client, catalog):
    """Adding a destination to an activity, one at a time or in bulk, leaves a history entry listing it."""
    activity = Activity.objects.get(slug="sent-email")
    before = activity.history.count()
    change_destinations(staff_client, ["sent-email"], "add", ["webhook"])
    assert activity.history.count() > before
    latest = activity.history.latest()
    assert [row.destination.slug for row in latest.destinations.all()] == ["webhook"]


def test_history_still_opens_after_a_synced_destination_is_deleted(staff_client, catalog):
    """
    An activity's history, and each version in it, still open after a destination it was synced to is
    deleted; the change that added it reads as a deleted destination.
    """
    change_destinations(staff_client, ["sent-email"], "add", ["webhook"])
    activity = Activity.objects.get(slug="sent-email")
    webhook = Destination.objects.get(slug="webhook")
    page = staff_client.get(f"/admin/activities/destination/{webhook.pk}/delete/")
    assert post_form(staff_client, read_form(page), "Yes, I’m sure").status_code == 302
    history = staff_client.get(f"/admin/activities/activity/{activity.pk}/history/")
    assert history.status_code == 200
    shown = text_of(history.content.decode())
    assert "Destinations:" in shown and "[Deleted destination" in shown
    for record in activity.history.all():
        version = staff_client.get(f"/admin/activities/activity/{activity.pk}/history/{record.history_id}/")
        assert version.status_code == 200


def relations_on(client, slug):
    """The "Related activities" list of an activity's public page, as (label, [names]) pairs."""
    html = client.get(f"/activities/{slug}/").content.decode()
    return [
        (label, re.findall(r">([^<]+)</a>", links))
        for label, links in re.findall(
            r"<div><dt>([^<]+)</dt><dd>(.*?)</dd></div>", html.split("relations-heading")[-1]
        )
    ]


def test_a_relation_added_in_the_relation_admin_shows_on_both_pages(staff_client, client, catalog):
    """A relation added through the Relation admin's form is saved, said so, and reads both ways in public."""
    assert relations_on(client, "forwarded-email") == []
    response = add_relation(staff_client, "Forwarded email", "follows", "Opened email")
    assert response.status_code == 302
    assert response["Location"] == "/admin/activities/relation/"
    listing = staff_client.get(response["Location"])
    assert [text_of(message) for message in messages_of(listing)] == [
        "The relation “ Forwarded email · follows · Opened email ” was added successfully."
    ]
    assert Relation.objects.filter(
        from_activity__slug="forwarded-email", kind="follows", to_activity__slug="opened-email"
    ).exists()
    assert relations_on(client, "forwarded-email") == [("Follows", ["Opened email"])]
    assert ("Followed by", ["Clicked email", "Forwarded email"]) in relations_on(client, "opened-email")


def test_a_relation_added_inline_on_the_activity_page_shows_on_both_pages(staff_client, client, catalog):
    """A row added with "Add another relation" on an activity's page is saved with the activity."""
    reacted = Activity.objects.get(slug="reacted-to-email")
    url = f"/admin/activities/activity/{reacted.pk}/change/"
    form = read_form(staff_client.get(url), form_id="activity_form")
    row = form.add_inline_row("relations_from", {"kind": "other_channel"})
    pick_from_autocomplete(staff_client, form, f"relations_from-{row}-to_activity", "Replied to SMS")
    response = post_form(staff_client, form, "_save")
    assert response.status_code == 302
    assert relations_on(client, "reacted-to-email") == [("Same event on another channel", ["Replied to SMS"])]
    assert ("Same event on another channel", ["Reacted to email"]) in relations_on(client, "replied-to-sms")


def test_the_activity_autocomplete_suggests_what_the_site_search_finds(staff_client, client, catalog):
    """Typing into a relation's activity box suggests activities as the site's search finds them, typos too."""
    form = read_form(staff_client.get("/admin/activities/relation/add/"), form_id="relation_form")
    suggestions = pick_from_autocomplete(staff_client, form, "to_activity", "Bounced SMS")
    assert [label for _, label in suggestions] == ["Bounced SMS"]
    attrs = form.selects["to_activity"]
    typed = {
        "term": "bounse",
        "app_label": attrs["data-app-label"],
        "model_name": attrs["data-model-name"],
        "field_name": attrs["data-field-name"],
    }
    found = staff_client.get(attrs["data-ajax--url"], typed).json()["results"]
    assert {row["text"] for row in found} == {"Bounced email", "Bounced SMS"}
    assert client.get(attrs["data-ajax--url"], typed).status_code == 302, "signed-out visitors are sent to log in"


def test_a_destination_added_then_renamed_shows_as_facet_badge_page_and_plan(staff_client, client, catalog):
    """
    A destination added in the admin and ticked on an activity is a "Synced to" facet, a badge on the
    activity, a page and a plan; renaming it renames it everywhere.
    """
    added = {"name": "Mailchimp", "slug": "mailchimp", "kind": "crm", "notes": "Audiences for newsletters."}
    response = submit(staff_client, "/admin/activities/destination/add/", added, button="_save", follow=True)
    assert response.redirect_chain == [("/admin/activities/destination/", 302)]
    assert [text_of(message) for message in messages_of(response)] == [
        "The destination “ Mailchimp ” was added successfully."
    ]
    mailchimp = Destination.objects.get(slug="mailchimp")
    clicked = Activity.objects.get(slug="clicked-email")
    url = f"/admin/activities/activity/{clicked.pk}/change/"
    assert submit(staff_client, url, {"destinations": [mailchimp.pk]}, button="_save").status_code == 302

    listing = text_of(client.get("/activities/", {"destination": "mailchimp"}).content.decode())
    assert "Mailchimp (1)" in listing
    assert "1 activity" in listing
    assert "Synced to Mailchimp" in text_of(client.get("/activities/clicked-email/").content.decode())
    page = text_of(client.get("/destinations/mailchimp/").content.decode())
    assert "Audiences for newsletters." in page and "1 activity in 1 category." in page
    plan = client.get("/destinations/mailchimp/plan.csv").content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in plan[1:]] == ["clicked-email"]

    url = f"/admin/activities/destination/{mailchimp.pk}/change/"
    assert submit(staff_client, url, {"name": "Mailchimp audiences"}, button="_save").status_code == 302
    assert "Synced to Mailchimp audiences" in text_of(client.get("/activities/clicked-email/").content.decode())
    assert "Mailchimp audiences (1)" in text_of(client.get("/activities/").content.decode())


def test_a_relation_changed_in_its_admin_reads_the_new_way_in_public(staff_client, client, catalog):
    """Changing a relation's kind on its change page changes how both activities' pages read it."""
    relation = Relation.objects.get(from_activity__slug="clicked-email", kind="follows")
    url = f"/admin/activities/relation/{relation.pk}/change/"
    response = submit(staff_client, url, {"kind": "other_channel"}, button="_save")
    assert response.status_code == 302
    assert relations_on(client, "clicked-email") == [("Same event on another channel", ["Clicked SMS", "Opened email"])]
    assert ("Same event on another channel", ["Clicked email"]) in relations_on(client, "opened-email")
    assert "Clicked email" not in dict(relations_on(client, "opened-email")).get("Followed by", [])
