import pytest

from activities.tests.helpers import count_queries, grow_catalog

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/categories/email/",
    "/categories/email/?q=email",
    "/activities/",
    "/activities/?q=sent+email&category=email&category=sms&kind=system",
    "/activities/?category=nope",
    "/activities/sent-email/",
    "/categories/sms/?destination=webhook",
    "/activities/?destination=webhook&destination=salesforce",
    "/activities/?q=sent&category=email&category=sms&kind=system&destination=webhook",
    "/activities/?destination=nowhere",
    "/destinations/webhook/",
    # Exact at 69 activities, past SEARCH_COUNT_LIMIT at 2,000: a capped search runs no more queries.
    "/activities/?q=activity",
    "/categories/email/?q=activity",
]
# A category page reads its lifecycle (its *follows* relations) in a query of its own; every page reads
# all its facets in one.
MAX_QUERIES = 7


@pytest.mark.parametrize("url", PAGES)
def test_query_count_is_bounded_and_constant(client, catalog, django_user_model, url):
    """
    Every public page runs at most seven queries, and the same number at
    2,000 activities as at 69: no query per row or per category.
    """
    small = count_queries(client, url)
    grow_catalog()
    large = count_queries(client, url)
    assert small <= MAX_QUERIES
    assert large == small
