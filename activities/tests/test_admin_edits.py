"""
Editing through the admin as an editor does it: every form read from the rendered page, CSRF enforced.

Adding works on every add path; a change of destinations is an edit like any other (version, "Last updated",
history with a reason), so a form opened before it is refused with the editor's input kept.
"""

import pytest
from django.test import Client

from activities.models import Activity, Category, Destination
from activities.tests.forms import messages_of, post_form, read_form, submit, text_of

pytestmark = pytest.mark.django_db

ADD_ACTIVITY = "/admin/activities/activity/add/"
ADD_CATEGORY = "/admin/activities/category/add/"


@pytest.fixture
def second_editor(db, django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser("bob", "bob@example.com", None))
    return client


def change_url(row):
    return f"/admin/{row._meta.app_label}/{row._meta.model_name}/{row.pk}/change/"


def run_action(client, activities, action):
    """Tick these activities on the change list, pick the action and press Go, as an editor does."""
    form = read_form(client.get("/admin/activities/activity/"), form_id="changelist-form")
    form.set("_selected_action", [str(activity.pk) for activity in activities])
    form.set("action", action)
    return post_form(client, form, button="index")


def pks(*slugs):
    return [str(pk) for pk in Destination.objects.filter(slug__in=slugs).values_list("pk", flat=True)]


def test_editor_adds_an_activity(editor, client, catalog):
    """The add form, as the browser sends it (its hidden version empty), saves version 1 and shows publicly."""
    email = Category.objects.get(slug="email")
    response = submit(
        editor,
        ADD_ACTIVITY,
        {
            "name": "Joined webinar",
            "slug": "joined-webinar",
            "category": email.pk,
            "definition": "Recorded when a contact joins a webinar.",
            "destinations": pks("webhook"),
        },
        form_id="activity_form",
        button="_save",
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/activities/activity/"
    added = Activity.objects.get(slug="joined-webinar")
    assert (added.version, added.kind, added.category) == (1, "custom", email)
    assert [d.slug for d in added.destinations.all()] == ["webhook"]
    entry = added.history.get()
    assert (entry.history_type, entry.history_change_reason, entry.history_user.username) == (
        "+",
        "Added in the admin",
        "editor",
    )
    assert [row.destination.slug for row in entry.destinations.all()] == ["webhook"]
    assert "Joined webinar" in messages_of(editor.get("/admin/activities/activity/"))[0]
    page = text_of(client.get("/activities/joined-webinar/").content.decode())
    assert "Recorded when a contact joins a webinar." in page


def test_save_and_add_another_opens_a_fresh_add_form(editor, catalog):
    email = Category.objects.get(slug="email")
    response = submit(
        editor,
        ADD_ACTIVITY,
        {"name": "Left webinar", "slug": "left-webinar", "category": email.pk, "definition": "Recorded when."},
        form_id="activity_form",
        button="_addanother",
    )
    assert (response.status_code, response["Location"]) == (302, ADD_ACTIVITY)
    assert Activity.objects.get(slug="left-webinar").version == 1


def test_editor_adds_a_category_with_activities_inline(editor, client, catalog):
    """A new category and two activities added on its add page, through the inline's "Add another" rows."""
    rows = [
        {"name": "Joined webinar", "slug": "joined-webinar", "definition": "Recorded when a contact joins."},
        {"name": "Left webinar", "slug": "left-webinar", "definition": "Recorded when a contact leaves."},
    ]
    response = submit(
        editor,
        ADD_CATEGORY,
        {"name": "Webinars", "slug": "webinars", "description": "Online events.", "position": 8},
        form_id="category_form",
        button="_save",
        inline_rows={"activities": rows},
    )
    assert response.status_code == 302
    webinars = Category.objects.get(slug="webinars")
    assert webinars.version == 1
    added = webinars.activities.order_by("name")
    assert [(a.name, a.version) for a in added] == [("Joined webinar", 1), ("Left webinar", 1)]
    assert {a.history.get().history_change_reason for a in added} == {"Added on the page of category Webinars"}
    assert "Joined webinar" in client.get("/categories/webinars/").content.decode()


def test_editor_adds_an_activity_inline_on_an_existing_category(editor, catalog):
    talk = Category.objects.get(slug="talk")
    before = {a.pk: a.version for a in talk.activities.all()}
    response = submit(
        editor,
        change_url(talk),
        {},
        form_id="category_form",
        button="_continue",
        inline_rows={"activities": [{"name": "Chat rated", "slug": "chat-rated", "definition": "Recorded when."}]},
    )
    assert response.status_code == 302
    assert Activity.objects.get(slug="chat-rated").version == 1
    # The untouched rows were not saved again.
    assert {a.pk: a.version for a in talk.activities.exclude(slug="chat-rated")} == before


def test_bulk_destination_change_is_a_versioned_edit(editor, catalog):
    """The bulk action raises each activity's version and "Last updated", with who and why in history."""
    sent = Activity.objects.get(slug="sent-email")
    before = (sent.version, sent.updated)
    page = run_action(editor, [sent], "change_destinations")
    form = read_form(page, action="")
    form.set("destinations", pks("salesforce"))
    response = post_form(editor, form, button="apply", follow=True)
    assert "Added Salesforce to 1 activity." in messages_of(response)
    sent.refresh_from_db()
    assert sent.version == before[0] + 1
    assert sent.updated > before[1]
    entry = sent.history.first()
    assert (entry.history_change_reason, entry.history_user.username, entry.row_version) == (
        "Bulk: added Salesforce",
        "editor",
        sent.version,
    )
    assert [row.destination.slug for row in entry.destinations.all()] == ["salesforce"]


def test_stale_form_cannot_undo_a_bulk_destination_change(editor, second_editor, catalog):
    """
    The reported defect: a change form opened before a bulk "add Salesforce" and saved after it removed
    Salesforce again. Now it is refused, the editor's text is kept, the message shows what changed, and saving
    the form as shown applies their change on top.
    """
    sent = Activity.objects.get(slug="sent-email")
    sent.save_with_destinations(Destination.objects.filter(slug="webhook"))
    url = change_url(sent)
    stale = read_form(editor.get(url), form_id="activity_form")

    page = run_action(second_editor, [sent], "change_destinations")
    bulk = read_form(page, action="")
    bulk.set("destinations", pks("salesforce"))
    post_form(second_editor, bulk, button="apply")
    assert sorted(d.slug for d in sent.destinations.all()) == ["salesforce", "webhook"]

    stale.set("definition", "Recorded when the platform hands the email to the recipient’s server.")
    refused = post_form(editor, stale, button="_save")
    assert refused.status_code == 200
    html = refused.content.decode()
    shown = text_of(html)
    assert "was changed by bob" in shown
    assert "Synced to: Webhook → Salesforce, Webhook" in shown
    assert "Your changes to Definition are kept in the form below" in shown
    assert "reload" not in shown.lower()
    kept = read_form(refused, form_id="activity_form")
    assert kept.value("definition") == "Recorded when the platform hands the email to the recipient’s server."
    assert sorted(kept.values("destinations")) == sorted(pks("salesforce", "webhook"))
    sent.refresh_from_db()
    assert sent.definition != "Recorded when the platform hands the email to the recipient’s server."

    applied = post_form(editor, kept, button="_save")
    assert applied.status_code == 302
    sent.refresh_from_db()
    assert sent.definition == "Recorded when the platform hands the email to the recipient’s server."
    assert sorted(d.slug for d in sent.destinations.all()) == ["salesforce", "webhook"]
    assert sent.history.first().history_change_reason == "Changed definition"


def test_stale_form_that_changed_the_same_field_says_so(editor, second_editor, catalog):
    sent = Activity.objects.get(slug="sent-email")
    url = change_url(sent)
    stale = read_form(editor.get(url), form_id="activity_form")
    submit(second_editor, url, {"definition": "Bob’s words."}, form_id="activity_form", button="_save")
    stale.set("definition", "Ann’s words.")
    shown = text_of(post_form(editor, stale, button="_save").content.decode())
    assert "Definition changed in the meantime too" in shown
    assert "Ann’s words." in shown and "Bob’s words." in shown
    assert Activity.objects.get(pk=sent.pk).definition == "Bob’s words."


def test_destination_change_from_elsewhere_raises_the_version(catalog):
    """A change made in the shell or from the destination's side is still an edit of each activity."""
    sent, opened = Activity.objects.filter(slug__in=["sent-email", "opened-email"]).order_by("slug")
    salesforce = Destination.objects.get(slug="salesforce")
    versions = {a.pk: a.version for a in (sent, opened)}
    salesforce.activities.add(sent, opened)
    assert {a.pk: a.version for a in Activity.objects.filter(pk__in=versions)} == {
        pk: v + 1 for pk, v in versions.items()
    }
    salesforce.activities.add(sent)  # already there: not a change
    salesforce.activities.remove(opened)
    assert Activity.objects.get(pk=sent.pk).version == versions[sent.pk] + 1
    assert Activity.objects.get(pk=opened.pk).version == versions[opened.pk] + 2


def test_category_save_goes_through_while_its_activities_are_edited(editor, second_editor, catalog):
    """Untouched inline rows neither re-check nor raise versions: a category save never fights activity edits."""
    kb = Category.objects.get(slug="knowledge-base")
    category_form = read_form(editor.get(change_url(kb)), form_id="category_form")
    feedback = Activity.objects.get(slug="article-feedback-submitted")
    submit(
        second_editor, change_url(feedback), {"definition": "Bob edited this."}, form_id="activity_form", button="_save"
    )
    category_form.set("description", "Help-centre articles.")
    response = post_form(editor, category_form, button="_save")
    assert response.status_code == 302
    assert Category.objects.get(pk=kb.pk).description == "Help-centre articles."
    assert Activity.objects.get(pk=feedback.pk).definition == "Bob edited this."


def test_a_category_too_large_to_edit_inline_links_to_its_activities(editor, catalog, settings):
    from activities.admin import CategoryAdmin

    talk = Category.objects.get(slug="talk")
    Activity.objects.bulk_create(
        Activity(name=f"Chat {n}", slug=f"chat-{n}", category=talk, definition="Recorded.", position=100 + n)
        for n in range(CategoryAdmin.inline_limit + 1)
    )
    page = editor.get(change_url(talk))
    shown = text_of(page.content.decode())
    assert "too many to edit on this page" in shown
    assert f'href="/admin/activities/activity/?category__id__exact={talk.pk}"' in page.content.decode()
    response = submit(editor, change_url(talk), {"description": "Chats."}, form_id="category_form", button="_save")
    assert response.status_code == 302
    assert Category.objects.get(pk=talk.pk).description == "Chats."
