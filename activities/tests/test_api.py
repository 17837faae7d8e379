import re
from datetime import UTC

import pytest
from django.test.utils import override_script_prefix

from activities.models import Activity, Category
from activities.tests.helpers import count_queries, grow_catalog

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
    assert email["url"] == "http://testserver/categories/email/"


def test_activity_detail_by_slug(client, catalog):
    """/api/activities/<slug>/ gives one activity with its category and definition."""
    body = client.get("/api/activities/sent-email/").json()
    activity = Activity.objects.get(slug="sent-email")
    assert body["name"] == "Sent email"
    assert body["category"] == "email"
    assert body["kind"] == "system"
    assert body["definition"] == activity.definition
    assert body["url"] == "http://testserver/activities/sent-email/"


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
    [bundle] = re.findall(
        r'"(/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.[0-9a-f]{12}\.js)"', html
    )
    assert client.get(bundle).status_code == 200
    assert "//cdn" not in html and "unpkg" not in html


def test_search_goes_through_the_one_entry_point(client, catalog):
    """API search finds what the site's search finds: stems, typos and all."""
    assert names(client.get("/api/activities/", {"q": "bounced"})) == ["Bounced email", "Bounced SMS"]
    assert names(client.get("/api/activities/", {"q": "bounse"})) == ["Bounced email", "Bounced SMS"]


@pytest.mark.parametrize(
    "url",
    ["/api/activities/", "/api/activities/?q=email&kind=system", "/api/activities/?q=activity", "/api/categories/"],
)
def test_list_query_count_is_constant(client, catalog, url):
    """
    The API's lists run the same queries with 2,000 activities as with 69 (the catalog version for the ETag, a
    count and one page, categories joined; for activities, the page's decisions, destinations and relations):
    nothing is fetched per row, and the public pages' budget holds.
    """
    small = count_queries(client, url)
    grow_catalog()
    assert count_queries(client, url) == small <= 7


def test_browsable_api_page_renders_for_browsers(client, catalog):
    """A browser asking for HTML gets DRF's browsable page with the results, served without a CDN."""
    response = client.get("/api/activities/?q=bounced", headers={"accept": "text/html"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bounced email" in html
    assert "/static/rest_framework/" in html
    # Every script, style and image comes from this site: no absolute or protocol-relative address.
    # (The results' own `url` links are absolute by design.)
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', html)


@pytest.mark.parametrize("query", ["page=abc", "page=999", "page=-1"])
def test_bad_page_is_a_json_404(client, catalog, query):
    """A page number that does not exist answers 404 in JSON, not 500."""
    response = client.get(f"/api/activities/?{query}")
    assert response.status_code == 404
    assert "detail" in response.json()


def every_row(client, url):
    """The rows of every page of an API list, following `next`."""
    rows = []
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_urls_in_json_are_the_pages_urls(client, catalog):
    """Every activity's and category's `url` is its page on the site, exactly as get_absolute_url() gives it."""
    activities = {activity.slug: activity for activity in Activity.objects.all()}
    rows = every_row(client, "/api/activities/")
    assert len(rows) == len(activities) == 69
    for row in rows:
        assert row["url"] == "http://testserver" + activities[row["slug"]].get_absolute_url()
    categories = {category.slug: category for category in Category.objects.all()}
    for row in every_row(client, "/api/categories/"):
        assert row["url"] == "http://testserver" + categories[row["slug"]].get_absolute_url()
    assert client.get(rows[0]["url"]).status_code == 200
    assert client.get(client.get("/api/categories/email/").json()["url"]).status_code == 200


def test_urls_follow_the_prefix_the_site_is_mounted_under(client, catalog):
    """Mounted under a path prefix, the API's URLs carry it, request by request, as reverse() does."""
    with override_script_prefix("/explorer/"):
        assert (
            client.get("/api/activities/sent-email/").json()["url"]
            == "http://testserver/explorer/activities/sent-email/"
        )
        assert (
            client.get("/api/categories/")
            .json()["results"][0]["url"]
            .startswith("http://testserver/explorer/categories/")
        )
    assert client.get("/api/activities/sent-email/").json()["url"] == "http://testserver/activities/sent-email/"


def test_activity_shape(client, catalog):
    """An activity reads the same in the list and on its own, with these fields in this order and types."""
    activity = Activity.objects.select_related("category").get(slug="sent-email")
    detail = client.get("/api/activities/sent-email/").json()
    assert detail == {
        "slug": "sent-email",
        "name": "Sent email",
        "category": "email",
        "category_name": activity.category.name,
        "kind": "system",
        "position": activity.position,
        "definition": activity.definition,
        "updated": activity.updated.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "url": "http://testserver/activities/sent-email/",
        "api_url": "http://testserver/api/activities/sent-email/",
        "destinations": [
            {"destination": "salesforce", "decision": "undecided", "reason": "", "decided_at": None},
            {"destination": "webhook", "decision": "undecided", "reason": "", "decided_at": None},
        ],
        "relations": detail["relations"],
    }
    assert detail["relations"][0] == {
        "label": detail["relations"][0]["label"],
        "activity": detail["relations"][0]["activity"],
        "url": f"http://testserver/activities/{detail['relations'][0]['activity']}/",
        "api_url": f"http://testserver/api/activities/{detail['relations'][0]['activity']}/",
    }
    assert list(detail) == [
        "slug",
        "name",
        "category",
        "category_name",
        "kind",
        "position",
        "definition",
        "updated",
        "url",
        "api_url",
        "destinations",
        "relations",
    ]
    listed = next(row for row in every_row(client, "/api/activities/") if row["slug"] == "sent-email")
    assert listed == detail


def test_category_shape(client, catalog):
    """A category reads the same in the list and on its own, with its activity count and page."""
    email = Category.objects.get(slug="email")
    detail = client.get("/api/categories/email/").json()
    assert detail == {
        "slug": "email",
        "name": email.name,
        "description": email.description,
        "position": email.position,
        "activity_count": Activity.objects.in_category("email").count(),
        "url": "http://testserver/categories/email/",
        "api_url": "http://testserver/api/categories/email/",
    }
    assert next(row for row in client.get("/api/categories/").json()["results"] if row["slug"] == "email") == detail


def test_schema_describes_each_field_with_its_type(client, catalog):
    """The OpenAPI components give every field of an activity and a category its JSON type."""
    components = client.get("/api/schema/", headers={"accept": "application/json"}).json()["components"]["schemas"]
    activity = components["Activity"]["properties"]
    read_only_string = {"readOnly": True, "type": "string"}
    assert activity["category"] == read_only_string
    assert activity["category_name"] == read_only_string
    assert activity["url"] == {**read_only_string, "description": "The activity's page."}
    assert activity["updated"] == {**read_only_string, "format": "date-time"}
    assert activity["kind"] == {"$ref": "#/components/schemas/KindEnum"}
    assert activity["position"]["type"] == "integer"
    assert activity["slug"] == {"type": "string", "maxLength": 200, "pattern": "^[-a-zA-Z0-9_]+$"}
    assert activity["name"] == {"type": "string", "maxLength": 200}
    assert activity["definition"] == {"type": "string"}
    assert "description" not in components["Activity"]
    category = components["Category"]["properties"]
    assert category["url"] == {**read_only_string, "description": "The category's page."}
    assert category["activity_count"] == {"readOnly": True, "type": "integer"}
    assert category["position"]["type"] == "integer"


def test_each_request_validates_its_own_parameters(client, catalog):
    """An invalid parameter in one request leaves the next request's filtering untouched."""
    assert client.get("/api/activities/?kind=legendary").status_code == 400
    system = client.get("/api/activities/?kind=system").json()
    assert system["count"] == Activity.objects.filter(kind="system").count()
    assert client.get("/api/activities/?category=no-such-category").status_code == 400
    assert (
        client.get("/api/activities/?category=email").json()["count"] == Activity.objects.in_category("email").count()
    )


@pytest.mark.parametrize("url, queries", [("/api/activities/sent-email/", 5), ("/api/categories/email/", 2)])
def test_detail_query_count(client, catalog, url, queries):
    """
    One object is the catalog version for the ETag and one query for the row, its category joined; an
    activity adds its decisions, the destinations and its relations.
    """
    assert count_queries(client, url) == queries
