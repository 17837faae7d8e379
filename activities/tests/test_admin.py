import re
from html import unescape

import pytest

from activities.models import Activity, Catalog, Category
from activities.tests.forms import messages_of, post_form, read_form, submit, text_of

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


def test_admin_index_lists_every_model(staff_client, catalog):
    """The admin's home links to each list an editor works with."""
    shown = text_of(staff_client.get("/admin/").content.decode())
    for name in ("Activities", "Catalog introductions", "Categories", "Destinations", "Relations", "Synonyms"):
        assert name in shown


@pytest.mark.parametrize(
    ("query", "count"),
    [({}, 69), ({"kind__exact": "system"}, 69), ({"kind__exact": "custom"}, 0), ({"q": "bounced"}, 2)],
)
def test_activity_list_filters_and_searches(staff_client, catalog, query, count):
    """The activity list shows every activity, narrowed by its filters and its search box."""
    listed = staff_client.get("/admin/activities/activity/", query).context["cl"].result_list
    assert len(listed) == count


def test_activity_list_filters_by_category(staff_client, catalog):
    """The category filter lists that category's activities only, the Email ones in their article order."""
    email = Category.objects.get(slug="email")
    listed = staff_client.get("/admin/activities/activity/", {"category__id__exact": email.pk}).context["cl"]
    assert len(listed.result_list) == 15
    assert [activity.name for activity in listed.result_list][:3] == ["Sent email", "Received email", "Opened email"]
    assert {activity.category_id for activity in listed.result_list} == {email.pk}


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


def test_editing_the_catalog_introduction_changes_the_home_page(staff_client, client, catalog):
    """The introduction saved in the admin is what the home page says."""
    introduction = Catalog.objects.get()
    url = f"/admin/activities/catalog/{introduction.pk}/change/"
    overview = "Every event the platform records on its own, explained for marketing teams."
    response = submit(staff_client, url, {"overview": overview}, button="_save", follow=True)
    assert response.redirect_chain == [("/admin/activities/catalog/", 302)]
    assert any("was changed successfully" in message for message in messages_of(response))
    assert overview in text_of(client.get("/").content.decode())


def listed_names(response):
    return [activity.name for activity in response.context["cl"].result_list]


def name_header(response):
    """The Name column's header cell: its link sorts by name, its toggle reverses the direction."""
    return re.search(r'<th scope="col" class="[^"]*column-name[^"]*">.*?</th>', response.content.decode(), re.S).group(
        0
    )


def test_sorting_by_a_column_header_reorders_the_list(staff_client, catalog):
    """Clicking the Name header sorts the list by name first; clicking it again reverses the order."""
    url = "/admin/activities/activity/"
    [by_name] = re.findall(r'href="(\?o=[^"]+)">Name</a>', name_header(staff_client.get(url)))
    sorted_once = staff_client.get(url + unescape(by_name))
    # In the database's collation, as the admin sorts.
    names = list(Activity.objects.order_by("name").values_list("name", flat=True))
    assert listed_names(sorted_once) in (names, names[::-1])
    [again] = re.findall(r'href="(\?o=[^"]+)">Name</a>', name_header(sorted_once))
    assert listed_names(staff_client.get(url + unescape(again))) == listed_names(sorted_once)[::-1]


def test_the_list_pages_through_every_activity(staff_client, many_activities):
    """2,000 activities show 100 a page; following the page links reaches every one exactly once."""
    url = "/admin/activities/activity/"
    first = staff_client.get(url)
    assert "2000 activities" in text_of(first.content.decode())
    pages = sorted({int(number) for number in re.findall(r'href="\?p=(\d+)"', first.content.decode())})
    assert pages[-1] == 20
    seen = listed_names(first)
    for number in range(2, 21):
        seen += listed_names(staff_client.get(url, {"p": number}))
    assert len(seen) == len(set(seen)) == 2000


def test_logout_ends_the_session(staff_client, catalog):
    """The header's Log out button signs the editor out; the admin then asks them to sign in again."""
    form = read_form(staff_client.get("/admin/"), form_id="logout-form")
    response = post_form(staff_client, form)
    assert response.status_code == 200
    assert "Thanks for spending some quality time with the web site today." in text_of(response.content.decode())
    again = staff_client.get("/admin/activities/activity/")
    assert again.status_code == 302
    assert again["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", ["/admin/login/", "/admin/activities/activity/1/change/"])
def test_a_form_posted_without_its_csrf_token_is_refused(staff_client, client, catalog, url):
    """A save or a sign-in that does not carry the page's CSRF token is refused and changes nothing."""
    browser = client if "login" in url else staff_client
    form = read_form(browser.get(url))
    form.pairs = [(name, value) for name, value in form.pairs if name != "csrfmiddlewaretoken"]
    if "login" in url:
        form.set("username", "editor")
        form.set("password", "anything")
    else:
        form.set("definition", "Forged.")
    response = post_form(browser, form)
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert not Activity.objects.filter(definition="Forged.").exists()
