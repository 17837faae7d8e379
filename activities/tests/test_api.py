import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, Category
from activities.tests.conftest import grow_catalog

pytestmark = pytest.mark.django_db


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_categories_list_in_display_order_with_counts(client, catalog):
    """/api/categories/ lists the seven categories in article order, with their activity counts."""
    response = client.get("/api/categories/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert [row["slug"] for row in results] == list(Category.objects.values_list("slug", flat=True))
    email = next(row for row in results if row["slug"] == "email")
    assert email["activity_count"] == Activity.objects.in_category("email").count()
    assert email["url"] == "/categories/email/"


def test_activity_detail_by_slug(client, catalog):
    """/api/activities/<slug>/ gives one activity with its category and definition."""
    body = client.get("/api/activities/sent-email/").json()
    activity = Activity.objects.get(slug="sent-email")
    assert body["name"] == "Sent email"
    assert body["category"] == "email"
    assert body["kind"] == "system"
    assert body["definition"] == activity.definition
    assert body["url"] == "/activities/sent-email/"


def test_activity_list_is_paginated(client, catalog):
    """The list says how many activities there are and pages through them."""
    first = client.get("/api/activities/").json()
    assert first["count"] == 69
    assert len(first["results"]) == 50
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 19
    assert second["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        "q=sent+email",
        "q=carrier",
        "category=email&category=sms",
        "kind=system&category=talk",
        "q=email&category=email&kind=system",
        "q=",
    ],
)
def test_list_answers_like_the_html_list(client, catalog, query):
    """The API and /activities/ take the same parameters and give the same activities in the same order."""
    html_page = client.get(f"/activities/?{query}").context["page"]
    api = client.get(f"/api/activities/?{query}").json()
    assert api["count"] == html_page.paginator.count
    assert names(client.get(f"/api/activities/?{query}")) == [activity.name for activity in html_page.object_list]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("category=no-such-category", "category"), ("kind=legendary", "kind"), ("q=" + "x" * 300, "q")],
)
def test_invalid_parameter_is_a_400_naming_it(client, catalog, query, parameter):
    """An invalid parameter answers 400 with a JSON body whose key is the parameter."""
    response = client.get(f"/api/activities/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert parameter in response.json()


def test_unknown_slug_is_a_404_in_json(client, catalog):
    """An unknown slug answers 404 with a JSON body."""
    for url in ("/api/activities/no-such-activity/", "/api/categories/no-such-category/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/categories/", "/api/activities/?q=email", "/api/activities/sent-email/"])
def test_etag_and_304(client, catalog, url):
    """Responses carry an ETag; sending it back answers 304 until the data changes."""
    first = client.get(url)
    etag = first["ETag"]
    assert etag
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    Activity.objects.filter(slug="sent-email").update(definition="Recorded when an email leaves for its recipient.")
    Category.objects.filter(slug="email").update(description="Changed.")
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_schema_and_doc_page(client, catalog):
    """The OpenAPI schema lists the endpoints; the doc page loads Swagger UI from the app's own static files."""
    schema = client.get("/api/schema/", headers={"accept": "application/json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/activities/", "/api/activities/{slug}/", "/api/categories/"} <= set(paths)
    parameters = {parameter["name"] for parameter in paths["/api/activities/"]["get"]["parameters"]}
    assert {"q", "category", "kind", "page"} <= parameters
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html


def test_search_goes_through_the_one_entry_point(client, catalog):
    """API search ranks names above definitions, like the site's search."""
    found = names(client.get("/api/activities/", {"q": "bounced"}))
    assert found
    assert found == [row.name for row in Activity.objects.search("bounced")]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/api/activities/", "/api/activities/?q=email&kind=system", "/api/activities/?q=activity", "/api/categories/"],
)
def test_list_query_count_is_constant(client, catalog, url):
    """
    The API's lists run the same queries with 2,000 activities as with 69
    (the catalog version for the ETag, a count and one page, categories joined): nothing is fetched per row.
    """
    small = count_queries(client, url)
    grow_catalog()
    assert count_queries(client, url) == small <= 4


def test_browsable_api_page_renders_for_browsers(client, catalog):
    """A browser asking for HTML gets DRF's browsable page with the results, served without a CDN."""
    response = client.get("/api/activities/?q=bounced", headers={"accept": "text/html"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bounced email" in html
    assert "/static/rest_framework/" in html
    # Every script, style and image comes from this site: no absolute or protocol-relative address.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


@pytest.mark.parametrize("query", ["page=abc", "page=999", "page=-1"])
def test_bad_page_is_a_json_404(client, catalog, query):
    """A page number that does not exist answers 404 in JSON, not 500."""
    response = client.get(f"/api/activities/?{query}")
    assert response.status_code == 404
    assert "detail" in response.json()
