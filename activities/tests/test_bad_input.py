import pytest

pytestmark = pytest.mark.django_db

URLS = ["/", "/activities/", "/categories/email/", "/activities/sent-email/"]
BAD_QUERIES = [
    "category=no-such-category",
    "kind=legendary",
    "q=" + "x" * 10_240,
    "q=%00null",
    "category=%00",
    "kind=%00",
    "destination=%00",
    "destination=no-such-destination&destination=",
    "q=a&q=b&q=c&category=email&category=email",
    "unknown=1&another=2",
    "page=abc",
    "page=999999999999999999999",
    "page=-1",
    "q=%ff%fe",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_values_never_error(client, catalog, url, query):
    """Bad query values answer 200, never 500."""
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200


def test_unknown_category_is_a_form_error(client, catalog):
    """An unknown category slug is named in a form error, with an empty result."""
    response = client.get("/activities/?category=no-such-category")
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert "no-such-category is not one of the available choices" in html
    assert response.context["page"].paginator.count == 0


def test_unknown_kind_is_a_form_error(client, catalog):
    """An unknown kind is named in a form error."""
    html = client.get("/activities/?kind=legendary").content.decode()
    assert "legendary is not one of the available choices" in html


def test_long_query_is_a_form_error(client, catalog):
    """A 10 KB query is refused politely, not run."""
    response = client.get("/activities/", {"q": "x" * 10_240})
    assert "at most 200 characters" in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_nul_byte_is_a_form_error(client, catalog):
    """A NUL byte in q is refused with a message."""
    response = client.get("/activities/?q=a%00b")
    assert "Null characters are not allowed" in response.content.decode()


def test_repeated_keys_use_the_last_value(client, catalog):
    """A repeated q uses its last value, as Django's QueryDict does."""
    response = client.get("/activities/?q=nothing-at-all&q=widget")
    assert response.context["page"].paginator.count > 0


def test_out_of_range_page_shows_the_last_page(client, catalog):
    """A page number past the end shows the last page rather than an error."""
    response = client.get("/activities/?page=999")
    assert response.context["page"].number == 2
