import re

import pytest
from django.utils import timezone

from activities.decisions import decide
from activities.drift import drift
from activities.drift_apply import apply, non_conflicting
from activities.imported_articles import ImportedArticle
from activities.models import Activity, Category, Destination
from activities.tests.forms import text_of
from activities.tests.helpers import count_queries, grow_catalog
from activities.tests.newer_article import edit_locally, newer_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def newer(catalog, django_user_model):
    """The newer article applied over the editor's own change, with the removal accepted."""
    editor = django_user_model.objects.create_user("ann", is_staff=True)
    edit_locally(editor)
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(newer_article(), base, editor)
    report = drift(base.text, article.text)
    decisions = non_conflicting(report)
    decisions["activity:website-session"] = type(decisions["activity:opened-email"])("accept")
    apply(article, report, decisions, editor)
    return editor


def group(html, name):
    """The text of one activity's group on /changes/."""
    found = re.search(
        rf'<article class="change-group"[^>]*>\s*<h3>(?:<a [^>]*>)?{re.escape(name)}<.*?</article>', html, re.S
    )
    assert found, f"no group for {name}"
    return found.group(0)


def test_changes_show_each_kind_with_word_differences(client, newer):
    """Renamed, reworded, added, removed and local edits are listed, each with its words marked."""
    html = client.get("/changes/").content.decode()
    assert "Tag <del>removed</del><ins>deleted</ins>" in group(html, "Tag deleted")
    assert "<del>email.</del><ins>email, as their mail client reports it.</ins>" in group(html, "Opened email")
    assert "Added" in text_of(group(html, "Replied to email"))
    assert "Removed" in text_of(group(html, "Website session"))
    sent = group(html, "Sent email")
    assert (
        "<del>has </del><ins>the email has </ins>" in sent.replace("<del>has</del>", "<del>has </del>")
        or "<ins>the" in sent
    )
    assert "From the article imported on" in text_of(html)


def test_only_staff_see_who(client, editor, newer):
    """A visitor sees what changed; an editor also sees who changed it."""
    assert "by ann" not in text_of(client.get("/changes/").content.decode())
    assert "by ann" in text_of(editor.get("/changes/").content.decode())


def test_filters_by_kind_and_category_are_in_the_url(client, newer):
    """?kind=renamed lists only the rename; ?category=sms lists nothing from the email article."""
    renamed = text_of(client.get("/changes/", {"kind": "renamed"}).content.decode())
    assert "1 activity or category changed" in renamed and "Tag deleted" in renamed
    sms = text_of(client.get("/changes/", {"category": "sms", "kind": "reworded"}).content.decode())
    assert "0 activities or categories changed" in sms


def test_since_my_last_visit_lists_only_what_came_after(client, catalog):
    """The bookmark link after one visit shows later changes only."""
    first = client.get("/changes/").content.decode()
    since = "/changes/" + re.search(r'id="since-link" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    opened = Activity.objects.get(slug="opened-email")
    opened.definition = "Recorded on open."
    opened.save()
    later = text_of(client.get(since).content.decode())
    assert "1 activity or category changed" in later and "Opened email" in later


def test_destinations_show_before_and_after(client, catalog):
    """Syncing an activity somewhere new reads as the destinations before and after."""
    activity = Activity.objects.get(slug="opened-email")
    activity.destinations.add(Destination.objects.get(slug="webhook"))
    html = group(client.get("/changes/", {"kind": "destinations"}).content.decode(), "Opened email")
    assert re.search(r'<span class="before">[^<]*</span> → <span class="after">[^<]*Webhook', html)


def test_decisions_show_before_and_after_with_their_reasons(client, catalog, django_user_model):
    """A "don't sync" decision changes no field of the activity, and still reads as the decisions before and after."""
    editor = django_user_model.objects.create_user("ann", is_staff=True)
    decide(
        Activity.objects.get(slug="opened-email"), Destination.objects.get(slug="salesforce"), "dont", "Noisy", editor
    )
    decide(Activity.objects.get(slug="opened-email"), Destination.objects.get(slug="webhook"), "sync", "", editor)
    html = group(client.get("/changes/", {"kind": "decisions"}).content.decode(), "Opened email")
    changes = text_of(html)
    assert "none → Salesforce: Don't sync (Noisy)" in changes
    assert "Salesforce: Don't sync (Noisy) → Salesforce: Don't sync (Noisy); Webhook: Sync" in changes


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-45"}, "Enter a valid date."),
        ({"since": "yesterday-ish"}, "Enter a valid date/time."),
        ({"start": "2026-12-02", "end": "2026-12-01"}, "The range ends before it starts"),
        ({"kind": "exploded"}, "Select a valid choice."),
        ({"category": "nope"}, "Select a valid choice."),
    ],
)
def test_malformed_parameters_are_a_form_error(client, catalog, params, message):
    """A date or choice that cannot be read is named on the page, which lists nothing and never fails."""
    response = client.get("/changes/", params)
    assert response.status_code == 200
    assert message in text_of(response.content.decode())
    assert "0 activities or categories changed" in text_of(response.content.decode())


def test_default_is_the_last_thirty_days(client, catalog):
    """A change older than thirty days is left out unless the range asks for it."""
    entry = Activity.history.get(slug="sent-email")
    entry.history_date = timezone.now() - timezone.timedelta(days=31)
    entry.save()
    assert "Sent email" not in text_of(client.get("/changes/").content.decode())
    day = entry.history_date.date().isoformat()
    old = client.get("/changes/", {"start": day, "end": day})
    assert "Sent email" in text_of(old.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "/changes/",
        "/changes/?kind=reworded&category=email",
        "/changes/?kind=decisions",
        "/changes.atom",
        "/categories/email/changes.atom",
        "/api/changes/",
        "/api/activities/?changed_since=2026-01-01T00:00:00Z",
    ],
)
def test_query_count_is_bounded_whatever_the_changes(client, newer, url):
    """
    /changes/ and its feed read history in a fixed number of queries, the same at 69 activities as at 2,000
    with a change each: no query per change or per activity.
    """
    salesforce = Destination.objects.get(slug="salesforce")
    decide(Activity.objects.get(slug="opened-email"), salesforce, "dont", "Noisy", newer)
    small = count_queries(client, url)
    grow_catalog()
    for activity in Activity.objects.filter(slug__startswith="synthetic-activity-2")[:20]:
        decide(activity, salesforce, "sync", "Wanted", newer)
    Activity.history.bulk_history_create(list(Activity.objects.filter(slug__startswith="synthetic")))
    for activity in Activity.objects.filter(slug__startswith="synthetic-activity-1")[:50]:
        activity.definition += " Reworded."
        activity.save()
    large = count_queries(client, url)
    assert (small, large) == (small, small)
    assert small <= 7


def test_a_category_renamed_by_the_article_shows_as_a_category_change(client, catalog):
    """The article renames "Talk": /changes/ lists the category, its name's words marked, and its feed holds it."""
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(
        base.text.replace("\nTalk activities\n", "\nLive talk activities\n"), base, None
    )
    report = drift(base.text, article.text)
    apply(article, report, non_conflicting(report), None)
    html = client.get("/changes/", {"kind": "renamed"}).content.decode()
    category = group(html, "Live talk")
    assert "<del>Talk</del><ins>Live talk</ins>" in category and "Category" in text_of(category)
    assert 'href="/categories/live-talk/"' in category
    feed = client.get("/categories/live-talk/changes.atom").content.decode()
    assert "<title>Live talk (category): renamed</title>" in feed


def test_a_category_description_reads_word_by_word(client, catalog):
    """An editor describes a category: its change is listed with the new words marked, under the category."""
    email = Category.objects.get(slug="email")
    email.description = "Everything a campaign email does."
    email.save()
    html = client.get("/changes/", {"kind": "described"}).content.decode()
    assert "<ins>Everything a campaign email does.</ins>" in group(html, "Email")
