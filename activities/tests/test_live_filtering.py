import re

import pytest

from activities.tests.helpers import result_count

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_facet_links_toggle_one_value_and_keep_the_rest(client, catalog):
    """Each facet link adds or removes only its own value, keeps the search and goes back to page one."""
    html = client.get("/activities/?q=sent&category=email&page=1").content.decode()
    assert 'id="facet-category-sms" href="?q=sent&amp;category=email&amp;category=sms">' in html
    assert 'id="facet-category-email" href="?q=sent" aria-current="true">' in html
    assert 'id="facet-kind-system" href="?q=sent&amp;category=email&amp;kind=system">' in html
    assert re.search(r"Email</span> <span class=\"facet__count\">\(3\)", html)
    assert re.search(r"SMS</span> <span class=\"facet__count\">\(5\)", html)
    assert result_count("q=sent&category=sms") == 5


def test_active_filters_are_shown_and_removable(client, catalog):
    """Each active filter appears as a chip whose link removes just that filter."""
    html = client.get("/activities/?q=sent&category=email&kind=system").content.decode()
    assert 'id="remove-q" href="?category=email&amp;kind=system"' in html
    assert 'id="remove-category-email" href="?q=sent&amp;kind=system"' in html
    assert 'id="remove-kind-system" href="?q=sent&amp;category=email"' in html
    assert 'href="/activities/">Clear all</a>' in html


def test_categories_without_matches_are_not_links(client, catalog):
    """A category with no match, and not chosen, is shown with (0) but offers no dead-end link."""
    html = client.get("/activities/?q=widget").content.decode()
    assert 'id="facet-category-talk"' not in html
    assert '<span class="facet__label">Talk</span> <span class="facet__count">(0)</span>' in html


def test_htmx_request_gets_only_the_results_fragment(client, catalog):
    """An htmx request receives the results partial with its title, not the whole page."""
    response = client.get("/activities/?q=bounced", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "site-header" not in html
    assert html.strip().startswith("<title>“bounced” · All activities · Activity explorer</title>")
    assert 'id="results"' in html
    assert 'href="/activities/bounced-email/"' in html and 'href="/activities/bounced-sms/"' in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(client, catalog):
    """A history restore after a cache miss asks for the page itself, so it gets the whole page."""
    html = client.get("/activities/?q=bounced", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX).content.decode()
    assert html.startswith("<!doctype html>")


def test_category_page_fragment(client, catalog):
    """A category page answers htmx with just its results, filtered by the search."""
    response = client.get("/categories/email/?q=unsubscribe", **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert "2 of this category's activities match “unsubscribe”" in html
    assert "HX-Request" in response["Vary"]


def test_pages_load_htmx_and_own_script_from_the_app(client, catalog):
    """Every page loads htmx and the site's script from /static/, with no inline script or style."""
    for url in ["/", "/categories/email/", "/activities/?q=x", "/activities/sent-email/", "/nowhere/"]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script[^>]*>", html)
        # Hashed names from the manifest, which production serves for a year without revalidating.
        assert [re.sub(r"\.[0-9a-f]{12}\.js", ".js", script) for script in scripts] == [
            '<script src="/static/js/htmx-2.0.11.min.js" defer>',
            '<script src="/static/js/explorer.js" defer>',
        ], url
        for src in re.findall(r'<script src="([^"]+)"', html):
            assert client.get(src).status_code == 200, src
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)
        assert not re.search(r"(src|href)=\"(https?:)?//", html), url


def test_copy_buttons_carry_name_and_permalink(client, catalog):
    """The detail page offers copy buttons for the name and the permalink, hidden until a script can copy."""
    html = client.get("/activities/sent-email/").content.decode()
    assert '<div class="copy-buttons" data-copy-group hidden>' in html
    assert 'data-copy-text="Sent email"' in html
    assert 'data-copy-url="/activities/sent-email/"' in html


def test_home_search_goes_to_the_list(client, catalog):
    """The home page's own search form submits to the activity list."""
    html = client.get("/").content.decode()
    assert '<form class="search-form" role="search" method="get" action="/activities/">' in html


def test_fragment_explains_bad_filters(client, catalog):
    """A live request with a bad filter gets the same clear message as the full page, and no results."""
    html = client.get("/activities/?q=sent&kind=legendary", **HTMX).content.decode()
    assert "Some filters could not be used" in html
    assert "legendary is not one of the available choices" in html
    assert "0 activities" in html
