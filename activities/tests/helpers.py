"""Plain functions the tests share: a bigger catalog, a query counter, and the admin list's actions."""

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from activities.filters import ActivityFilter
from activities.models import Activity, Category
from activities.tests.forms import post_form, read_form

CHANGELIST = "/admin/activities/activity/"


def grow_catalog(total=2000):
    """Add synthetic activities until the catalog holds `total`."""
    categories = list(Category.objects.all())
    Activity.objects.bulk_create(
        Activity(
            name=f"Synthetic activity {number}",
            slug=f"synthetic-activity-{number}",
            category=categories[number % len(categories)],
            definition=f"This activity is recorded when synthetic event {number} happens.",
            position=100 + number,
        )
        for number in range(total - Activity.objects.count())
    )


def count_queries(client, url, params=None, status=200, **extra):
    """
    How many queries one request for `url` runs, once the state each process detects only once is known:
    SQLite's JSON support is asked by a query the first time any page needs it, which would count against
    whichever test happened to come first.
    """
    connection.ensure_connection()
    connection.features.supports_json_field  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **extra)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    return len(queries)


def run_action(client, action, slugs, query=None):
    """
    On the activity list (filtered by `query`), tick the rows of these activities, choose `action` and
    click Run: the response is the action's own page, or the list it redirects back to.
    """
    page = client.get(CHANGELIST, query or {})
    form = read_form(page, form_id="changelist-form")
    form.set("_selected_action", list(Activity.objects.filter(slug__in=slugs).values_list("pk", flat=True)))
    form.set("action", action)
    return post_form(client, form, "index", follow=True)


def result_count(query):
    """How many activities the list shows for this query string: what following a facet link gives."""
    return ActivityFilter(QueryDict(query), queryset=Activity.objects.all()).results().count()
