import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client

from activities.models import Activity, Catalog, Category
from activities.tests.forms import submit
from activities.tests.helpers import count_queries
from activities.tests.public_urls import PUBLIC_URLS

pytestmark = pytest.mark.django_db

SOURCE = settings.BASE_DIR / "fixtures" / "source" / "system-activities.txt"


def etag(url, **headers):
    return Client().get(url, headers=headers).headers["ETag"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_send_validators(client, catalog, url):
    """Public pages carry an ETag and Last-Modified, vary by HX-Request, and must be revalidated before reuse."""
    response = client.get(url)
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert "HX-Request" in response.headers["Vary"]
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_unchanged_page_answers_304_without_rendering(client, catalog, url):
    """A conditional request for an unchanged page answers 304 with no template rendered."""
    first = client.get(url)
    # One query, for the catalog's version: the page's own queries never run.
    assert count_queries(client, url, status=304, headers={"If-None-Match": first.headers["ETag"]}) == 1
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.templates == []
    assert again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304


def test_repeat_visit_comes_from_the_render_cache(client, catalog):
    """A second anonymous visit gets the same page without rendering it again."""
    first = client.get("/activities/?q=email")
    # One query, for the catalog's version, which keys the cached copy.
    assert count_queries(client, "/activities/?q=email") == 1
    again = client.get("/activities/?q=email")
    assert again.status_code == 200
    assert again.templates == []
    assert again.content == first.content


def test_repeat_api_request_comes_from_the_render_cache_per_format(client, catalog):
    """The API's answers are kept like the pages, apart for each format the Accept header picks."""
    first = client.get("/api/activities/?q=email")
    browsable = client.get("/api/activities/?q=email", headers={"Accept": "text/html"})
    assert count_queries(client, "/api/activities/?q=email") == 1
    again = client.get("/api/activities/?q=email")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Content-Type"] == "application/json"
    # Kept as its bytes and headers, the answer is the one first sent, header for header.
    assert again.content == first.content and dict(again.headers) == dict(first.headers)
    assert browsable.headers["Content-Type"].startswith("text/html")
    assert browsable.content != first.content
    assert client.get("/api/activities/?q=nosuchword").json()["count"] == 0


def test_validators_differ_by_query_string_and_htmx(client, catalog):
    """What changes the HTML changes the ETag: the query string, and htmx asking for a fragment."""
    tags = {
        etag("/activities/"),
        etag("/activities/?q=email"),
        etag("/activities/?q=email&q=sms"),
        etag("/activities/?q=email", **{"HX-Request": "true"}),
    }
    assert len(tags) == 4


def test_staff_get_no_validators_and_always_see_their_admin_link(staff_client, catalog):
    """Staff pages (with their Admin link) are never cached and never answered 304 from an anonymous ETag."""
    anonymous = Client().get("/")
    assert "Admin</a>" not in anonymous.content.decode()
    response = staff_client.get("/", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert 'href="/admin/">Admin</a>' in response.content.decode()
    assert "Admin</a>" not in Client().get("/").content.decode()


def edit_in_admin(staff_client, tmp_path):
    activity = Activity.objects.get(slug="sent-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    assert submit(staff_client, url, {"definition": "Changed in the admin."}, button="_save").status_code == 302


def import_article(staff_client, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(SOURCE.read_text().replace("This activity is recorded when", "Changed by an import:", 1))
    call_command("import_article", article, "--apply-non-conflicting", verbosity=0)


def load_fixture(staff_client, tmp_path):
    # loaddata saves raw: no signal handler would see this, only the database.
    Activity.objects.all().delete()
    call_command("loaddata", "catalog", verbosity=0)


def update_queryset(staff_client, tmp_path):
    Activity.objects.filter(slug="sent-email").update(definition="Changed by QuerySet.update().")


def raw_sql(staff_client, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE activities_activity SET definition = 'Changed by raw SQL.' WHERE slug = 'sent-email'")


def bulk_create(staff_client, tmp_path):
    Activity.objects.bulk_create(
        [Activity(name="New one", slug="new-one", category=Category.objects.first(), definition="Added in bulk.")]
    )


def delete_one(staff_client, tmp_path):
    Activity.objects.filter(slug="sent-email").delete()


def edit_category(staff_client, tmp_path):
    Category.objects.filter(slug="email").update(description="Changed category.")


def edit_introduction(staff_client, tmp_path):
    Catalog.objects.update(overview="Changed introduction.")


@pytest.mark.parametrize(
    "change",
    [
        edit_in_admin,
        import_article,
        load_fixture,
        update_queryset,
        raw_sql,
        bulk_create,
        delete_one,
        edit_category,
        edit_introduction,
    ],
)
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_kind_of_write_changes_the_validators(staff_client, catalog, tmp_path, change, url):
    """Whatever writes to the catalog, old validators stop matching and the next request renders afresh."""
    before = Client().get(url)
    change(staff_client, tmp_path)
    after = Client().get(url, headers={"If-None-Match": before.headers["ETag"]})
    gone = change is delete_one and url.endswith("/sent-email/")
    assert after.status_code == (404 if gone else 200)
    assert after.headers.get("ETag") != before.headers["ETag"]
    # Pages render a template afresh; the API and the exports write their data, so a body shows it ran.
    assert after.templates or after.content


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/activities/", "/api/activities/sent-email/", "/api/categories/email/"])
def test_the_render_cache_answers_only_get_and_head(client, catalog, method, url):
    """Once the API's answer is cached, a write method still answers 405 (read-only API), never the GET body."""
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    response = getattr(client, method)(url, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}


def test_api_links_follow_the_host_asked_for(catalog):
    """The API's `next` link names the host of the request, even after another host's answer was cached."""
    for host in ("localhost", "127.0.0.1", "localhost"):
        response = Client().get("/api/activities/", HTTP_HOST=host)
        assert response.json()["next"] == f"http://{host}/api/activities/?page=2"
    assert etag("/api/activities/", Host="localhost") != etag("/api/activities/", Host="127.0.0.1")


def test_api_links_follow_the_scheme_asked_for(catalog):
    """A page cached for http is not served to https (behind a TLS-ending proxy), nor its ETag reused."""
    plain = Client().get("/api/activities/", HTTP_HOST="localhost")
    secure = Client().get("/api/activities/", HTTP_HOST="localhost", secure=True)
    assert plain.json()["next"] == "http://localhost/api/activities/?page=2"
    assert secure.json()["next"] == "https://localhost/api/activities/?page=2"
    assert plain.headers["ETag"] != secure.headers["ETag"]
    again = Client().get(
        "/api/activities/", HTTP_HOST="localhost", secure=True, headers={"If-None-Match": plain["ETag"]}
    )
    assert again.status_code == 200


FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/categories/does-not-exist/", 404),
        ("/activities/does-not-exist/", 404),
        ("/destinations/does-not-exist/", 404),
        ("/api/activities/does-not-exist/", 404),
        ("/api/categories/does-not-exist/", 404),
        ("/api/activities/?page=999", 404),
        ("/api/activities/?kind=bogus", 400),
    ],
)
@pytest.mark.parametrize(
    "conditions",
    [{"If-None-Match": "*"}, {"If-Modified-Since": FUTURE}, {"If-None-Match": "*", "If-Modified-Since": FUTURE}],
    ids=["if-none-match-star", "future-if-modified-since", "both"],
)
def test_not_modified_only_for_a_page_that_exists(client, catalog, url, status, conditions):
    """Conditions that would match any page still get the 404 or 400 the URL answers, with its body."""
    for _ in range(2):
        response = client.get(url, headers=conditions)
        assert response.status_code == status
        assert response.content


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_any_etag_or_a_future_date_answers_304_for_a_page_that_exists(client, catalog, url):
    """`If-None-Match: *` and a future If-Modified-Since do answer 304 where the page answers 200."""
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": FUTURE}).status_code == 304


@pytest.mark.parametrize("url", ["/categories/email/", "/api/activities/?q=email"])
def test_a_current_etag_answers_304_after_the_page_left_the_render_cache(client, catalog, url):
    """The ETag a 200 gave is proof enough: its 304 comes early, with the 200's Vary, whatever the cache holds."""
    first = client.get(url)
    caches["pages"].clear()
    assert count_queries(client, url, status=304, headers={"If-None-Match": first.headers["ETag"]}) == 1
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.headers["ETag"]) == (304, first.headers["ETag"])
    assert set(again.headers["Vary"].split(", ")) == set(first.headers["Vary"].split(", "))
    # A condition that is no proof (a date alone) is left to the view, which renders the page again.
    caches["pages"].clear()
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_not_modified_is_answered_by_the_view_when_the_cache_is_off(client, catalog, settings):
    """With the render cache off, a matching ETag still answers 304, and a missing page still 404."""
    settings.EXPLORER_PAGE_CACHE = False
    tag = etag("/categories/email/")
    assert client.get("/categories/email/", headers={"If-None-Match": tag}).status_code == 304
    assert client.get("/categories/nope/", headers={"If-None-Match": "*"}).status_code == 404
