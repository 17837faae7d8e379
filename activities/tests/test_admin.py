import pytest

from activities.models import Activity, Category
from activities.tests.forms import read_form, submit

pytestmark = pytest.mark.django_db


def test_admin_edit_changes_public_page(staff_client, catalog):
    """A definition changed through the admin shows on the activity's public page."""
    activity = Activity.objects.get(slug="opened-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    definition = "Recorded when the recipient opens the email, as counted by the tracking pixel."
    response = submit(staff_client, url, {"definition": definition}, button="_save")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert response["Location"] == "/admin/activities/activity/"
    public = staff_client.get("/activities/opened-email/").content.decode()
    assert "as counted by the tracking pixel" in public


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/activities/activity/",
        "/admin/activities/activity/?category__id__exact=2&kind__exact=system",
        "/admin/activities/activity/?q=bounced",
        "/admin/activities/category/",
        "/admin/activities/activity/add/",
        "/admin/activities/catalog/",
    ],
)
def test_admin_pages_load(staff_client, catalog, url):
    """The admin's lists, filters, search and forms answer 200."""
    assert staff_client.get(url).status_code == 200


def test_admin_search_uses_name_and_definition(staff_client, catalog):
    """The admin's search box finds words in definitions."""
    response = staff_client.get("/admin/activities/activity/", {"q": "carrier"})
    names = {activity.name for activity in response.context["cl"].result_list}
    assert names == {"Delivered SMS", "Deferred SMS"}


def test_category_change_page_edits_its_activities(staff_client, catalog):
    """A category's activities are edited inline from the category."""
    category = Category.objects.get(slug="knowledge-base")
    url = f"/admin/activities/category/{category.pk}/change/"
    response = staff_client.get(url)
    html = response.content.decode()
    assert "Article feedback submitted" in html
    activity = Activity.objects.get(slug="article-feedback-submitted")
    [row] = [
        name.removesuffix("-id")
        for name, value in read_form(response, form_id="category_form").pairs
        if name.startswith("activities-") and name.endswith("-id") and value == str(activity.pk)
    ]
    changes = {"description": "Help-centre articles.", f"{row}-definition": "Edited inline from the category."}
    response = submit(staff_client, url, changes, button="_save")
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).definition == "Edited inline from the category."
    assert "Help-centre articles." in staff_client.get("/categories/knowledge-base/").content.decode()


def test_view_on_site_links_to_public_page(staff_client, catalog):
    """The change page links to the public page."""
    activity = Activity.objects.get(slug="sent-sms")
    html = staff_client.get(f"/admin/activities/activity/{activity.pk}/change/").content.decode()
    assert "View on site" in html


def test_admin_refuses_a_duplicate_name(staff_client, catalog):
    """A second activity with an existing name is refused with a message, not a crash."""
    category = Category.objects.get(slug="email")
    changes = {"name": "sent EMAIL", "slug": "sent-email-2", "category": category.pk, "definition": "A copy."}
    response = submit(staff_client, "/admin/activities/activity/add/", changes, button="_save")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Activity.objects.count() == 69


def test_anonymous_users_are_sent_to_login(client, catalog):
    """The admin is for staff only."""
    response = client.get("/admin/activities/activity/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
