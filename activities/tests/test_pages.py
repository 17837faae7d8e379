import pytest
from django.test import Client
from django.urls import reverse, set_script_prefix

from activities.models import Activity, Category, Destination

pytestmark = pytest.mark.django_db


def test_home_shows_overview_categories_and_search(client, catalog):
    """Home shows the overview, the seven categories in article order with counts and links, and a search form."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "It helps you understand when each activity is triggered" in html
    positions = [html.index(f'href="/categories/{slug}/"') for slug in Category.objects.values_list("slug", flat=True)]
    assert positions == sorted(positions)
    assert "15 activities" in html
    assert "1 activity" in html
    assert 'name="q"' in html
    assert 'action="/activities/"' in html


def test_home_search_form_leads_to_results(client, catalog):
    """The home page's search form submits to the activity list."""
    response = client.get("/")
    assert response.context["filter"].form["q"].html_name == "q"
    results = client.get("/activities/", {"q": "widget"})
    assert "Shown <mark>widget</mark>" in results.content.decode()


def test_category_page(client, catalog):
    """A category page puts 'activities' back in its heading and lists its activities with definitions."""
    response = client.get("/categories/email/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Email activities</h1>" in html
    assert '<a href="/activities/sent-email/">Sent email</a>' in html
    assert "This activity is recorded when the recipient opens the email." in html
    assert "Sent SMS" not in html
    assert len(response.context["activities"]) == 15


def test_category_page_filter(client, catalog):
    """The category page's form narrows its table by text."""
    response = client.get("/categories/email/", {"q": "unsubscribe"})
    names = [activity.name for activity in response.context["activities"]]
    assert names == ["Unsubscribed from email", "Unsubscribed from email audience"]


def test_category_page_filter_no_match(client, catalog):
    """No match on a category page shows an empty state with a way back."""
    html = client.get("/categories/talk/", {"q": "zebra"}).content.decode()
    assert "No Talk activity matches" in html
    assert 'href="/categories/talk/"' in html


def test_activity_list(client, catalog):
    """The list shows every activity with its category and a count."""
    response = client.get("/activities/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "69 activities" in html
    assert 'href="/categories/email/">Email</a>' in html
    assert 'href="/categories/knowledge-base/">Knowledge base</a>' in client.get("/activities/?page=2").content.decode()
    assert response.context["page"].paginator.count == 69


def test_activity_list_empty_state(client, catalog):
    """No match shows a helpful empty state with a way back."""
    html = client.get("/activities/", {"q": "xyzzyq-qqqzz"}).content.decode()
    assert "0 activities" in html
    assert "No activity matches these filters." in html
    assert 'href="/activities/">clear every filter</a>' in html


def test_activity_list_paginates(client, many_activities, settings):
    """A large catalog is paginated, and page links keep the filters (capped counts: test_search_limit.py)."""
    settings.SEARCH_COUNT_LIMIT = 5000
    response = client.get("/activities/", {"q": "synthetic", "page": 2})
    page = response.context["page"]
    assert page.number == 2
    assert page.paginator.count == 1931
    assert "?q=synthetic&amp;page=3" in response.content.decode()


def test_activity_detail(client, catalog):
    """A detail page shows name, category link, definition, kind, neighbours and last update."""
    response = client.get("/activities/opened-email/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Opened email</h1>" in html
    assert 'href="/categories/email/">Email activities</a>' in html
    assert "This activity is recorded when the recipient opens the email." in html
    assert "System" in html
    assert "Last updated" in html and "28 November 2026" in html
    assert response.context["previous"].name == "Received email"
    assert response.context["next"].name == "Clicked email"


def test_first_and_last_in_category_have_one_neighbour(client, catalog):
    """The first activity of a category has no previous one, the last no next one."""
    first = client.get("/activities/sent-email/").context
    assert first["previous"] is None and first["next"].name == "Received email"
    last = client.get("/activities/article-feedback-submitted/").context
    assert last["previous"] is None and last["next"] is None


def test_neighbours_break_position_ties_by_name_within_the_category(client, catalog):
    """Activities sharing a position follow one another by name, and neighbours never come from another category."""
    Activity.objects.filter(category__slug="email").update(position=7)
    names = list(Activity.objects.filter(category__slug="email").order_by("name").values_list("name", flat=True))
    middle = Activity.objects.get(name=names[1])
    context = client.get(middle.get_absolute_url()).context
    assert (context["previous"].name, context["next"].name) == (names[0], names[2])
    first = client.get(Activity.objects.get(name=names[0]).get_absolute_url()).context
    assert first["previous"] is None and first["next"].name == names[1]
    last = client.get(Activity.objects.get(name=names[-1]).get_absolute_url()).context
    assert last["previous"].name == names[-2] and last["next"] is None


@pytest.mark.parametrize("url", ["/activities/no-such-thing/", "/categories/no-such-thing/", "/nowhere/"])
def test_unknown_slug_is_our_404(client, catalog, url):
    """Unknown slugs answer 404 with the site's own page."""
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Browse the categories" in response.content.decode()


def test_500_page_is_our_own(catalog, settings):
    """A server error renders the site's own 500 page."""
    settings.ROOT_URLCONF = "activities.tests.urls_failing"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_definitions_are_escaped(client, catalog):
    """A definition is data: markup in it is shown as text, never run."""
    activity = Activity.objects.get(slug="sent-email")
    activity.definition = '<script>alert("x")</script> & <b>bold</b>'
    activity.save()
    for url in ["/activities/sent-email/", "/categories/email/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html
    html = client.get("/activities/?q=bold").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert" in html
    assert "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;" in html


def test_names_are_escaped_wherever_they_are_drawn(client, catalog):
    """Names are data too: list rows, facets, badges, the lifecycle and the overview chart show markup as text."""
    Category.objects.filter(slug="email").update(name="Email <i>&</i>")
    Activity.objects.filter(slug="sent-email").update(name="Sent <b>email</b>")
    destination = Destination.objects.first()
    Destination.objects.filter(pk=destination.pk).update(name="Hook <u>")
    Activity.objects.get(slug="sent-email").destinations.add(destination)
    pages = ["/", "/categories/email/", "/activities/", "/activities/?q=sent", "/activities/sent-email/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<i>" not in html and "<b>" not in html and "<u>" not in html, url
    drawn = {
        "/": [
            'y="13">General</text>',
            '<text class="overview-chart__label" x="0" y="67">Email &lt;i&gt;&amp;&lt;/i&gt;',
        ],
        "/categories/email/": [
            '<text x="18" y="23.0" dominant-baseline="central">Sent &lt;b&gt;email&lt;/b&gt;</text>',
            '<li><a href="/activities/sent-email/">Sent &lt;b&gt;email&lt;/b&gt;</a> is followed by',
        ],
        "/activities/": [
            '<span class="facet__label">Email &lt;i&gt;&amp;&lt;/i&gt;</span>',
            '<a class="category-link" href="/categories/email/">Email &lt;i&gt;&amp;&lt;/i&gt;</a>',
            'title="Synced to Hook &lt;u&gt;"><span class="visually-hidden">Synced to </span>Hook &lt;u&gt;</a>',
        ],
        "/activities/?q=sent": ['<a href="/activities/sent-email/"><mark>Sent</mark> &lt;b&gt;email&lt;/b&gt;</a>'],
        "/activities/sent-email/": ['<span class="visually-hidden">Synced to </span>Hook &lt;u&gt;</a></dd>'],
    }
    for url, pieces in drawn.items():
        html = client.get(url).content.decode()
        for piece in pieces:
            assert piece in html, (url, piece)


def test_edit_shows_at_once(client, catalog):
    """A changed definition appears on the public pages on the next request."""
    activity = Activity.objects.get(slug="tag-added")
    activity.definition = "Recorded whenever a tag lands on a contact."
    activity.save()
    assert (
        "Recorded whenever a tag lands"
        in client.get(reverse("activities:activity_detail", args=["tag-added"])).content.decode()
    )
    assert "Recorded whenever a tag lands" in client.get("/categories/general/").content.decode()


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("/activities/", 'href="/explorer/activities/sent-email/"'),
        ("/activities/", 'href="/explorer/categories/email/"'),
        ("/activities/sent-email/", 'href="/explorer/destinations/webhook/"'),
        ("/api/activities/", '"url":"http://testserver/explorer/activities/sent-email/"'),
        ("/api/categories/", '"url":"http://testserver/explorer/categories/email/"'),
    ],
)
def test_links_follow_the_prefix_the_site_is_mounted_under(client, catalog, url, link):
    """A deployment that mounts the site under a path gets links under that path, after others were made without."""
    Activity.objects.get(slug="sent-email").destinations.add(Destination.objects.get(slug="webhook"))
    assert link.replace("/explorer/", "/") in client.get(url).content.decode()
    set_script_prefix("/explorer/")
    try:
        assert link in client.get(url).content.decode()
    finally:
        set_script_prefix("/")
    assert link not in client.get(url).content.decode()
