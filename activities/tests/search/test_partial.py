"""Partial matching: a query whose words do not all match one activity drops words until some activity matches."""

import pytest

from activities.models import Activity
from activities.search import search, understand
from activities.search.partial import fallbacks

pytestmark = pytest.mark.django_db


def searched(q, queryset=None):
    results = search(queryset if queryset is not None else Activity.objects.all(), q)
    return results.query, list(results.queryset.values_list("name", flat=True))


def test_a_word_that_matches_nothing_is_dropped_first(catalog):
    """An unknown word is left out; the other words still narrow the results."""
    query, found = searched("bounced xyzzyq")
    assert query.dropped == ["xyzzyq"]
    assert query.used == ["bounced"]
    assert set(found) == {"Bounced email", "Bounced SMS"}


def test_then_the_most_common_word_is_dropped(catalog):
    """Two words that each match but never together: the more common one goes, the rarer one stays."""
    query, found = searched("widget carrier")
    assert query.dropped == ["widget"]
    assert found == ["Delivered SMS", "Deferred SMS"]


def test_activities_matching_more_words_rank_first(catalog):
    """After dropping, an activity holding more of the query's words comes before one holding fewer."""
    query, found = searched("sms carrier xyzzyq")
    assert query.dropped == ["xyzzyq"]
    assert found[:2] == ["Delivered SMS", "Deferred SMS"]
    query, found = searched("voice spam zzzqx")
    assert set(query.dropped) >= {"zzzqx"}
    assert found


def test_a_query_whose_words_all_match_drops_nothing(catalog):
    """When some activity holds every word, nothing is dropped and every result holds them all."""
    query, found = searched("sms consent")
    assert query.dropped == []
    assert set(found) == {"SMS consent requested", "SMS consent failed"}


def test_required_words_are_never_dropped(catalog):
    """A word typed with a plus stays: with it, a query may still answer nothing."""
    query, found = searched("+bounced +xyzzyq")
    assert query.dropped == []
    assert found == []
    query, found = searched("+bounced xyzzyq")
    assert query.dropped == ["xyzzyq"]
    assert set(found) == {"Bounced email", "Bounced SMS"}


@pytest.mark.parametrize(
    "q",
    ["chat ended", "opt out", "soft bounce", "xyzzyq popup", "unsubscribe frobnicate zzz", "email zebra", '"sent" zzq'],
)
def test_no_query_answers_nothing_while_one_word_matches(catalog, q):
    """Whatever else a query holds, one matching word (or its synonym, correction or prefix) finds activities."""
    _, found = searched(q)
    assert found


def test_a_filter_that_leaves_the_rarest_word_nothing_still_finds_the_other(catalog):
    """Within a category the fallback tries each word alone: a word matching there is enough."""
    sms = Activity.objects.filter(category__slug="sms")
    query, found = searched("widget carrier", sms)
    assert query.dropped == ["widget"]
    assert found == ["Delivered SMS", "Deferred SMS"]
    email = Activity.objects.filter(category__slug="email")
    query, found = searched("carrier forwarded", email)
    assert query.dropped == ["carrier"]
    assert found == ["Forwarded email"]


def test_the_page_says_what_was_dropped_and_links_to_every_word(client, catalog):
    """The list page names the words it searched for and links to a search for all of them."""
    page = client.get("/activities/", {"q": "bounced xyzzyq"}).content.decode()
    assert "No activity matches all of “bounced xyzzyq”; showing activities that match “bounced”." in page
    assert 'href="?q=%2Bbounced+%2Bxyzzyq">Search for all the words</a>' in page
    again = client.get("/activities/", {"q": "+bounced +xyzzyq"}).content.decode()
    assert "No activity matches all of" not in again
    assert "No activity matches these filters." in again


def test_the_category_page_drops_words_too(client, catalog):
    """A category page searches its own activities the same way, with the same message."""
    response = client.get("/categories/sms/", {"q": "carrier xyzzyq"})
    assert [activity.name for activity in response.context["activities"]] == ["Delivered SMS", "Deferred SMS"]
    assert "showing activities that match “carrier”" in response.content.decode()


def test_the_api_says_which_words_were_used_dropped_and_corrected(client, catalog):
    """The API's answer holds the search as it was read."""
    answer = client.get("/api/activities/", {"q": "bounse xyzzyq"}).json()
    assert answer["search"] == {"used": ["bounse"], "dropped": ["xyzzyq"], "corrected": {"bounse": "bounced"}}
    assert {row["name"] for row in answer["results"]} == {"Bounced email", "Bounced SMS"}
    assert "search" not in client.get("/api/activities/").json()


def test_exports_list_the_partial_matches(client, catalog):
    """A CSV export of a partial search lists what the page lists."""
    export = client.get("/activities.csv", {"q": "bounced xyzzyq"}).content.decode()
    assert "Bounced email" in export
    assert "Bounced SMS" in export
    assert "Opened email" not in export


def test_a_query_of_unknown_words_drops_none(catalog):
    """When no word matches, the answer is empty and no word is said to be dropped."""
    query, found = searched("xyzzyq qqqzz")
    assert found == []
    assert query.dropped == []


def test_a_query_of_unknown_words_tries_no_fallback(catalog):
    """
    Words that each match nothing are never tried alone, as no activity could match them (PostgreSQL would
    read every row to find no first match); a word that matches keeps its fallbacks.
    """
    assert [step.used for step in fallbacks(understand("xyzzyq qqqzz"))] == [["xyzzyq", "qqqzz"]]
    assert [step.used for step in fallbacks(understand("xyzzyq bounced"))] == [["xyzzyq", "bounced"], ["bounced"]]
