import csv
import io
import json

import pytest

from activities.filters import ActivityFilter
from activities.models import Activity, Destination

pytestmark = pytest.mark.django_db


def sync(destination_slug, *activity_slugs):
    destination = Destination.objects.get(slug=destination_slug)
    for activity in Activity.objects.filter(slug__in=activity_slugs):
        activity.destinations.add(destination)


def names(activities):
    return [activity.name for activity in activities]


def test_seeded_destinations(catalog):
    """The catalog comes with two destinations: a webhook and Salesforce, a CRM."""
    assert list(Destination.objects.values_list("name", "kind")) == [("Salesforce", "crm"), ("Webhook", "webhook")]


def test_filterset_keeps_activities_synced_to_any_chosen_destination(catalog):
    """destination=<slug> is repeatable: the results are the activities synced to any of them, each once."""
    sync("webhook", "sent-email", "opened-email")
    sync("salesforce", "opened-email", "sent-sms")
    one = ActivityFilter({"destination": ["webhook"]}, queryset=Activity.objects.all())
    both = ActivityFilter({"destination": ["webhook", "salesforce"]}, queryset=Activity.objects.all())
    assert names(one.results()) == ["Sent email", "Opened email"]
    assert names(both.results()) == ["Sent email", "Opened email", "Sent SMS"]


@pytest.mark.parametrize("wanted", [["nowhere"], ["webhook", "nowhere"], ["bad slug!"]])
def test_filterset_refuses_an_unknown_destination(catalog, wanted):
    """A slug naming no destination, even beside a real one, makes the FilterSet invalid, says which, keeps nothing."""
    sync("webhook", "sent-email")
    activity_filter = ActivityFilter({"destination": wanted}, queryset=Activity.objects.all())
    assert list(activity_filter.results()) == []
    assert activity_filter.errors["destination"] == [
        f"Select a valid choice. {wanted[-1]} is not one of the available choices."
    ]


def test_destination_combines_with_other_filters(catalog):
    """destination narrows together with category and search."""
    sync("webhook", "sent-email", "sent-sms", "opened-email")
    activity_filter = ActivityFilter(
        {"destination": ["webhook"], "category": ["sms"], "q": "sent"}, queryset=Activity.objects.all()
    )
    assert names(activity_filter.results()) == ["Sent SMS"]


def test_list_filters_by_destination_and_shows_the_facet_with_counts(client, catalog):
    """The list filters by destination, ticks the chosen box, and counts each destination over the other filters."""
    sync("webhook", "sent-email", "opened-email", "sent-sms")
    sync("salesforce", "sent-email")
    response = client.get("/activities/", {"destination": "webhook", "category": "email"})
    assert names(response.context["page"].object_list) == ["Sent email", "Opened email"]
    html = response.content.decode()
    facet = {choice.value: (choice.count, choice.active) for choice in response.context["facets"]["destination"]}
    assert facet == {"webhook": (2, True), "salesforce": (1, False)}
    assert 'id="facet-destination-webhook"' in html and 'aria-current="true"' in html
    assert 'Webhook</span> <span class="facet__count">(2)</span>' in html


def test_list_explains_an_unknown_destination(client, catalog):
    """An unknown destination on the list answers 200 with a message naming the filter, not an error page."""
    response = client.get("/activities/", {"destination": "nowhere"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Synced to:" in html
    assert "0 activities" in html


def test_category_page_filters_by_destination(client, catalog):
    """A category page has the destination filter too, with counts within the category."""
    sync("salesforce", "sent-sms", "clicked-sms", "sent-email")
    response = client.get("/categories/sms/", {"destination": "salesforce"})
    assert names(response.context["activities"]) == ["Sent SMS", "Clicked SMS"]
    html = response.content.decode()
    facet = {choice.value: (choice.count, choice.active) for choice in response.context["destination_choices"]}
    assert facet == {"salesforce": (2, True), "webhook": (0, False)}
    assert 'Salesforce</span> <span class="facet__count">(2)</span>' in html


def test_badges_on_list_rows_and_detail_pages(client, catalog):
    """Rows and detail pages show a badge per destination, linking to that destination's page."""
    sync("webhook", "bounced-email")
    sync("salesforce", "bounced-email")
    badge = '<a class="badge badge--destination" href="/destinations/salesforce/"'
    row_html = client.get("/categories/email/").content.decode()
    bounced_row = row_html[row_html.index("Bounced email") : row_html.index("Deferred email")]
    assert badge in bounced_row
    assert 'href="/destinations/webhook/"' in bounced_row
    assert "badge--destination" not in row_html[row_html.index("Deferred email") :]
    detail = client.get("/activities/bounced-email/").content.decode()
    assert badge in detail
    assert "Not synced anywhere yet" in client.get("/activities/deferred-email/").content.decode()


def test_destination_page_groups_by_category_with_counts(client, catalog):
    """A destination's page lists what it receives, grouped by category in article order, with counts."""
    sync("webhook", "sent-sms", "sent-email", "opened-email", "tag-added")
    response = client.get("/destinations/webhook/")
    html = response.content.decode()
    assert "4 activities in 3 categories" in html
    headings = ["General activities", "Email activities", "SMS activities"]
    positions = [html.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert '<span class="destination-group__count">2</span>' in html
    assert 'href="/destinations/webhook/plan.csv"' in html


def test_empty_destination_says_so_and_links_to_the_plan(client, catalog):
    """A destination with nothing chosen says so and links to where choices are made: the sync plan."""
    html = client.get("/destinations/salesforce/").content.decode()
    assert "Nothing is synced to Salesforce yet." in html
    assert 'href="/sync-plan/?undecided=salesforce"' in html
    assert "plan.csv" not in html


def test_unknown_destination_answers_404(client, catalog):
    """Unknown destination slugs answer 404, for the page and its exports."""
    for url in ("/destinations/nowhere/", "/destinations/nowhere/plan.csv", "/destinations/nowhere/plan.json"):
        assert client.get(url).status_code == 404


def test_csv_export(client, catalog):
    """The CSV export is UTF-8 with a BOM, one row per synced activity, in article order."""
    sync("webhook", "deferred-email", "sent-email")
    Activity.objects.filter(slug="sent-email").update(definition='=HYPERLINK("http://evil") sent')
    response = client.get("/destinations/webhook/plan.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sync-plan-webhook.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["Sent email", "Deferred email"]
    assert rows[1]["definition"] == (
        "This activity is recorded when the recipient\N{RIGHT SINGLE QUOTATION MARK}s mail server "
        "has temporarily refused delivery. Learn more about deferred emails."
    )
    # A spreadsheet must show the definition, not run it.
    assert rows[0]["definition"].startswith("'=HYPERLINK")


def test_json_export(client, catalog):
    """The JSON export describes the destination, then counts and lists its activities."""
    sync("salesforce", "clicked-sms")
    response = client.get("/destinations/salesforce/plan.json")
    body = json.loads(response.content)
    assert body["destination"] == {"name": "Salesforce", "slug": "salesforce", "kind": "crm"}
    assert body["count"] == 1
    assert body["activities"][0]["slug"] == "clicked-sms"
    assert body["activities"][0]["category"] == "sms"
    assert body["activities"][0]["category_name"] == "SMS"


def test_empty_exports_have_headers_only(client, catalog):
    """An empty plan exports a CSV with only its header row and a JSON with no activities."""
    text = client.get("/destinations/webhook/plan.csv").content.decode("utf-8-sig")
    assert text.strip() == (
        "slug,name,category,category_name,kind,position,definition,destinations,updated,version,"
        "salesforce decision,salesforce reason,webhook decision,webhook reason"
    )
    assert json.loads(client.get("/destinations/webhook/plan.json").content)["count"] == 0


def test_home_overview_is_a_picture_with_a_text_alternative(client, catalog):
    """Home draws bars per category and destination in SVG, described in words, with a legend of totals."""
    sync("webhook", "sent-email", "opened-email", "sent-sms")
    html = client.get("/").content.decode()
    assert '<svg class="overview-chart__svg"' in html
    assert "Email: 15 activities, 0 synced to Salesforce, 2 synced to Webhook." in html
    assert '<a href="/destinations/webhook/">Synced to Webhook</a> (3)' in html
    assert 'style="' not in html


def test_home_overview_bars_follow_the_data(client, catalog):
    """Syncing more activities lengthens the destination's bar."""
    before = client.get("/").context["overview"]
    sync("webhook", "sent-email", "opened-email")
    after = client.get("/").context["overview"]
    email_before, email_after = before.rows[1].bars[2], after.rows[1].bars[2]
    assert (email_before.label, email_before.count, email_before.width) == ("Webhook", 0, 0)
    assert email_after.count == 2
    assert email_after.width > 0


def test_api_filters_by_destination(client, catalog):
    """The API takes the same destination filter: synced activities only, and a 400 naming an unknown one."""
    sync("webhook", "sent-email", "clicked-sms")
    body = client.get("/api/activities/", {"destination": "webhook"}).json()
    assert [row["slug"] for row in body["results"]] == ["sent-email", "clicked-sms"]
    response = client.get("/api/activities/", {"destination": "nowhere"})
    assert response.status_code == 400
    assert "destination" in response.json()
