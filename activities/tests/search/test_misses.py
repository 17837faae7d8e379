"""The zero-result log: settled searches that found nothing or only some words, for editors to act on."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activities.models import Activity, Synonym
from activities.search.misses import SearchMiss
from activities.tests.forms import messages_of, post_form, read_form
from activities.tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def written_at_once(settings):
    """Each miss is written once its response is sent (production gathers them for a while)."""
    settings.SEARCH_LOG_FLUSH_SECONDS = 0


def logged():
    return {miss.query: (miss.count, miss.outcome) for miss in SearchMiss.objects.all()}


def test_a_search_that_finds_nothing_or_some_words_is_counted(client, catalog):
    """A page load counts once per request, the kept page too; a full match and the API are not logged."""
    for _ in range(2):
        client.get("/activities/", {"q": "Frobnicate"})
    client.get("/activities/", {"q": "bounced xyzzyq"})
    client.get("/categories/sms/", {"q": "carrier qqzz"})
    client.get("/activities/", {"q": "bounced"})
    client.get("/api/activities/", {"q": "nothingatall"})
    assert logged() == {
        "frobnicate": (2, "nothing"),
        "bounced xyzzyq": (1, "partial"),
        "carrier qqzz": (1, "partial"),
    }
    assert SearchMiss.objects.get(query="frobnicate").day == timezone.localdate()


def test_the_live_search_counts_the_request_made_after_the_pause(client, catalog):
    """The form asks only once typing pauses, so each htmx request is a settled query and counts."""
    page = client.get("/activities/").content.decode()
    assert 'hx-trigger="input delay:' in page
    client.get("/activities/", {"q": "frobnicate"}, headers={"HX-Request": "true"})
    assert logged() == {"frobnicate": (1, "nothing")}


def test_nothing_personal_is_stored(client, catalog):
    """The log holds the words, the day and the counts: no user, address, session or agent."""
    client.get("/activities/", {"q": "frobnicate"}, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Agent/1")
    assert {field.name for field in SearchMiss._meta.get_fields()} == {
        "id",
        "query",
        "day",
        "outcome",
        "count",
        "last_seen",
        "resolved",
    }
    row = SearchMiss.objects.values().get()
    assert "203.0.113.9" not in str(row)
    assert "Agent" not in str(row)


def test_the_table_stops_taking_new_queries_at_its_cap(client, catalog, settings):
    """Past the cap, new queries are not stored, while those already there are still counted."""
    settings.SEARCH_LOG_MAX_ROWS = 2
    for q in ("frobnicate", "xyzzyq", "qqqzz", "frobnicate"):
        client.get("/activities/", {"q": q})
    assert logged() == {"frobnicate": (2, "nothing"), "xyzzyq": (1, "nothing")}


def test_rows_older_than_the_retention_are_removed(client, catalog):
    """A write removes the rows older than 90 days and keeps the younger ones."""
    today, now = timezone.localdate(), timezone.now()
    SearchMiss.objects.create(query="old", day=today - timedelta(days=91), outcome="nothing", count=5, last_seen=now)
    SearchMiss.objects.create(query="recent", day=today - timedelta(days=89), outcome="nothing", count=5, last_seen=now)
    client.get("/activities/", {"q": "frobnicate"})
    assert set(logged()) == {"recent", "frobnicate"}


def test_a_failing_log_never_fails_the_search(client, catalog):
    """With the log's table gone, the search still answers, and the next one too."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SearchMiss._meta.db_table}")
    response = client.get("/activities/", {"q": "bounced xyzzyq"})
    assert response.status_code == 200
    assert [activity.name for activity in response.context["page"].object_list] == ["Bounced email", "Bounced SMS"]
    assert client.get("/activities/", {"q": "frobnicate"}).status_code == 200


def test_editors_see_the_most_frequent_first_and_add_one_as_a_synonym(client, staff_client, catalog):
    """
    The admin lists the log by count; "Add as synonym of…" makes the query a synonym of catalog words,
    after which the query finds their activities and its rows are marked resolved.
    """
    for q in ("opt outt", "frobnicate", "frobnicate"):
        client.get("/activities/", {"q": q})
    listing = staff_client.get("/admin/activities/searchmiss/")
    assert [miss.query for miss in listing.context["cl"].result_list] == ["frobnicate", "opt outt"]
    form = read_form(listing, form_id="changelist-form")
    form.set("_selected_action", [str(SearchMiss.objects.get(query="frobnicate").pk)])
    form.set("action", "add_as_synonym")
    page = post_form(staff_client, form, "index", follow=True)
    chosen = read_form(page, form_id="bulk-action-form")
    chosen.set("equivalents", "unsubscribe")
    done = post_form(staff_client, chosen, "apply", follow=True)
    assert any("now match and are marked resolved" in message for message in messages_of(done))
    assert Synonym.objects.filter(term="frobnicate", equivalents="unsubscribe").exists()
    assert SearchMiss.objects.get(query="frobnicate").resolved
    assert not SearchMiss.objects.get(query="opt outt").resolved
    found = Activity.objects.search("frobnicate").values_list("name", flat=True)
    assert "Unsubscribed from email" in found


def test_a_synonym_added_anywhere_resolves_the_queries_it_makes_match(staff_client, catalog):
    """A synonym saved through the synonym admin marks resolved the logged queries it makes match."""
    now = timezone.now()
    SearchMiss.objects.create(query="unsub me", day=timezone.localdate(), outcome="partial", count=3, last_seen=now)
    SearchMiss.objects.create(query="frobnicate", day=timezone.localdate(), outcome="nothing", count=1, last_seen=now)
    page = staff_client.get("/admin/activities/synonym/add/")
    form = read_form(page, form_id="synonym_form")
    form.set("term", "frobnicate")
    form.set("equivalents", "bounced")
    assert post_form(staff_client, form, "_save").status_code == 302
    assert SearchMiss.objects.get(query="frobnicate").resolved
    assert not SearchMiss.objects.get(query="unsub me").resolved


def test_a_page_never_writes_the_log_itself(client, catalog, settings):
    """Within the pass interval, missed searches are gathered without a query: a page stays within seven."""
    settings.SEARCH_LOG_FLUSH_SECONDS = 3600
    client.get("/activities/", {"q": "frobnicate"})
    assert count_queries(client, "/activities/?q=bounced+zzqq&category=email&kind=system&destination=webhook") <= 7
    assert not SearchMiss.objects.exists()
