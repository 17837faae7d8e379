import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from activities import facets
from activities.filters import ActivityFilter
from activities.models import Activity, Category, Destination
from activities.tests.helpers import result_count
from activities.tests.test_sync_plan import sync

pytestmark = pytest.mark.django_db


def facet_counts(query):
    choices = facets.facets(ActivityFilter(QueryDict(query), queryset=Activity.objects.all()))
    return {name: {choice.value: choice.count for choice in choices[name]} for name in ("category", "kind")}


def test_facet_counts_follow_the_search(catalog):
    """With a search, each category counts only its matching activities; categories with none count 0."""
    counts = facet_counts("q=email")
    assert counts["category"]["email"] == 15
    assert counts["category"]["sms"] == 1
    assert counts["category"]["talk"] == 0
    assert list(counts["category"]) == list(Category.objects.values_list("slug", flat=True))
    assert counts["kind"] == {"system": 16, "custom": 0}


def test_each_facet_ignores_its_own_filter(catalog):
    """Choosing a category leaves the other categories' counts as they were, so they can be added; kind follows it."""
    Activity.objects.filter(slug="sent-sms").update(kind="custom")
    counts = facet_counts("q=sent&category=email&kind=system")
    assert counts["category"]["email"] == result_count("q=sent&category=email&kind=system") == 3
    assert counts["category"]["sms"] == result_count("q=sent&category=sms&kind=system") == 4
    assert counts["kind"] == {"system": 3, "custom": 0}


def test_kind_counts_cover_only_the_chosen_categories(catalog):
    """Kind counts add up the chosen categories' matches, and every category when none is chosen."""
    Activity.objects.filter(slug="sent-sms").update(kind="custom")
    both = result_count("q=sent&category=email&category=sms&kind=system")
    assert both == 7
    assert facet_counts("q=sent&category=email&category=sms")["kind"] == {"system": both, "custom": 1}
    assert facet_counts("q=sent&category=email")["kind"] == {"system": 3, "custom": 0}
    assert facet_counts("q=sent")["kind"] == {"system": result_count("q=sent&kind=system"), "custom": 1}
    assert facet_counts("q=sent&category=no-such-category")["kind"] == facet_counts("q=sent")["kind"]


def test_destination_counts_count_every_other_filter(catalog):
    """ "Synced to" counts the activities matching the search and category, whatever destination is chosen."""
    sync("webhook", "sent-email", "opened-email", "sent-sms")
    sync("salesforce", "sent-email")
    for query in ("q=sent", "q=sent&destination=webhook", "q=sent&destination=salesforce&destination=webhook"):
        choices = facets.facets(ActivityFilter(QueryDict(query), queryset=Activity.objects.all()))
        assert {choice.value: choice.count for choice in choices["destination"]} == {"salesforce": 1, "webhook": 2}
    chosen = facets.facets(ActivityFilter(QueryDict("destination=webhook"), queryset=Activity.objects.all()))
    assert [destination.name for destination in chosen["destinations"]] == ["Salesforce", "Webhook"]
    assert [choice.value for choice in chosen["active"]] == ["webhook"]
    assert {choice.value: choice.count for choice in chosen["category"] if choice.count} == {"email": 2, "sms": 1}


@pytest.mark.parametrize(
    "query", ["", "q=sent", "q=sent&category=email&kind=system&destination=webhook", "q=sentt&kind=custom"]
)
def test_every_facet_is_counted_in_one_query(catalog, query):
    """Categories, kinds and destinations are read in one query, whatever is chosen: a facet adds no query."""
    sync("webhook", "sent-email")
    activity_filter = ActivityFilter(QueryDict(query), queryset=Activity.objects.all())
    activity_filter.qs  # noqa: B018 - the search's own queries are not the facets'
    with CaptureQueriesContext(connection) as queries:
        choices = facets.facets(activity_filter)
    assert len(queries) == 1
    assert len(choices["category"]) == Category.objects.count()
    assert len(choices["destination"]) == Destination.objects.count()


def test_a_category_page_reads_its_category_with_its_facet(catalog):
    """The category page's category comes with its "Synced to" counts, in one query; an unknown slug gives None."""
    sync("webhook", "sent-email", "sent-sms")
    activity_filter = ActivityFilter(QueryDict("q=sent"), queryset=Activity.objects.in_category("email"))
    activity_filter.qs  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        category, _, choices = facets.category_page_facets(activity_filter, "email")
    assert len(queries) == 1
    email = Category.objects.get(slug="email")
    assert (category.pk, category.name, category.description, category.heading) == (
        email.pk,
        email.name,
        email.description,
        email.heading,
    )
    assert {choice.value: choice.count for choice in choices} == {"salesforce": 0, "webhook": 1}
    missing = ActivityFilter(QueryDict(""), queryset=Activity.objects.in_category("nope"))
    assert facets.category_page_facets(missing, "nope")[0] is None


def test_a_renamed_category_still_redirects(client, catalog):
    """A category found by an old slug is not in the facet query's rows: the page redirects to its new address."""
    email = Category.objects.get(slug="email")
    email.slug = "e-mail"
    email.save()
    response = client.get("/categories/email/?q=sent")
    assert (response.status_code, response["Location"]) == (301, "/categories/e-mail/?q=sent")


def test_owner_facet_names_owners_and_counts_no_owner(client, catalog, django_user_model):
    """Once someone owns an activity, "Owner" lists "No owner" and each owner by name; choosing one narrows the list."""
    assert "facet-owner-title" not in client.get("/activities/").text
    ada = django_user_model.objects.create_user("ada", first_name="Ada", last_name="Lovelace", is_staff=True)
    Activity.objects.filter(slug__in=["sent-email", "opened-email"]).update(owner=ada)
    page = client.get("/activities/", {"q": "email"})
    choices = {choice.value: (choice.label, choice.count) for choice in page.context["facets"]["owner"]}
    assert choices == {"none": ("No owner", result_count("q=email") - 2), "ada": ("Ada Lovelace", 2)}
    chosen = client.get("/activities/", {"q": "email", "owner": "ada"})
    assert sorted(activity.slug for activity in chosen.context["page"]) == ["opened-email", "sent-email"]
    # The other owners' counts stay, so that a choice can be swapped; the chip names the owner.
    assert {choice.value: choice.count for choice in chosen.context["facets"]["owner"]}["none"] == choices["none"][1]
    assert "Owner:</span> Ada Lovelace" in chosen.text
