"""A query that names a category, by its name or a word of its description, finds that category's activities."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from activities.models import Activity, Category
from activities.search import search, understand
from activities.tests.forms import submit

pytestmark = pytest.mark.django_db

TALK = {
    "Conversation opened",
    "Conversation assigned",
    "Conversation closed",
    "Conversation snoozed",
    "Conversation rated",
    "Conversation marked as spam",
    "Voice call started",
    "Voice call ended",
    "Conversation tagged",
    "Conversation untagged",
    "Saved reply used",
    "AI message used",
}


def names(q):
    return list(Activity.objects.search(q).values_list("name", flat=True))


def change_category(client, slug, **changes):
    """Edit a category through the admin's own change form, as an editor would."""
    category = Category.objects.get(slug=slug)
    response = submit(
        client, f"/admin/activities/category/{category.pk}/change/", changes, form_id="category_form", button="_save"
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def move_activity(client, slug, category):
    activity = Activity.objects.get(slug=slug)
    response = submit(
        client,
        f"/admin/activities/activity/{activity.pk}/change/",
        {"category": Category.objects.get(slug=category).pk},
        form_id="activity_form",
        button="_save",
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_category_name_finds_its_activities(catalog):
    """The catalog's words "talk" and "knowledge base" are only categories' names; they find their activities."""
    assert set(names("talk")) == TALK
    assert names("knowledge base") == ["Article feedback submitted"]
    assert names("talk closed") == ["Conversation closed"]


def test_own_text_matches_rank_before_category_matches(catalog):
    """
    An activity whose own definition holds the word, or whose name holds its stem, comes before the activities
    that hold it only through their category's name.
    """
    general = Category.objects.get(slug="general")
    Activity.objects.create(
        name="Sales call requested",
        slug="sales-call-requested",
        category=general,
        definition="Recorded when a contact asks to talk to sales.",
    )
    Activity.objects.create(
        name="Talked to support", slug="talked-to-support", category=general, definition="Recorded after a chat."
    )
    found = names("talk")
    assert found[:2] == ["Sales call requested", "Talked to support"]
    assert set(found[2:]) == TALK
    # In the category's own text it is the name that spoke: "Spun widget wheel" says "capture" itself.
    assert names("capture")[0] == "Spun widget wheel"


def test_description_and_rename_in_the_admin_change_what_search_finds(editor, catalog):
    """
    A new description, saved through the admin's form, makes its words find the category's activities; a
    rename makes the new name find them and the old one no longer. No other step is needed.
    """
    assert "Article feedback submitted" not in names("helpdesk")
    change_category(editor, "knowledge-base", description="The helpdesk articles people read for themselves.")
    assert names("helpdesk") == ["Article feedback submitted"]
    assert names("articles people read") == ["Article feedback submitted"]

    change_category(editor, "talk", name="Inbox")
    assert set(names("inbox")) == TALK
    assert names("talk") == []


def test_a_category_word_is_vocabulary_and_never_corrected(editor, catalog):
    """
    "closet" is one letter from "closed": before a category's description holds it, it is corrected; after,
    it is taken as typed and finds that category's activities.
    """
    assert understand("closet ").terms[0].corrections
    change_category(editor, "knowledge-base", description="A closet of self-service answers.")
    term = understand("closet ").terms[0]
    assert term.exact and not term.corrections
    assert names("closet ") == ["Article feedback submitted"]


def test_moving_an_activity_to_another_category_reindexes_it(editor, catalog):
    """An activity moved to Talk through the admin is found by "talk", and no longer by "knowledge base"."""
    move_activity(editor, "article-feedback-submitted", "talk")
    assert "Article feedback submitted" in names("talk")
    assert names("knowledge base") == []


def test_a_word_found_only_in_a_category_counts_for_partial_matching(catalog):
    """A query whose other word matches nothing keeps the category's word and lists its activities."""
    results = search(Activity.objects.all(), "knowledge xyzzyq")
    assert results.query.dropped == ["xyzzyq"]
    assert [activity.name for activity in results.queryset] == ["Article feedback submitted"]


def test_pages_api_and_exports_find_a_category_by_its_name(client, catalog):
    """The list page, a category page, the API and the exports all find the Talk activities by "talk"."""
    assert "Conversation closed" in client.get("/activities/", {"q": "talk"}).content.decode()
    assert "Conversation closed" in client.get("/categories/talk/", {"q": "talk"}).content.decode()
    answer = client.get("/api/activities/", {"q": "talk"}).json()
    assert {row["name"] for row in answer["results"]} == TALK
    exported = json.loads(client.get("/activities.json", {"q": "talk"}).content)
    assert {row["name"] for row in exported} == TALK


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite rebuilds tables, dropping their triggers")
def test_migrate_restores_the_category_triggers_a_table_rebuild_dropped(catalog):
    """
    When a table rebuild drops the categories' search triggers, the next migrate puts them back and fills
    the index again, so that a rename made in between is searchable, and the next rename too.
    """
    with connection.cursor() as cursor:
        for event in ("insert", "update"):
            cursor.execute(f"DROP TRIGGER activities_category_search_{event}")
    Category.objects.filter(slug="talk").update(name="Inbox")
    assert names("inbox") == []

    call_command("migrate", verbosity=0)

    assert set(names("inbox")) == TALK
    Category.objects.filter(slug="talk").update(name="Helpline")
    assert set(names("helpline")) == TALK
