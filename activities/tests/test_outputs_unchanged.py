"""
What the public sees stays the same across a restructuring: a fixed set of pages, fragments, API answers and
exports is rendered and compared with the copies kept in `outputs/<engine>/`.

The comparison ignores only whitespace between tags and runs of whitespace, which moving markup between
templates may change. Anything else that differs (a word, an attribute, an order, a count) fails the test.

After a deliberate change to what a page shows, write the copies again and review their diff:
`UPDATE_OUTPUTS=1 .venv/bin/pytest activities/tests/test_outputs_unchanged.py`, with and without
DATABASE_URL set to PostgreSQL.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.db import connection

from activities.models import Activity
from activities.tests.helpers import grow_catalog
from activities.tests.public_urls import PUBLIC_URLS

OUTPUTS = Path(__file__).parent / "outputs"
FIXED_TIME = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

# Searches, filters, pages and mistakes, as people type them, on the committed catalog.
CATALOG_URLS = (
    *PUBLIC_URLS,
    "/categories/sms/",
    "/categories/widget/",
    "/activities/opened-email/",
    "/activities/?q=email",
    "/activities/?q=bounce",
    "/activities/?q=bounse",
    "/activities/?q=opend+emial",
    "/activities/?q=email+-opened",
    '/activities/?q="sent+email"',
    "/activities/?q=unsubscrib",
    "/activities/?q=zzzzqqq",
    "/activities/?q=-email",
    "/activities/?category=email&kind=system",
    "/activities/?category=email&category=sms&destination=webhook",
    "/activities/?destination=webhook&q=sms",
    "/activities/?category=no-such-category",
    "/activities/?page=2",
    "/activities/?q=email&page=2",
    "/activities/?page=99",
    "/activities.csv?q=email",
    "/activities.json?q=bounse&category=email",
    "/api/activities/?q=email",
    "/api/activities/?q=bounse&page=2",
    "/api/activities/?category=sms&destination=webhook",
    "/destinations/salesforce/",
)
# Fragments that htmx asks for while people type.
FRAGMENT_URLS = (
    "/activities/?q=email",
    "/activities/?q=ema",
    "/categories/email/?q=open",
)
# A catalog of 2,000 activities, where a broad search's count stops at the limit.
GROWN_URLS = (
    "/activities/",
    "/activities/?q=synthetic&destination=webhook",
    "/activities/?q=email",
)
# Searches that match more than the limit: they rank the first matches the index yields. SQLite's index
# yields them in row order, always the same; PostgreSQL's in the order rows lie in the table, which earlier
# writes (even rolled back) change, so there only the figures are compared (tests/search cover the rest).
CAPPED_URLS = (
    "/activities/?q=synthetic",
    # Every synthetic activity now matches "activity" through its category's description too.
    "/activities/?q=synthetic+activity&category=email",
    "/activities/?q=synthetic&page=3",
    "/activities/?q=synthetic+-email",
    "/api/activities/?q=synthetic",
)


def normalised(text):
    """The text with whitespace between tags dropped and every other run of whitespace made one space."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", text)).strip()


def file_name(prefix, url):
    return prefix + "-" + re.sub(r"[^A-Za-z0-9.-]+", "_", url).strip("_") + ".txt"


def rendered(client, url, **headers):
    response = client.get(url, headers=headers)
    return f"{response.status_code} {response.get('Content-Type')}\n{normalised(response.content.decode())}\n"


def compare(prefix, client, urls, **headers):
    """Every URL's answer against its kept copy; all differences are reported together."""
    # The engines break ties between equally ranked results differently: each keeps its own copies.
    folder = OUTPUTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    different = []
    for url in urls:
        path = folder / file_name(prefix, url)
        now = rendered(client, url, **headers)
        if os.environ.get("UPDATE_OUTPUTS"):
            path.write_text(now)
            continue
        assert path.exists(), f"no kept copy of {url}: run with UPDATE_OUTPUTS=1 and review the new file"
        kept = path.read_text()
        if now != kept:
            at = next((i for i, (a, b) in enumerate(zip(now, kept, strict=False)) if a != b), min(len(now), len(kept)))
            around = slice(max(0, at - 80), at + 80)
            different.append(f"{url}:\n kept …{kept[around]!r}…\n now  …{now[around]!r}…")
    assert not different, "\n\n".join(different)


@pytest.fixture
def fixed_catalog(catalog):
    """The committed catalog with one last-updated time, so that the copies do not depend on when it loaded."""
    Activity.objects.update(updated=FIXED_TIME)


def test_pages_api_and_exports_are_unchanged(client, fixed_catalog):
    compare("catalog", client, CATALOG_URLS)


def test_live_search_fragments_are_unchanged(client, fixed_catalog):
    compare("fragment", client, FRAGMENT_URLS, hx_request="true")


def test_a_broad_search_on_a_grown_catalog_is_unchanged(client, fixed_catalog):
    grow_catalog(2000)
    Activity.objects.update(updated=FIXED_TIME)
    compare("grown", client, GROWN_URLS)
    if connection.vendor == "sqlite":
        compare("grown", client, CAPPED_URLS)
    else:
        assert client.get("/api/activities/?q=synthetic").json()["count_capped"] is True
        assert "1,000+" in normalised(client.get("/activities/?q=synthetic").content.decode())
        assert "+)</span>" in client.get("/activities/?q=synthetic+activity&category=email").content.decode()


def test_the_urls_are_distinct():
    names = [file_name("catalog", url) for url in CATALOG_URLS]
    assert len(names) == len(set(names)), "two URLs would share a kept copy"
