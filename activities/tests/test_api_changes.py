import pytest
from django.utils import timezone

from activities.models import Activity

pytestmark = pytest.mark.django_db


def reword(slug, text):
    activity = Activity.objects.get(slug=slug)
    activity.definition = text
    activity._change_reason = "Changed definition"
    activity.save()


def test_changed_since_lists_only_activities_changed_since(client, catalog):
    """?changed_since= keeps the activities edited at or after that moment."""
    moment = timezone.now()
    reword("opened-email", "Reworded.")
    found = client.get("/api/activities/", {"changed_since": moment.isoformat().replace("+00:00", "Z")}).json()
    assert [row["slug"] for row in found["results"]] == ["opened-email"]
    everything = client.get("/api/activities/", {"changed_since": "2026-01-01T00:00:00Z"}).json()
    assert everything["count"] == 69


def test_the_changes_endpoint_lists_changes_with_the_page_fields(client, catalog):
    """/api/changes/ gives each change's id, date, activity, kinds, reason and field differences, paginated."""
    reword("opened-email", "Reworded.")
    answer = client.get("/api/changes/", {"kind": "reworded"}).json()
    assert answer["count"] == 1
    [change] = answer["results"]
    assert (change["row"], change["slug"], change["kinds"]) == ("activity", "opened-email", ["reworded"])
    assert change["reason"] == "Changed definition"
    assert change["fields"] == [
        {
            "kind": "reworded",
            "before": "This activity is recorded when the recipient opens the email.",
            "after": "Reworded.",
        }
    ]
    every = client.get("/api/changes/").json()
    assert every["count"] == 7 + 70 and len(every["results"]) == 50 and every["next"]  # the load added each row


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/activities/", {"changed_since": "last tuesday"}),
        ("/api/activities/", {"changed_since": "2026-02-30T00:00:00Z"}),
        ("/api/changes/", {"start": "2026-13-01"}),
        ("/api/changes/", {"since": "soon"}),
        ("/api/changes/", {"start": "2026-12-02", "end": "2026-12-01"}),
    ],
)
def test_malformed_dates_answer_400(client, catalog, url, params):
    """A date that cannot be read is a 400 naming the parameter, never a 500."""
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json()
