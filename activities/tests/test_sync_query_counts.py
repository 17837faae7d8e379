import pytest

from activities.models import Activity, Destination, Relation
from activities.tests.helpers import count_queries, grow_catalog
from activities.tests.test_query_counts import MAX_QUERIES

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/categories/email/",
    "/categories/sms/?destination=salesforce",
    "/activities/",
    "/activities/?destination=webhook",
    "/activities/sent-email/",
    "/destinations/webhook/",
    # Every filter at once, with results: the slugs checked, the search, every facet and the page.
    "/activities/?q=sent&category=email&category=sms&kind=system&destination=webhook&destination=salesforce",
    "/categories/email/?q=sent&kind=system&destination=webhook",
    # A misspelt search corrects its words with what the search already reads.
    "/categories/email/?q=sentt+emial&destination=salesforce",
]


def sync_everything():
    """Every activity synced to both destinations, and every synthetic one related to Sent email."""
    destinations = list(Destination.objects.all())
    through = Activity.destinations.through
    through.objects.all().delete()
    through.objects.bulk_create(
        through(activity_id=pk, destination_id=destination.pk)
        for pk in Activity.objects.values_list("pk", flat=True)
        for destination in destinations
    )
    sent = Activity.objects.get(slug="sent-email")
    Relation.objects.bulk_create(
        Relation(from_activity_id=pk, kind=Relation.Kind.FOLLOWS, to_activity=sent)
        for pk in Activity.objects.filter(slug__startswith="synthetic").values_list("pk", flat=True)
    )


@pytest.mark.parametrize("url", PAGES)
def test_badges_relations_and_diagrams_add_no_query_per_row(client, catalog, url):
    """
    With every activity synced and related, badges, facet counts, relations and diagrams
    cost the same number of queries at 2,000 activities as at 69: none of them queries per row.
    """
    sync_everything()
    small = count_queries(client, url)
    grow_catalog()
    sync_everything()
    large = count_queries(client, url)
    assert small <= MAX_QUERIES
    assert large == small
