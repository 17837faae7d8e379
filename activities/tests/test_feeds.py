import re
from xml.etree import ElementTree

import pytest

from activities.models import Activity
from activities.tests.forms import read_form, text_of

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parsed(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def reword(slug, text):
    activity = Activity.objects.get(slug=slug)
    activity.definition = text
    activity._change_reason = "Changed definition"
    activity.save()


def assert_valid_atom(feed):
    """What Atom 1.0 (RFC 4287) requires: the namespace, and an id, a title and an updated on the feed and
    every entry, with an author on the feed or on each entry."""
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", feed.findtext(f"{ATOM}updated"))
    feed_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        assert feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}link").get("href").startswith("http")


def test_the_catalog_feed_holds_each_change_as_escaped_html(client, catalog):
    """The newest change comes first, with its words marked in an HTML summary carried as escaped text."""
    reword("opened-email", "This activity is recorded when the recipient opens the email twice.")
    feed = parsed(client.get("/changes.atom"))
    assert_valid_atom(feed)
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Opened email: reworded"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<ins>email twice.</ins>" in summary.text  # once unescaped by the parser: it was escaped in the XML
    assert b"&lt;ins&gt;email twice.&lt;/ins&gt;" in client.get("/changes.atom").content


def test_entry_ids_stay_the_same(client, catalog):
    """The same change keeps its id as later changes arrive; two changes never share one."""
    reword("opened-email", "First rewording.")
    first = parsed(client.get("/changes.atom")).find(f"{ATOM}entry/{ATOM}id").text
    reword("sent-email", "Another rewording.")
    ids = [entry.findtext(f"{ATOM}id") for entry in parsed(client.get("/changes.atom")).findall(f"{ATOM}entry")]
    assert ids[1] == first and len(set(ids)) == len(ids)
    assert first.startswith("urn:uuid:")


def test_category_and_activity_feeds_hold_only_their_own(client, catalog):
    """A category's feed lists its activities' changes; an activity's feed lists its own."""
    reword("opened-email", "Reworded email.")
    reword("sent-sms", "Reworded SMS.")
    email = [
        e.findtext(f"{ATOM}title") for e in parsed(client.get("/categories/email/changes.atom")).iter(f"{ATOM}entry")
    ]
    assert "Opened email: reworded" in email and "Sent SMS: reworded" not in email
    sms = parsed(client.get("/activities/sent-sms/changes.atom"))
    assert_valid_atom(sms)
    assert [e.findtext(f"{ATOM}title") for e in sms.iter(f"{ATOM}entry")] == ["Sent SMS: reworded", "Sent SMS: added"]
    assert client.get("/categories/nope/changes.atom").status_code == 404
    assert client.get("/activities/nope/changes.atom").status_code == 404


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/changes/", "/changes.atom"),
        ("/categories/email/", "/categories/email/changes.atom"),
        ("/activities/sent-email/", "/activities/sent-email/changes.atom"),
    ],
)
def test_each_page_links_its_feed(client, catalog, page, feed):
    """A feed reader finds the feed from the page's <link rel="alternate">."""
    html = client.get(page).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html
    assert_valid_atom(parsed(client.get(feed)))


def test_feeds_carry_etags_and_answer_304(client, catalog):
    """A reader that polls gets 304 until the catalog changes, then the new feed."""
    first = client.get("/changes.atom")
    assert first["ETag"]
    assert client.get("/changes.atom", headers={"If-None-Match": first["ETag"]}).status_code == 304
    reword("opened-email", "Changed.")
    assert client.get("/changes.atom", headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_the_footer_links_the_changes(client, catalog):
    """Every page's footer leads to /changes/."""
    assert '<a href="/changes/">What changed</a>' in client.get("/").content.decode()
    assert "What changed in the catalog" in text_of(client.get("/changes/").content.decode())
    assert read_form(client.get("/changes/"), form_id="change-filters").action == "/changes/"
