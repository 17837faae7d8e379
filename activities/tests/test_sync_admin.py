import pytest

from activities.models import Activity, Destination, Relation
from activities.tests.conftest import inline_management

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/activities/activity/"


def destination_names(slug):
    return sorted(Activity.objects.get(slug=slug).destinations.values_list("name", flat=True))


def run_action(staff_client, slugs, how, destinations):
    ids = list(Activity.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    data = {
        "action": "change_destinations",
        "_selected_action": ids,
        "apply": "1",
        "how": how,
        "destinations": list(Destination.objects.filter(slug__in=destinations).values_list("pk", flat=True)),
    }
    return staff_client.post(CHANGELIST, data, follow=True)


def test_bulk_action_asks_first(staff_client, catalog):
    """Choosing the action shows a form listing the selected activities, and changes nothing yet."""
    ids = list(Activity.objects.filter(slug__in=["sent-email", "sent-sms"]).values_list("pk", flat=True))
    response = staff_client.post(CHANGELIST, {"action": "change_destinations", "_selected_action": ids})
    html = response.content.decode()
    assert "Change the destinations of these 2 activities" in html
    assert "Sent SMS" in html
    assert not Activity.destinations.through.objects.exists()


def test_bulk_action_adds_removes_and_sets(staff_client, catalog):
    """The bulk action adds, removes, or replaces destinations on every selected activity, and says so."""
    response = run_action(staff_client, ["sent-email", "sent-sms"], "add", ["webhook"])
    assert "Added Webhook to 2 activities." in response.content.decode()
    assert destination_names("sent-email") == destination_names("sent-sms") == ["Webhook"]
    run_action(staff_client, ["sent-sms"], "add", ["salesforce"])
    assert destination_names("sent-sms") == ["Salesforce", "Webhook"]
    run_action(staff_client, ["sent-email", "sent-sms"], "remove", ["webhook"])
    assert destination_names("sent-email") == []
    assert destination_names("sent-sms") == ["Salesforce"]
    run_action(staff_client, ["sent-email", "sent-sms"], "set", ["webhook"])
    assert destination_names("sent-email") == destination_names("sent-sms") == ["Webhook"]
    assert destination_names("opened-email") == []


def test_bulk_add_without_a_destination_is_refused(staff_client, catalog):
    """Adding nothing is refused with a message, and the selection is kept on the form."""
    response = run_action(staff_client, ["sent-email"], "add", [])
    html = response.content.decode()
    assert "Choose at least one destination to add or remove." in html
    assert "Sent email" in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/activities/destination/",
        "/admin/activities/destination/add/",
        "/admin/activities/relation/",
        "/admin/activities/relation/add/",
        "/admin/activities/activity/?destinations__id__exact=1",
    ],
)
def test_sync_admin_pages_load(staff_client, catalog, url):
    """The destination and relation admins, and the activity list's destination filter, answer 200."""
    assert staff_client.get(url).status_code == 200


def test_destinations_are_edited_on_the_activity_page(staff_client, catalog):
    """An activity's admin page has a checkbox per destination, and ticking one syncs the activity."""
    activity = Activity.objects.get(slug="clicked-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    response = staff_client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["destinations"] = [Destination.objects.get(slug="salesforce").pk]
    data.update(inline_management(response))
    assert staff_client.post(url, data).status_code == 302
    assert destination_names("clicked-email") == ["Salesforce"]


def post_relation(staff_client, from_slug, kind, to_slug):
    return staff_client.post(
        "/admin/activities/relation/add/",
        {
            "from_activity": Activity.objects.get(slug=from_slug).pk,
            "kind": kind,
            "to_activity": Activity.objects.get(slug=to_slug).pk,
        },
    )


def test_admin_refuses_a_self_relation_with_a_clear_message(staff_client, catalog):
    """Relating an activity to itself is refused in the admin, with a message saying why."""
    response = post_relation(staff_client, "tag-added", "opposite", "tag-added")
    assert response.status_code == 200
    assert "An activity cannot be related to itself" in response.content.decode()


def test_admin_refuses_a_reversed_duplicate_with_a_clear_message(staff_client, catalog):
    """Entering a seeded opposite the other way round is refused, with a message saying why."""
    count = Relation.objects.count()
    response = post_relation(staff_client, "tag-removed", "opposite", "tag-added")
    assert "already have a relation of this kind" in response.content.decode()
    assert Relation.objects.count() == count


def test_inline_refuses_a_duplicate(staff_client, catalog):
    """The relation inline on an activity refuses a duplicate with the same message."""
    Relation.objects.all().delete()
    activity = Activity.objects.get(slug="sent-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    response = staff_client.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(inline_management(response))
    prefix = response.context["inline_admin_formsets"][0].formset.prefix
    sent_sms = Activity.objects.get(slug="sent-sms").pk
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-0-kind": "other_channel",
            f"{prefix}-0-to_activity": sent_sms,
            f"{prefix}-1-kind": "other_channel",
            f"{prefix}-1-to_activity": sent_sms,
        }
    )
    response = staff_client.post(url, data)
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
    staff_client.post(
        "/admin/activities/activity/",
        {
            "action": "change_destinations",
            "_selected_action": [activity.pk],
            "apply": "1",
            "how": "add",
            "destinations": [Destination.objects.get(slug="webhook").pk],
        },
    )
    assert activity.history.count() > before
    latest = activity.history.latest()
    assert [row.destination.slug for row in latest.destinations.all()] == ["webhook"]
