import pytest

from activities.models import Activity

pytestmark = pytest.mark.django_db


def search(q):
    return list(Activity.objects.search(q).values_list("name", flat=True))


def test_case_insensitive(catalog):
    """Search ignores case."""
    assert search("SENT EMAIL")[0] == "Sent email"
    assert search("sent email") == search("Sent Email")


def test_every_word_must_match(catalog):
    """Every word of the query must match the name or the definition."""
    results = search("voice ends")
    assert results == ["Voice call ended"]


def test_name_matches_rank_first(catalog):
    """Activities whose name holds the words rank above those that only mention them in the definition."""
    results = search("widget")
    name_matches = [name for name in results if "widget" in name.lower()]
    assert results[: len(name_matches)] == name_matches
    assert "Redeemed discount" in results  # only its definition says "widget"
    assert results.index("Redeemed discount") > results.index("Shown widget")


def test_definition_only_match(catalog):
    """A word found only in definitions still finds the activity."""
    assert search("carrier") == ["Delivered SMS", "Deferred SMS"]


def test_punctuation_and_quotes_are_harmless(catalog):
    """Quotes and punctuation only separate words."""
    assert search('"sent" email!!') == search("sent email")
    assert search("%_'\\;--") == list(Activity.objects.values_list("name", flat=True))
    assert search("recipient\u2019s")  # the curly apostrophe in the article


def test_empty_query_changes_nothing(catalog):
    """An empty or blank query returns the queryset unchanged."""
    everything = list(Activity.objects.values_list("name", flat=True))
    assert search("") == everything
    assert search("   ") == everything


def test_search_in_the_list_page(client, catalog):
    """The list's q parameter uses the same search, with name matches first."""
    response = client.get("/activities/", {"q": "subscribe"})
    names = [activity.name for activity in response.context["page"].object_list]
    assert names[0] == "Subscribed to email"
    assert "SMS consent requested" not in names
