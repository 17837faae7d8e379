import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from activities.models import Activity, Category, Synonym
from activities.search import parse, search, understand
from activities.search.spelling import edit_distance
from activities.tests.forms import messages_of, post_form, read_form, submit

pytestmark = pytest.mark.django_db


def names(q, queryset=None):
    return list((queryset or Activity.objects).search(q).values_list("name", flat=True))


def dropped(q):
    """The words a search left out because no activity matched them all."""
    return search(Activity.objects.all(), q).query.dropped


def test_stemming_joins_word_forms(catalog):
    """bounce, bounces and bounced find each other; so do subscribe, subscribed and subscribes."""
    assert set(names("bounce ")) == set(names("bounces ")) == set(names("bounced ")) == {"Bounced email", "Bounced SMS"}
    subscribed = {
        "Subscribed to email",
        "Subscribed to SMS",
        "Subscribed to email audience",
        "Subscribed to SMS audience",
    }
    for form in ("subscribe ", "subscribed ", "subscribes "):
        assert set(names(form)[:4]) == subscribed


def test_last_word_is_a_prefix_while_typing(catalog):
    """The last word matches as a prefix: unsub finds the unsubscribe activities; earlier words do not."""
    assert set(names("unsub")) == {
        "Unsubscribed from email",
        "Unsubscribed from SMS",
        "Unsubscribed from email audience",
        "Unsubscribed from SMS audience",
    }
    # "unsub" is whole before a space: it matches nothing, so partial matching leaves it out.
    assert dropped("unsub email") == ["unsub"]


def test_quoted_phrase_keeps_word_order(catalog):
    """Words in double quotes match only as a phrase."""
    assert set(names('"abuse reported"')) == {"Abuse reported", "SMS abuse reported"}
    assert names('"reported abuse"') == []


def test_minus_excludes_a_word(catalog):
    """A leading minus excludes activities holding the word."""
    assert names("bounced -sms") == ["Bounced email"]
    assert names("-email bounced") == ["Bounced SMS"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("bounse", "Bounced email"),  # 6 letters, one substitution
        ("eamil opened", "Opened email"),  # 5 letters, neighbours swapped: one edit
        ("unsubscibed", "Unsubscribed from email"),  # one deletion
        ("convesaton", "Conversation rated"),  # 10 letters, two edits
    ],
)
def test_typos_are_forgiven_by_length(catalog, typed, expected):
    """One edit is forgiven from 5 letters and two from 9; a swap of neighbours is one edit."""
    assert expected in names(typed)


def test_short_words_and_too_many_edits_are_not_corrected(catalog):
    """Words of up to 4 letters match exactly or as a prefix; a 5-8 letter word with two edits finds nothing."""
    # "tag" swapped: short words are never corrected, so partial matching leaves it out.
    assert dropped("tga added") == ["tga"]
    assert names("bunse") == []  # two edits from "bounce" in a 5-letter word
    assert edit_distance("eamil", "email", 2) == 1


def test_exact_matches_rank_above_corrected_ones(catalog):
    """A word the index holds as typed is taken as meant; only unknown words are corrected."""
    Activity.objects.create(
        name="Bounse meter", slug="bounse-meter", category=Category.objects.first(), definition="A made-up gauge."
    )
    assert names("bounse") == ["Bounse meter"]
    assert names("bounse ")[:1] == ["Bounse meter"]
    assert "Bounced email" in names("bounze")


def test_words_as_typed_rank_above_synonyms(catalog):
    """An activity holding the word as typed comes before one found through a synonym."""
    results = names("delivered")
    assert results[0] == "Delivered SMS"
    assert results.index("Received email") > 0


def test_catalog_misspelling_is_found_by_the_right_spelling(client, catalog):
    """'successful journey action' finds 'Succesful journey action' and says which spelling it used."""
    response = client.get("/activities/", {"q": "successful journey action"})
    assert response.context["page"].object_list[0].name == "Succesful journey action"


def test_correction_notice_links_to_both_spellings(client, catalog):
    """A corrected query says so, links to the correction, and offers the original spelling searched as typed."""
    response = client.get("/activities/", {"q": "unsubscibed", "kind": "system"})
    html = response.content.decode()
    assert "Showing results for" in html
    assert "<em>unsubscribed</em>" in html
    assert 'href="?q=%22unsubscibed%22&amp;kind=system"' in html
    verbatim = client.get("/activities/", {"q": '"unsubscibed"', "kind": "system"})
    assert verbatim.context["page"].paginator.count == 0
    assert "Showing results for" not in verbatim.content.decode()


def test_correction_notice_on_category_pages(client, catalog):
    """Category pages show the same notice for their q filter."""
    html = client.get("/categories/email/", {"q": "bounse"}).content.decode()
    assert "Showing results for" in html
    assert "<mark>Bounced</mark> email" in html


def test_no_notice_for_a_word_the_catalog_holds(client, catalog):
    """A word that is in the catalog is never 'corrected'."""
    assert "Showing results for" not in client.get("/activities/", {"q": "bounced email"}).content.decode()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("delivered", "Received email"),
        ("received", "Delivered SMS"),
        ("spam", "SMS abuse reported"),
        ("abuse", "Conversation marked as spam"),
        ("complaint", "Abuse reported"),
        ("text message", "Sent SMS"),
        ("chat", "Conversation opened"),
        ("popup", "Shown widget"),
    ],
)
def test_seeded_synonyms(catalog, typed, expected):
    """Each seeded synonym finds what its equivalents find."""
    assert expected in names(typed)


def test_editors_add_synonyms_in_the_admin(staff_client, catalog):
    """A synonym saved in the admin takes effect on the next search."""
    assert names("optout") == []
    synonym = {"term": "optout", "equivalents": "unsubscribe, opt out"}
    response = submit(staff_client, "/admin/activities/synonym/add/", synonym, button="_save")
    assert response.status_code == 302
    assert "Unsubscribed from SMS" in names("optout")


def test_synonyms_load_only_into_an_empty_table(catalog):
    """load_catalog seeds the synonyms once and never overwrites an editor's changes."""
    assert Synonym.objects.filter(term="spam").exists()
    Synonym.objects.filter(term="spam").update(equivalents="junk")
    call_command("load_catalog", verbosity=0)
    assert Synonym.objects.get(term="spam").equivalents == "junk"


def test_admin_search_uses_the_same_search(staff_client, catalog):
    """The admin's search box forgives typos and knows synonyms, like the public search."""
    response = staff_client.get("/admin/activities/activity/", {"q": "bounse"})
    assert {a.name for a in response.context["cl"].result_list} == {"Bounced email", "Bounced SMS"}
    response = staff_client.get("/admin/activities/activity/", {"q": "x" * 10_240 + "\x00 😀"})
    assert response.status_code == 200


def test_highlighting_marks_names_and_definitions(client, catalog):
    """Matches are marked in names and in the definition."""
    html = client.get("/activities/", {"q": "carrier"}).content.decode()
    assert "mobile <mark>carrier</mark> has accepted" in html


def test_highlighting_escapes_before_marking(client, catalog):
    """A definition holding HTML shows as text, with the match marked around the escaped text."""
    activity = Activity.objects.get(slug="opened-email")
    activity.definition = 'Opened <img src=x onerror="alert(1)"> the <em>tracking</em> pixel.'
    activity.save()
    html = client.get("/activities/", {"q": "tracking"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;em&gt;<mark>tracking</mark>&lt;/em&gt;" in html


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unclosed phrase',
        "*",
        "(",
        "email)",
        ":",
        "^email",
        "email NEAR sms",
        "NEAR(email sms, 2)",
        "email AND sms",
        "email OR",
        "NOT email",
        "-",
        "- -email",
        "name:email",
        "a\x00b",
        "😀 📧",
        "שלום עולם",
        "مرحبا بالعالم",
        "e-mail",
        "'; DROP TABLE activities_activity; --",
        "x" * 10_240,
        " ".join(["bounced"] * 3000),
    ],
)
def test_bad_queries_answer_with_results_or_nothing(client, catalog, q):
    """FTS syntax, NUL bytes, emoji, right-to-left text and huge queries never raise a database error or a 500."""
    list(Activity.objects.search(q))
    for url in ("/activities/", "/categories/email/"):
        assert client.get(url, {"q": q}).status_code == 200


def test_long_queries_use_their_first_words():
    """A query of thousands of words is cut to its first words, and says so."""
    query = parse(" ".join(f"word{number}" for number in range(2000)))
    assert len(query.terms) == query.limit
    assert query.truncated


def test_many_words_notice(client, catalog):
    """A query longer than the word limit (but within 200 characters) shows which part was used."""
    q = " ".join(["email"] * 20)
    html = client.get("/activities/", {"q": q}).content.decode()
    assert "Only the first 12 words of the search were used." in html


def test_index_follows_every_write_path(catalog):
    """Admin-style saves, fixture loads, QuerySet.update, raw SQL and deletes are searchable at once."""
    email = Category.objects.get(slug="email")
    Activity.objects.create(name="Printed email", slug="printed-email", category=email, definition="Ink on paper.")
    assert names("ink paper") == ["Printed email"]

    Activity.objects.filter(slug="printed-email").update(definition="Toner on cardboard.")
    assert names("ink paper") == []
    assert names("toner") == ["Printed email"]

    with connection.cursor() as cursor:
        table = Activity._meta.db_table
        cursor.execute(f"UPDATE {table} SET name = %s WHERE slug = %s", ["Telexed email", "printed-email"])
    assert names("telexed") == ["Telexed email"]
    assert "Telexed email" in names("telxed email")  # new words join the typo vocabulary too

    Activity.objects.filter(slug="printed-email").delete()
    assert names("telexed") == []
    assert names("toner") == []


def test_fixture_loads_are_searchable(catalog, tmp_path):
    """loaddata saves raw, without signals, and its rows are searchable at once."""
    fixture = tmp_path / "extra.json"
    email = Category.objects.get(slug="email")
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "activities.activity",
                    "pk": 9001,
                    "fields": {
                        "name": "Archived email",
                        "slug": "archived-email",
                        "category": email.pk,
                        "definition": "Moved to the archive.",
                        "kind": "custom",
                        "position": 99,
                        "created": "2026-01-01T00:00:00Z",
                        "updated": "2026-01-01T00:00:00Z",
                    },
                }
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert names("archive") == ["Archived email"]


def test_rebuild_command_restores_a_damaged_index(catalog, capsys):
    """rebuild_search_index rebuilds the index from the activities table."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM activities_activity_fts")
            cursor.execute("DELETE FROM activities_activity_words")
        assert names("bounced") == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM activities_searchword")
    call_command("rebuild_search_index")
    assert "69 activities" in capsys.readouterr().out
    assert set(names("bounced")) == {"Bounced email", "Bounced SMS"}
    assert "Bounced email" in names("bounse")


def test_understand_reports_what_was_corrected(catalog):
    """The parsed query knows its corrected form and its verbatim form."""
    query = understand("bounse email")
    assert query.corrected == "bounced email"
    assert query.verbatim == '"bounse" email'


def test_admin_edits_are_searchable_at_once(staff_client, catalog):
    """A definition changed through the admin is found by its new words on the next search."""
    activity = Activity.objects.get(slug="opened-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    response = submit(staff_client, url, {"definition": "Recorded when the tracking pixel loads."}, button="_save")
    assert response.status_code == 302
    assert names("pixel") == ["Opened email"]
    assert "Opened email" not in names("+recipient +opens")


def test_editors_list_edit_and_delete_synonyms_and_search_follows(staff_client, client, catalog):
    """
    The synonym list shows the seeded ones; editing one changes what its term finds, and deleting it leaves
    the term finding only its own matches.
    """
    listing = staff_client.get("/admin/activities/synonym/")
    seeded = json.loads((Path(settings.BASE_DIR) / "fixtures" / "synonyms.json").read_text())
    assert sorted(synonym.term for synonym in listing.context["cl"].result_list) == sorted(
        row["fields"]["term"] for row in seeded
    )

    def found(q):
        return {activity.name for activity in client.get("/activities/", {"q": q}).context["page"].object_list}

    # Three definitions say "spam"; "bounced" is in none of them.
    says_spam = {"Abuse reported", "SMS abuse reported", "Conversation marked as spam"}
    assert found("spam") == says_spam
    spam = Synonym.objects.get(term="spam")
    url = f"/admin/activities/synonym/{spam.pk}/change/"
    response = submit(staff_client, url, {"equivalents": "bounced"}, button="_save", follow=True)
    assert response.redirect_chain == [("/admin/activities/synonym/", 302)]
    assert any("was changed successfully" in message for message in messages_of(response))
    assert found("spam") == says_spam | {"Bounced email", "Bounced SMS"}

    page = staff_client.get(f"/admin/activities/synonym/{spam.pk}/delete/")
    deleted = post_form(staff_client, read_form(page), "Yes, I’m sure", follow=True)
    assert deleted.redirect_chain == [("/admin/activities/synonym/", 302)]
    assert not Synonym.objects.filter(term="spam").exists()
    assert found("spam") == says_spam
