import json

import pytest
from django.test import Client

from activities.decisions import Decision
from activities.models import Activity, Destination
from activities.tests.forms import forms_in, post_form
from activities.tests.helpers import count_queries, grow_catalog

pytestmark = pytest.mark.django_db

PLAN = "/sync-plan/"


def cell_form(page, activity, destination):
    """The one cell form on a plan page for this activity and destination, as the browser would post it."""
    for form in forms_in(page.content.decode()):
        if ("activity", activity) in form.pairs and ("destination", destination) in form.pairs:
            form.page_url = page.wsgi_request.get_full_path()
            return form
    raise AssertionError(f"no cell for {activity} and {destination} on {page.wsgi_request.get_full_path()}")


def decide_on_page(client, url, activity, destination, decision, reason="", **extra):
    """Open the plan at `url`, pick the decision and type the reason in one cell, and save it."""
    form = cell_form(client.get(url), activity, destination)
    form.set("decision", decision)
    form.set("reason", reason)
    return post_form(client, form, **extra)


def test_visitors_see_the_plan_read_only_with_progress(client, catalog):
    """Anonymous visitors see every activity against every destination, grouped by category, and no form."""
    page = client.get(PLAN)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Salesforce</a>: 0 sync · 0 don't ·" in html
    assert "69 undecided" in html
    assert "Email activities" in html and "Sent email" in html
    assert 'name="decision"' not in html
    assert html.count("<strong>Undecided</strong>") == 69 * 2


def test_an_editor_decides_in_place_and_everyone_sees_it_at_once(staff_client, client, catalog):
    """A decision saved from the plain form is one versioned edit, in history, and on every page at once."""
    client.get(PLAN)  # a visitor's copy is now in the render cache
    sent = Activity.objects.get(slug="sent-email")
    response = decide_on_page(staff_client, PLAN, "sent-email", "salesforce", "sync", "Sales follow up on sends")
    assert response.status_code == 302
    assert response["Location"].endswith(f"{PLAN}#cell-sent-email-salesforce")
    after = Activity.objects.get(slug="sent-email")
    assert after.version == sent.version + 1
    assert [d.slug for d in after.destinations.all()] == ["salesforce"]
    entry = after.history.first()
    assert entry.history_change_reason == "Salesforce: Sync (Sales follow up on sends)"
    assert entry.history_user.username == "editor"
    decision = Decision.objects.get(activity=after)
    assert (decision.decision, decision.reason, decision.decided_by.username) == (
        "sync",
        "Sales follow up on sends",
        "editor",
    )
    page = client.get(PLAN).content.decode()
    assert "Salesforce</a>: 1 sync · 0 don't ·" in page
    assert "Sales follow up on sends" in page
    synced = client.get("/activities/", {"destination": "salesforce"}).content.decode()
    assert "Sent email" in synced and "1 activity" in synced
    followed = staff_client.get(response["Location"])
    assert "Sent email: Sync for Salesforce." in followed.content.decode()


def test_dont_sync_and_back_to_undecided(staff_client, catalog):
    """ "Don't sync" leaves the activity unsynced with its reason; undecided again counts as undecided."""
    decide_on_page(staff_client, PLAN, "sent-email", "webhook", "sync")
    decide_on_page(staff_client, PLAN, "sent-email", "webhook", "dont", "Too noisy")
    assert not Activity.objects.get(slug="sent-email").destinations.exists()
    html = Client().get(PLAN).content.decode()
    assert "Webhook</a>: 0 sync · 1 don't ·" in html and "68 undecided" in html
    assert "Too noisy" in html
    decide_on_page(staff_client, PLAN, "sent-email", "webhook", "undecided")
    html = Client().get(PLAN).content.decode()
    assert "Webhook</a>: 0 sync · 0 don't ·" in html
    assert "Too noisy" not in html
    reasons = list(Activity.objects.get(slug="sent-email").history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["Webhook: Undecided", "Webhook: Don't sync (Too noisy)", "Webhook: Sync"]


def test_htmx_answers_only_the_cell_and_the_progress_line(staff_client, catalog):
    """With htmx, the answer is the changed cell and the progress line (out of band), not the page."""
    form = cell_form(staff_client.get(PLAN), "sent-email", "salesforce")
    form.set("decision", "sync")
    answer = post_form(staff_client, form, HTTP_HX_REQUEST="true").content.decode()
    assert answer.count('class="plan-cell ') == 1
    assert 'id="cell-sent-email-salesforce"' in answer
    assert 'id="plan-progress"' in answer and 'hx-swap-oob="true"' in answer
    assert "Salesforce</a>: 1 sync · 0 don't ·" in answer
    assert "<h1>" not in answer and "<html" not in answer


def test_a_stale_decision_is_refused(staff_client, catalog, django_user_model):
    """Two editors open the same cell: the second save, from a page that no longer holds, changes nothing."""
    other = Client(enforce_csrf_checks=True)
    other.force_login(django_user_model.objects.create_superuser("second", "second@example.com", None))
    theirs = cell_form(other.get(PLAN), "sent-email", "salesforce")
    decide_on_page(staff_client, PLAN, "sent-email", "salesforce", "sync", "First")
    theirs.set("decision", "dont")
    theirs.set("reason", "Second")
    answer = post_form(other, theirs, HTTP_HX_REQUEST="true").content.decode()
    assert "was changed by someone else" in answer
    decision = Decision.objects.get(activity__slug="sent-email")
    assert (decision.decision, decision.reason) == ("sync", "First")
    assert 'value="sync" checked' in answer  # the cell shows what is stored now
    followed = post_form(other, theirs, follow=True).content.decode()
    assert "was changed by someone else" in followed


def test_undecided_filter_and_set_for_all_shown(staff_client, catalog):
    """ "Undecided for Salesforce" in the SMS category, then one decision for all of them, all in one go."""
    decide_on_page(staff_client, PLAN, "sent-sms", "salesforce", "dont", "Not for sales")
    url = f"{PLAN}?undecided=salesforce&category=sms"
    page = staff_client.get(url)
    sms = set(Activity.objects.filter(category__slug="sms").values_list("slug", flat=True)) - {"sent-sms"}
    html = page.content.decode()
    assert ">Sent SMS</a></h3>" not in html
    forms = [form for form in forms_in(html) if ("destination", "salesforce") in form.pairs and form.values("cell")]
    assert len(forms) == 1 and len(forms[0].values("cell")) == len(sms)
    form = forms[0]
    form.page_url = url
    form.set("decision", "sync")
    form.set("reason", "Sales want SMS")
    response = post_form(staff_client, form, follow=True)
    assert f"Sync for Salesforce: {len(sms)} activities." in response.content.decode()
    synced = set(Activity.objects.synced_to(["salesforce"]).values_list("slug", flat=True))
    assert synced == sms
    assert "No activity matches these filters." in staff_client.get(url).content.decode()


def test_set_for_all_is_all_or_nothing(staff_client, catalog):
    """When one cell of a set changed since the page was read, none of the set is saved."""
    url = f"{PLAN}?category=sms"
    form = next(
        f
        for f in forms_in(staff_client.get(url).content.decode())
        if ("destination", "webhook") in f.pairs and f.values("cell")
    )
    form.page_url = url
    decide_on_page(staff_client, url, "sent-sms", "webhook", "dont")
    form.set("decision", "sync")
    response = post_form(staff_client, form, follow=True)
    assert "No decision of this set was saved." in response.content.decode()
    assert not Activity.objects.synced_to(["webhook"]).exists()


def test_visitors_cannot_decide(client, catalog):
    """A visitor's post, even with a valid token, goes to the login page and changes nothing."""
    staffless = Client()
    response = staffless.post(
        "/sync-plan/decide/",
        {"activity": "sent-email", "destination": "webhook", "decision": "sync", "seen": "undecided.0"},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Decision.objects.exists()


def test_plan_exports_carry_decisions_and_reasons(staff_client, client, catalog):
    """plan.csv and plan.json hold one row per activity and destination, with the decision and its reason."""
    decide_on_page(staff_client, PLAN, "sent-email", "salesforce", "sync", "Sales, see sends")
    rows = json.loads(client.get("/plan.json").content)
    assert len(rows) == 69 * 2
    row = next(r for r in rows if r["slug"] == "sent-email" and r["destination"] == "salesforce")
    assert row["decision"] == "sync" and row["reason"] == "Sales, see sends" and row["version"] == 1
    assert row["decided_at"].endswith("Z")
    text = client.get("/plan.csv", {"category": "email"}).content.decode()
    assert text.splitlines()[0] == "\ufeffslug,name,category,destination,decision,reason,decided_by,decided_at,version"
    assert 'sent-email,Sent email,email,salesforce,sync,"Sales, see sends",editor,' in text
    exported = json.loads(client.get("/activities.json", {"q": "sent email"}).content)
    sent = next(row for row in exported if row["slug"] == "sent-email")
    assert {(d["destination"], d["decision"], d["reason"]) for d in sent["decisions"]} == {
        ("salesforce", "sync", "Sales, see sends"),
        ("webhook", "undecided", ""),
    }
    listed = client.get("/activities.csv", {"category": "email"}).content.decode("utf-8-sig").splitlines()
    assert listed[0].endswith(",salesforce decision,salesforce reason,webhook decision,webhook reason")
    assert next(line for line in listed if line.startswith("sent-email,")).endswith(
        ',sync,"Sales, see sends",undecided,'
    )


@pytest.mark.parametrize(
    "url", [PLAN, f"{PLAN}?undecided=salesforce", f"{PLAN}?q=email&destination=webhook", "/plan.json"]
)
def test_plan_pages_cost_the_same_queries_at_any_size(client, catalog, url):
    """
    The plan reads its rows, decisions and progress in a fixed number of queries: the same at 2,000 activities
    by 5 destinations as at 69 by 2, within the public pages' budget (the page paginates).
    """
    everything = list(Activity.objects.all())
    webhook = Destination.objects.get(slug="webhook")
    for activity in everything[::3]:
        activity.destinations.add(webhook)
    Decision.objects.bulk_create(Decision(activity=a, destination=webhook, decision="dont") for a in everything[1::3])
    small = count_queries(client, url)
    grow_catalog()
    for number in range(3):
        Destination.objects.create(name=f"CRM {number}", slug=f"crm-{number}", kind="crm")
    large = count_queries(client, url)
    assert small <= 7
    assert large == small


def test_the_api_carries_the_plan(staff_client, client, catalog):
    """Activities carry every destination's decision and their relations; destinations their counts and decisions."""
    decide_on_page(staff_client, PLAN, "sent-email", "salesforce", "sync", "Sales see sends")
    decide_on_page(staff_client, PLAN, "sent-email", "webhook", "dont", "Too many")
    sent = client.get("/api/activities/sent-email/").json()
    assert sent["url"] == "http://testserver/activities/sent-email/"
    assert sent["api_url"] == "http://testserver/api/activities/sent-email/"
    by_slug = {item["destination"]: item for item in sent["destinations"]}
    assert (by_slug["salesforce"]["decision"], by_slug["salesforce"]["reason"]) == ("sync", "Sales see sends")
    assert by_slug["webhook"]["decision"] == "dont" and by_slug["webhook"]["decided_at"].endswith("Z")
    relations = [(relation["label"], relation["activity"]) for relation in sent["relations"]]
    assert ("Same event on another channel", "sent-sms") in relations
    assert ("Followed by", "received-email") in relations
    assert "notes" not in sent and "owner_notes" not in sent
    destinations = client.get("/api/destinations/").json()
    salesforce = next(item for item in destinations if item["slug"] == "salesforce")
    assert (salesforce["sync"], salesforce["dont"], salesforce["undecided"]) == (1, 0, 68)
    detail = client.get("/api/destinations/salesforce/").json()
    assert [item["activity"] for item in detail["decisions"] if item["decision"] == "sync"] == ["sent-email"]
    assert client.get("/api/destinations/nowhere/").status_code == 404
    root = client.get("/api/").json()
    assert root["destinations"] == "http://testserver/api/destinations/"
    assert len(client.get("/api/activities/", {"page_size": 200}).json()["results"]) == 69
    assert len(client.get("/api/activities/", {"page_size": 500}).json()["results"]) == 69
    assert len(client.get("/api/activities/", {"page_size": 10}).json()["results"]) == 10
    undecided = client.get("/api/activities/", {"undecided": "salesforce", "page_size": 200}).json()
    assert undecided["count"] == 68


def test_the_api_stays_read_only(client, catalog):
    """A visitor cannot write through the API's plan endpoints."""
    assert client.post("/api/destinations/salesforce/", {}).status_code == 405
    assert client.post("/api/activities/", {}).status_code == 405


def test_the_header_and_the_index_pages_lead_a_newcomer(client, catalog):
    """The header links to Categories, All activities, Sync plan and API; /categories/ and /destinations/ list."""
    home = client.get("/").content.decode()
    for link in (
        'href="/categories/">Categories',
        'href="/activities/">All activities',
        'href="/sync-plan/">Sync plan',
        'href="/api/">API',
    ):
        assert link in home
    assert home.count('type="search"') == 1  # one search box on the home page
    assert "Find when an activity is recorded" in home and "Decide what to sync" in home
    assert 'href="/sync-plan/?undecided=salesforce">69 undecided' in home
    categories = client.get("/categories/").content.decode()
    assert "Email activities" in categories and "SMS activities" in categories
    destinations = client.get("/destinations/").content.decode()
    assert 'href="/destinations/salesforce/">Salesforce' in destinations and "0 sync · 0 don't" in destinations


def test_no_chart_draws_zero_width_bars(client, catalog):
    """Before anything is synced the overview draws the totals only: no zero-width bar, no stray 0."""
    home = client.get("/").content.decode()
    assert 'width="0.0"' not in home and 'width="0"' not in home
    assert ">0</text>" not in home


def test_owner_and_notes(staff_client, client, catalog, django_user_model):
    """The owner shows by name to everyone; notes only to staff, never on public pages, exports or the API."""
    owner = django_user_model.objects.create_user("ana", first_name="Ana", last_name="Lima", is_staff=True)
    Activity.objects.filter(slug="sent-email").update(owner=owner, notes="Check the bounce handling first.")
    public = client.get("/activities/sent-email/").content.decode()
    assert "Ana Lima" in public and "Check the bounce handling" not in public
    assert "Check the bounce handling" in staff_client.get("/activities/sent-email/").content.decode()
    for url in ("/api/activities/sent-email/", "/activities.json", "/plan.json", "/sync-plan/"):
        assert "Check the bounce handling" not in client.get(url).content.decode()
    owned = client.get("/api/activities/", {"owner": "ana"}).json()
    assert [row["slug"] for row in owned["results"]] == ["sent-email"]
    assert client.get("/api/activities/", {"owner": "none"}).json()["count"] == 68
    assert "No owner" in client.get("/activities/opened-email/").content.decode()
    plan_page = client.get(PLAN, {"category": "email"}).content.decode()
    assert "Owner: Ana Lima" in plan_page and "Owner: no owner" in plan_page


def test_staff_see_edit_links(staff_client, client, catalog):
    """Staff get an Edit link to the admin form on activity and category pages, and "Edit this plan"."""
    sent = Activity.objects.get(slug="sent-email")
    assert (
        f'href="/admin/activities/activity/{sent.pk}/change/">Edit'
        in staff_client.get("/activities/sent-email/").content.decode()
    )
    assert 'href="/admin/activities/category/' in staff_client.get("/categories/email/").content.decode()
    assert (
        'href="/sync-plan/?undecided=webhook">Edit this plan'
        in staff_client.get("/destinations/webhook/").content.decode()
    )
    assert "Edit this plan" not in client.get("/destinations/webhook/").content.decode()
    assert "/admin/activities/activity/" not in client.get("/activities/sent-email/").content.decode()


def test_destination_page_shows_definitions_and_reasons(staff_client, client, catalog):
    """A destination's page lists what it receives with each definition and the reason it was decided."""
    decide_on_page(staff_client, PLAN, "sent-email", "webhook", "sync", "The CRM team needs sends")
    page = client.get("/destinations/webhook/").content.decode()
    assert "Why: The CRM team needs sends" in page
    assert Activity.objects.get(slug="sent-email").definition.replace("'", "&#x27;") in page


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/categories/",
        "/destinations/",
        "/destinations/webhook/",
        "/api/",
        "/api/destinations/",
        "/api/destinations/webhook/",
    ],
)
def test_new_pages_cost_the_same_queries_at_any_size(client, catalog, url):
    """The home page, the index pages and the plan's API run a fixed number of queries at 69 and 2,000 activities."""
    webhook = Destination.objects.get(slug="webhook")
    for activity in list(Activity.objects.all())[::2]:
        activity.destinations.add(webhook)
    small = count_queries(client, url)
    grow_catalog()
    for number in range(3):
        Destination.objects.create(name=f"CRM {number}", slug=f"crm-{number}", kind="crm")
    assert count_queries(client, url) == small <= 7


def test_openapi_documents_the_plan(client, catalog):
    """The schema lists the destinations' endpoints, the plan's parameters and an activity's decisions."""
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).json()
    assert {"/api/destinations/", "/api/destinations/{slug}/"} <= set(schema["paths"])
    parameters = {item["name"] for item in schema["paths"]["/api/activities/"]["get"]["parameters"]}
    assert {"undecided", "owner", "destination", "page_size"} <= parameters
    activity = schema["components"]["schemas"]["Activity"]["properties"]
    assert {"url", "api_url", "destinations", "relations"} <= set(activity)
    assert "notes" not in activity


def test_progress_follows_a_search(staff_client, client, catalog):
    """With a search and a destination chosen, progress counts exactly the activities those keep."""
    decide_on_page(staff_client, PLAN, "sent-email", "salesforce", "sync")
    html = client.get(PLAN, {"q": "email", "destination": "salesforce"}).content.decode()
    assert "Salesforce</a>: 1 sync · 0 don't · 0 undecided" in html
    assert 'Webhook</a>: 0 sync · 0 don\'t · <a href="/sync-plan/?undecided=webhook">1 undecided</a>' in html
    assert "1 activity." in html


@pytest.mark.parametrize(
    "url, shown",
    [
        ("/api/", "http://testserver/api/destinations/"),
        ("/api/destinations/", "http://testserver/destinations/webhook/"),
        ("/api/destinations/webhook/", "http://testserver/activities/sent-email/"),
    ],
)
def test_the_plan_endpoints_open_in_a_browser(client, catalog, url, shown):
    """Opened in a browser, the API's plan endpoints show DRF's browsable page with their data."""
    page = client.get(url, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert shown in page.content.decode()
