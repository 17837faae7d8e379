"""
How the search reads its index: typed prefixes, corrections, ranks read once per search, and the bounded
ranking of a broad search. None of it may change results, which is what these tests assert;
the query plans behind them are measured in bench/.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from activities.models import Activity, Category
from activities.search import search, understand
from activities.search.backends import backend_for
from activities.tests.forms import text_of
from activities.tests.helpers import grow_catalog

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
LIMIT = 30


def names(q, queryset=None):
    return list((queryset or Activity.objects).search(q).values_list("name", flat=True))


@pytest.mark.parametrize("rebuilt", [False, True], ids=["migrated", "rebuilt"])
def test_prefixes_of_every_length_find_the_word(catalog, rebuilt):
    """
    Typing "unsubscribed" letter by letter finds the unsubscribe activities at every length from 2 letters,
    with the index as migrations made it and after `rebuild_search_index`.
    """
    if rebuilt:
        call_command("rebuild_search_index", verbosity=0)
    word = "unsubscribed"
    for length in range(2, len(word) + 1):
        found = names(word[:length])
        assert "Unsubscribed from email" in found, word[:length]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_migration_rebuilds_the_index_both_ways_and_triggers_keep_it_current(catalog):
    """
    Undoing migrations 0008 (which rebuilds the index with longer prefixes) and 0017 (which makes it again
    with the categories' text) and applying them again leaves an index that holds every activity, and writes
    made afterwards are searchable at once. (Search itself reads the index's columns as 0017 makes them.)
    """
    call_command("migrate", "activities", "0007", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM activities_activity_fts WHERE activities_activity_fts MATCH 'bounce'")
        held = {row[0] for row in cursor.fetchall()}
    bounce = Q(name__icontains="bounce") | Q(definition__icontains="bounce")
    assert held == set(Activity.objects.filter(bounce).values_list("pk", flat=True))

    call_command("migrate", "activities", verbosity=0)
    assert set(names("bounce ")) == {"Bounced email", "Bounced SMS"}
    assert "Unsubscribed from email" in names("unsubscr")
    Activity.objects.create(
        name="Registered for webinar", slug="registered-for-webinar", category=Category.objects.first(), definition="X."
    )
    assert names("webi") == ["Registered for webinar"]
    Activity.objects.filter(slug="registered-for-webinar").update(name="Attended masterclass")
    assert names("webi") == []
    assert names("mastercl") == ["Attended masterclass"]
    Activity.objects.filter(slug="registered-for-webinar").delete()
    assert names("mastercl") == []


def test_a_corrected_word_is_matched_by_its_corrections_only(catalog):
    """A word the index does not hold finds what its corrections find; a word it holds is searched as typed."""
    assert set(names("bounse")) == {"Bounced email", "Bounced SMS"}
    assert set(names("bounse sms")) == {"Bounced SMS"}
    assert understand("email").terms[0].exact


def test_a_ranked_search_behaves_as_a_queryset(catalog):
    """A search can be filtered further, counted, tested for rows, sliced, read as values and used as a subquery."""
    everything = names("email")
    searched = Activity.objects.search("email")
    in_category = searched.filter(category__slug="email")
    assert 0 < in_category.count() < searched.count() == len(everything)
    assert list(in_category.values_list("name", flat=True)) == [
        name for name in everything if Activity.objects.get(name=name).category.slug == "email"
    ]
    assert searched.exists() and not Activity.objects.search("email").filter(slug="none").exists()
    assert [activity.name for activity in searched[2:5]] == everything[2:5]
    assert searched.values("slug")[0]["slug"] == Activity.objects.get(name=everything[0]).slug
    assert Activity.objects.filter(pk__in=searched.values("pk")).count() == len(everything)


def test_a_ranked_search_can_be_updated_and_deleted(catalog):
    """The admin's bulk actions work on its search results: an update and a delete touch the matches only."""
    assert Activity.objects.search("bounced").update(kind="custom") == 2
    assert set(Activity.objects.filter(kind="custom", name__startswith="Bounced").values_list("name", flat=True)) == {
        "Bounced email",
        "Bounced SMS",
    }
    Activity.objects.search("bounced -sms").delete()
    assert names("bounced") == ["Bounced SMS"]


@pytest.fixture
def broad(catalog, settings):
    """2,000 activities and a count limit of 30: "synthetic" matches 1,931 of them by name."""
    grow_catalog()
    settings.SEARCH_COUNT_LIMIT = LIMIT


@pytest.mark.parametrize(
    "q",
    [
        "synthetic",  # at least the limit match by name
        "recorded",  # matches every synthetic definition and no name: the first matches are ranked
        "bounced",  # under the limit
        "synthetic -email",  # past the limit, with an excluded word
        "synthetc",  # past the limit, corrected
    ],
)
def test_bounded_ranking_is_the_same_on_every_path(broad, q, client):
    """
    A bounded search ranks the same rows in the same order from the QuerySet, the list page and the API,
    and its counts say how many it lists.
    """
    results = search(Activity.objects.all(), q, LIMIT)
    ranked = list(results.queryset.values_list("name", flat=True))
    assert list(Activity.objects.search(q, LIMIT).values_list("name", flat=True)) == ranked
    assert results.count <= len(ranked)

    page = client.get("/api/activities/", {"q": q}).json()["results"]
    assert [row["name"] for row in page] == ranked[: len(page)]
    listed = client.get("/activities/", {"q": q}).context["page"].object_list
    assert [activity.name for activity in listed] == ranked[: len(listed)]


@pytest.mark.parametrize("q", ["synthetic", "recorded", "activity", "bounced", "email"])
def test_a_slice_of_a_ranked_search_is_the_same_slice_of_the_whole_ranking(broad, q):
    """
    A page of results (a slice) holds exactly the rows at those places in the full ranking, ties included,
    though on SQLite only the best-ranked candidates are then joined and sorted.
    """
    searched = Activity.objects.search(q, LIMIT)
    ranked = list(searched.values_list("name", flat=True))
    for start, stop in ((0, 1), (0, 10), (3, 7), (10, 20), (25, 40), (0, 1000)):
        assert list(searched.values_list("name", flat=True)[start:stop]) == ranked[start:stop]
        assert [activity.name for activity in searched.for_listing()[start:stop]] == ranked[start:stop]


def test_a_slice_of_a_search_filtered_or_ordered_afterwards_keeps_every_candidate(broad):
    """Filtered or ordered after the search, a slice still draws from every match: nothing was cut by rank first."""
    searched = Activity.objects.search("activity", LIMIT)
    email = searched.filter(category__slug="email")
    assert list(email[:5]) == list(email)[:5] and email.exists()
    by_name = searched.order_by("-name")
    assert list(by_name[:5]) == list(by_name)[:5]
    assert list(searched.exclude(kind="custom")[:5]) == list(searched.exclude(kind="custom"))[:5]


@sqlite_only
def test_the_stems_come_from_the_index_own_tokenizer(catalog):
    """The stems that decide which corrections repeat each other are the ones the index searches by."""
    stems = backend_for(connection).stems(["reminder", "reminders", "contact", "contract", "subscriber"])
    assert stems["reminder"] == stems["reminders"] != stems["subscriber"]
    assert stems["contact"] != stems["contract"]


def test_corrections_that_share_a_stem_find_every_correction(catalog):
    """
    "remminder" is corrected to "remainder", "reminder" and "reminders": all stay in the highlighting, and
    the results are those of every correction.
    """
    email = Category.objects.get(slug="email")
    for name in ("Reminder sent", "Reminders paused", "Remainder billed"):
        Activity.objects.create(name=name, slug=name.lower().replace(" ", "-"), category=email, definition="Made up.")
    query = understand("remminder ")
    (term,) = query.terms
    assert {"remainder", "reminder", "reminders"} <= set(term.corrections) <= set(query.highlights)
    assert set(names("remminder ")) == {"Reminder sent", "Reminders paused", "Remainder billed"}


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own search columns")


def search_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE (table_name, column_name) IN"
            " (('activities_activity', 'search_name'), ('activities_searchword', 'lexemes'))"
        )
        return set(cursor.fetchall())


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_names_and_vocabulary_columns_migrate_both_ways_and_stay_current(catalog):
    """
    Migration 0009 gives the names a tsvector of their own and the vocabulary its lexemes, and undoing it
    takes both away. Once applied, a renamed activity is found within the names by its new word, that word
    counts as typed (not corrected), and a misspelling of it is corrected to it.
    """
    call_command("migrate", "activities", "0008", verbosity=0)
    assert search_columns() == set()
    call_command("migrate", "activities", verbosity=0)
    assert search_columns() == {("activities_activity", "search_name"), ("activities_searchword", "lexemes")}

    Activity.objects.filter(slug="opened-email").update(name="Zeppelin launched")
    assert names("zeppel") == ["Zeppelin launched"]
    known = understand("zeppelin").terms[0]
    assert known.exact and not known.corrections
    assert names("zepplein") == ["Zeppelin launched"]


@pytest.fixture
def names_under_the_limit(catalog, settings):
    """2,000 activities: "zebra" names 60 of them and is in 300 more definitions; a count limit of 100."""
    grow_catalog()
    ids = list(Activity.objects.filter(slug__startswith="synthetic-").order_by("id").values_list("id", flat=True))
    for number, pk in enumerate(ids[:60]):
        Activity.objects.filter(pk=pk).update(name=f"Zebra crossing {number}")
    Activity.objects.filter(pk__in=ids[60:360]).update(definition="Recorded when a zebra is seen.")
    settings.SEARCH_COUNT_LIMIT = 100


def test_a_broad_search_with_fewer_name_matches_than_its_limit_lists_them_all(names_under_the_limit, client):
    """
    Past the limit, when at least 50 but fewer than the limit match by name, the list is every name
    match, ranked, and nothing else; the API says so.
    """
    results = search(Activity.objects.all(), "zebra", 100)
    assert (results.count, results.capped) == (60, True)
    ranked = list(results.queryset.values_list("name", flat=True))
    assert sorted(ranked) == sorted(f"Zebra crossing {number}" for number in range(60))

    answer = client.get("/api/activities/", {"q": "zebra"}).json()
    assert (answer["count"], answer["count_capped"]) == (60, True)
    assert [row["name"] for row in answer["results"]] == ranked[: len(answer["results"])]


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_no_words_of_the_flushed_catalog_to_correct_to(client):
    """
    After `manage.py flush` and a new catalog, a typo is corrected only towards the new catalog's words:
    "bounse" no longer turns into "bounced", while "webinaar" turns into the new "webinar".
    """
    call_command("load_catalog", verbosity=0)
    assert "Showing results for bounced" in text_of(client.get("/activities/", {"q": "bounse"}).content.decode())

    call_command("flush", interactive=False, verbosity=0)
    events = Category.objects.create(name="Events", slug="events", position=1)
    Activity.objects.create(
        name="Registered for webinar",
        slug="registered-for-webinar",
        category=events,
        definition="Recorded when a contact registers for a webinar.",
    )
    stale = text_of(client.get("/activities/", {"q": "bounse"}).content.decode())
    assert "Showing results for" not in stale
    assert "0 activities" in stale
    fresh = text_of(client.get("/activities/", {"q": "webinaar"}).content.decode())
    assert "Showing results for webinar" in fresh
