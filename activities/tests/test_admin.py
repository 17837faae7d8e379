import pytest

from activities.models import Activity, Category
from activities.tests.conftest import admin_change_data

pytestmark = pytest.mark.django_db


def test_admin_edit_changes_public_page(staff_client, catalog):
    """A definition changed through the admin shows on the activity's public page."""
    activity = Activity.objects.get(slug="opened-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    data = admin_change_data(
        staff_client, url, definition="Recorded when the recipient opens the email, as counted by the tracking pixel."
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
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
    formset = response.context["inline_admin_formsets"][0].formset
    activity = Activity.objects.get(slug="article-feedback-submitted")
    data = {
        "name": category.name,
        "slug": category.slug,
        "description": "Help-centre articles.",
        "position": category.position,
        "version": category.version,
        f"{formset.prefix}-TOTAL_FORMS": "1",
        f"{formset.prefix}-INITIAL_FORMS": "1",
        f"{formset.prefix}-MIN_NUM_FORMS": "0",
        f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        f"{formset.prefix}-0-id": activity.pk,
        f"{formset.prefix}-0-category": category.pk,
        f"{formset.prefix}-0-position": 1,
        f"{formset.prefix}-0-name": "Article feedback submitted",
        f"{formset.prefix}-0-slug": activity.slug,
        f"{formset.prefix}-0-kind": "system",
        f"{formset.prefix}-0-definition": "Edited inline from the category.",
        f"{formset.prefix}-0-version": activity.version,
    }
    response = staff_client.post(url, data)
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
    response = staff_client.post(
        "/admin/activities/activity/add/",
        {
            "name": "sent EMAIL",
            "slug": "sent-email-2",
            "category": category.pk,
            "kind": "custom",
            "position": 99,
            "definition": "A copy.",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Activity.objects.count() == 69


def test_anonymous_users_are_sent_to_login(client, catalog):
    """The admin is for staff only."""
    response = client.get("/admin/activities/activity/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
