"""
A search matching more than SEARCH_COUNT_LIMIT activities stops counting there ("30+" with the limit these
tests set), lists a bounded set of its best matches, and marks its facet counts as lower bounds.
"""

import csv
import io
import re

import pytest

from activities import facets
from activities.models import Activity
from activities.search import search
from activities.search.results import NAME_TIER
from activities.tests.helpers import grow_catalog

pytestmark = pytest.mark.django_db

LIMIT = 30


@pytest.fixture
def broad(catalog, settings):
    """2,000 activities, a count limit of 30 and pages of 10: "synthetic" matches 1,931 of them by name."""
    grow_catalog()
    settings.SEARCH_COUNT_LIMIT = LIMIT
    settings.ACTIVITIES_PER_PAGE = 10


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def listed(response):
    return [activity.name for activity in response.context["page"].object_list]


def test_heading_says_the_limit_plus(client, broad):
    """The heading reads "30+ activities", never a made-up total, and a note says why."""
    page = text(client.get("/activities/", {"q": "synthetic"}))
    assert "30+ activities matching “synthetic”" in page
    assert "Counting stops at 30 for a search this broad" in page
    assert "1931" not in page


def test_facet_counts_are_marked_as_lower_bounds(client, broad):
    """Past the limit each category and kind count carries a "+", and no category is shown as an empty dead end."""
    response = client.get("/activities/", {"q": "synthetic"})
    facets = response.context["facets"]
    assert all(choice.capped for choice in facets["category"] + facets["kind"])
    assert sum(choice.count for choice in facets["category"]) == LIMIT + 1
    html = response.content.decode()
    counts = re.findall(r'<span class="facet__count"[^>]*>\(([^)]*)\)</span>', html)
    assert counts and all(count.endswith("+") for count in counts)
    assert "is-empty" not in html


def test_pages_reach_the_limit(client, broad):
    """Pagination walks through the 30 best matches, 10 a page, then stops; each activity shows once."""
    seen = []
    for number in (1, 2, 3):
        last = client.get("/activities/", {"q": "synthetic", "page": number})
        assert last.status_code == 200
        seen += listed(last)
        assert f"Page {number} of 3+" in text(last)
    assert len(seen) == len(set(seen)) == LIMIT
    assert all(name.startswith("Synthetic activity") for name in seen)
    assert 'rel="next"' not in last.content.decode()
    beyond = client.get("/activities/", {"q": "synthetic", "page": 99})
    assert listed(beyond) == listed(last)


def test_name_matches_lead_a_broad_search(client, broad, settings):
    """A broad search lists activities whose names match: "activity" finds "Synthetic activity …" first."""
    response = client.get("/activities/", {"q": "activity"})
    assert response.context["page"].paginator.capped
    assert all("activity" in name.lower() for name in listed(response))


def test_few_name_matches_fall_back_to_the_first_matches(client, broad):
    """When fewer than NAME_TIER names match, the page ranks the first matches and still lists up to the limit."""
    # "recorded" is in every synthetic definition and in no name.
    assert not Activity.objects.filter(name__icontains="recorded").count() >= NAME_TIER
    response = client.get("/activities/", {"q": "recorded"})
    paginator = response.context["page"].paginator
    assert paginator.capped and paginator.count == LIMIT
    assert "30+ activities" in text(response)
    assert len(listed(response)) == 10


def test_under_the_limit_everything_is_exact(client, broad, settings):
    """A search matching no more than the limit shows its exact count, unmarked facets, and today's ranking."""
    response = client.get("/activities/", {"q": "bounced"})
    assert "2 activities matching “bounced”" in text(response)
    assert not any(choice.capped for choice in response.context["facets"]["category"])
    assert "+)" not in response.content.decode()
    assert listed(response) == ["Bounced email", "Bounced SMS"]


def test_ranking_is_unchanged_under_the_limit(catalog):
    """With the real catalog far below the limit, the bounded search ranks exactly like the unbounded one."""
    for q in ("email", "bounce", "unsubscribe", "succesful journey", "popup", "sms -delivered", "clicked link"):
        bounded = list(Activity.objects.search(q, 1000).values_list("name", flat=True))
        assert bounded == list(Activity.objects.search(q).values_list("name", flat=True))


def test_category_page_says_the_limit_plus(client, broad):
    """A category page searched broadly says "30+" rather than how many candidates it listed."""
    page = text(client.get("/categories/email/", {"q": "synthetic"}))
    assert "30+ of this category's activities match “synthetic”" in page


def test_filters_narrow_a_broad_search_before_it_is_cut(client, broad):
    """Filters apply before the limit: a chosen kind that only the real catalog has is still found."""
    Activity.objects.filter(slug="sent-email").update(kind="custom", definition="A synthetic custom activity.")
    response = client.get("/activities/", {"q": "synthetic", "kind": "custom"})
    assert listed(response) == ["Sent email"]
    assert "1 activity matching" in text(response)


def test_api_count_stops_at_the_limit(client, broad):
    """The API's count is the limit with `count_capped` true past it, and its pages reach the limit."""
    first = client.get("/api/activities/", {"q": "synthetic"}).json()
    assert (first["count"], first["count_capped"]) == (LIMIT, True)
    names = [row["name"] for row in first["results"]]
    following = first["next"]
    while following:
        page = client.get(following).json()
        names += [row["name"] for row in page["results"]]
        following = page["next"]
    assert len(names) == len(set(names)) == LIMIT
    exact = client.get("/api/activities/", {"q": "bounced"}).json()
    assert exact["count_capped"] is False
    assert exact["count"] == 2


def test_api_without_a_search_counts_everything(client, broad):
    """Without a search nothing is capped: the API counts all 2,000 activities."""
    body = client.get("/api/activities/").json()
    assert (body["count"], body["count_capped"]) == (2000, False)


def test_schema_documents_the_capped_count(client, catalog):
    """The OpenAPI schema describes `count_capped` and when `count` stops at the limit."""
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).json()
    page = next(
        component
        for name, component in schema["components"]["schemas"].items()
        if name.startswith("Paginated") and "Activity" in name
    )
    assert page["properties"]["count_capped"]["type"] == "boolean"
    assert "SEARCH_COUNT_LIMIT" in page["properties"]["count"]["description"]


def test_exports_list_every_match(client, broad):
    """The CSV export of a broad search holds every match, not the listed best."""
    response = client.get("/activities.csv", {"q": "synthetic"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Activity.objects.filter(name__startswith="Synthetic").count() == 1931


@pytest.mark.parametrize(
    "chosen",
    [{}, {"category": "email"}, {"destination": "webhook"}, {"category": "email", "destination": "webhook"}],
)
def test_the_bounded_count_and_the_synced_to_marks_agree_with_the_matches(client, broad, chosen):
    """
    Whatever else is chosen, a broad search says "30+" and marks "Synced to" counts as lower bounds exactly
    when more than 30 results match, and a narrow one shows its exact count unmarked.
    """
    from activities.models import Destination

    webhook = Destination.objects.get(slug="webhook")
    for activity in Activity.objects.filter(name__startswith="Synthetic")[:40]:
        activity.destinations.add(webhook)
    for q, more_than_limit in (("synthetic", None), ("bounced", False)):
        params = {"q": q, **chosen}
        response = client.get("/activities/", params)
        facets = response.context["facets"]
        exhaustive = Activity.objects.search(q)
        if "category" in chosen:
            exhaustive = exhaustive.filter(category__slug=chosen["category"])
        if "destination" in chosen:
            exhaustive = exhaustive.filter(destinations__slug=chosen["destination"])
        total = exhaustive.count()
        capped = total > LIMIT if more_than_limit is None else more_than_limit
        assert response.context["page"].paginator.capped == capped
        assert (f"{LIMIT}+ activit" in text(response)) == capped
        if not capped:
            assert f"{total} activit" in text(response)
        without_destination = Activity.objects.search(q)
        if "category" in chosen:
            without_destination = without_destination.filter(category__slug=chosen["category"])
        assert all(choice.capped == (without_destination.count() > LIMIT) for choice in facets["destination"])


def test_facets_of_a_broad_search_count_its_first_matches(broad):
    """
    A broad search's category facet counts its first LIMIT + 1 matches by category, whatever else is chosen,
    and marks every count as a lower bound (test_query_counts bounds the page's queries).
    """
    from collections import Counter

    from django.http import QueryDict

    from activities.filters import ActivityFilter

    first = search(Activity.objects.all(), "synthetic", LIMIT).counted_among(Activity.objects.all())
    expected = Counter(first.values_list("category__slug", flat=True))
    assert sum(expected.values()) == LIMIT + 1
    for params in ("q=synthetic", "q=synthetic&kind=system", "q=synthetic&category=email"):
        choices = facets.facets(ActivityFilter(QueryDict(params), queryset=Activity.objects.all()))
        assert {choice.value: choice.count for choice in choices["category"] if choice.count} == expected
        assert all(choice.capped for choice in choices["category"])
