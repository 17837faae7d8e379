import csv
import io
import json

import pytest

from activities.models import Activity, Category
from activities.tests.forms import post_form, read_form, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def custom_activity(staff_client, catalog):
    """An editor adds a category and a custom activity in it through the admin's own forms."""
    category = {"name": "Webinars", "slug": "webinars", "description": "Online events run by the team."}
    response = submit(staff_client, "/admin/activities/category/add/", category, button="_save")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    add_page = read_form(staff_client.get("/admin/activities/activity/add/"), form_id="activity_form")
    assert add_page.value("kind") == "custom", "editors add their own activities"
    add_page.set("name", "Joined webinar")
    add_page.set("slug", "joined-webinar")
    add_page.set("category", Category.objects.get(slug="webinars").pk)
    add_page.set("definition", "Recorded when a contact joins one of the team’s webinars.")
    response = post_form(staff_client, add_page, "_save")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    return Activity.objects.get(slug="joined-webinar")


def test_custom_activity_and_category_appear_on_pages(client, custom_activity):
    """The new category is on the home page and has its page; the activity is listed with a custom badge."""
    home = client.get("/").content.decode()
    assert 'href="/categories/webinars/"' in home
    category_page = client.get("/categories/webinars/").content.decode()
    assert "Joined webinar" in category_page
    assert '<span class="badge badge--custom">custom</span>' in category_page
    detail = client.get("/activities/joined-webinar/").content.decode()
    assert "team’s webinars" in detail
    assert "badge--custom" in detail


def test_custom_activity_is_found_by_search_and_filters(client, custom_activity):
    """Search and the kind filter find the custom activity, labelled as custom."""
    found = client.get("/activities/", {"q": "webinar"}).context["page"].object_list
    assert [activity.slug for activity in found] == ["joined-webinar"]
    custom_only = client.get("/activities/", {"kind": "custom"})
    assert [activity.slug for activity in custom_only.context["page"].object_list] == ["joined-webinar"]
    assert "badge--custom" in custom_only.content.decode()


def test_custom_activity_in_api_and_exports(client, custom_activity):
    """The API and both exports include the custom activity with kind custom."""
    api = client.get("/api/activities/", {"q": "webinar"}).json()["results"]
    assert [(row["slug"], row["kind"], row["category"]) for row in api] == [("joined-webinar", "custom", "webinars")]
    assert "webinars" in [row["slug"] for row in client.get("/api/categories/").json()["results"]]
    rows = list(csv.DictReader(io.StringIO(client.get("/activities.csv?kind=custom").content.decode("utf-8-sig"))))
    assert [(row["slug"], row["kind"], row["category_name"]) for row in rows] == [
        ("joined-webinar", "custom", "Webinars")
    ]
    exported = json.loads(client.get("/activities.json?category=webinars").content)
    assert [(row["slug"], row["kind"]) for row in exported] == [("joined-webinar", "custom")]
