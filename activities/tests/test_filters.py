import pytest

from activities.filters import ActivityFilter
from activities.models import Activity, Destination

pytestmark = pytest.mark.django_db


def names(response):
    return [activity.name for activity in response.context["page"].object_list]


def test_filter_by_one_category(client, catalog):
    """category=<slug> keeps that category's activities, in article order."""
    response = client.get("/activities/", {"category": "knowledge-base"})
    assert names(response) == ["Article feedback submitted"]


def test_filter_by_several_categories(client, catalog):
    """A repeated category parameter keeps the union of the categories."""
    response = client.get("/activities/?category=capture&category=talk")
    assert response.context["page"].paginator.count == 22
    assert {activity.category.slug for activity in response.context["page"].object_list} == {"capture", "talk"}


def test_filter_by_kind(client, catalog):
    """kind=custom keeps only custom activities; kind=system the article's."""
    Activity.objects.filter(slug="tag-added").update(kind="custom")
    assert names(client.get("/activities/", {"kind": "custom"})) == ["Tag added"]
    assert client.get("/activities/", {"kind": "system"}).context["page"].paginator.count == 68


def test_search_and_category_combine(client, catalog):
    """q and category narrow together."""
    response = client.get("/activities/", {"q": "bounces", "category": "sms"})
    assert names(response) == ["Bounced SMS"]


def test_search_category_and_kind_combine(client, catalog):
    """All three parameters narrow together."""
    Activity.objects.filter(slug="sent-sms").update(kind="custom")
    response = client.get("/activities/?q=sent&category=sms&category=email&kind=custom")
    assert names(response) == ["Sent SMS"]


def test_state_is_in_the_url(client, catalog):
    """The form reflects the URL's parameters, so a shared link shows the same state."""
    response = client.get("/activities/?q=widget&category=capture&kind=system")
    html = response.content.decode()
    assert 'value="widget"' in html
    assert '<input type="hidden" name="category" value="capture" form="activity-filters">' in html
    assert '<input type="hidden" name="kind" value="system" form="activity-filters">' in html
    assert 'id="facet-category-capture" href="?q=widget&amp;kind=system" aria-current="true"' in html


def test_empty_parameters_mean_no_filter(client, catalog):
    """Blank parameters, as an empty form submits them, filter nothing."""
    response = client.get("/activities/?q=&kind=")
    assert response.context["page"].paginator.count == 69


def test_filtersets_made_together_each_filter_by_their_own_parameters(catalog):
    """
    Two FilterSets alive at once each search and filter by their own parameters: their filters are copies,
    and a method filter (the search, "Synced to") calls the FilterSet it belongs to.
    """
    webhook = Destination.objects.get(slug="webhook")
    for activity in Activity.objects.filter(slug__in=["sent-email", "sent-sms"]):
        activity.destinations.add(webhook)
    searched = ActivityFilter({"q": "bounced"}, queryset=Activity.objects.all())
    synced = ActivityFilter({"destination": ["webhook"]}, queryset=Activity.objects.all())
    assert {activity.name for activity in searched.qs} == {"Bounced email", "Bounced SMS"}
    assert {activity.name for activity in synced.qs} == {"Sent email", "Sent SMS"}
