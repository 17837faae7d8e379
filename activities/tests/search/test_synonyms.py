"""The seeded synonyms: people's words for what the catalog names differently, in both directions."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from activities.models import Activity, Synonym
from activities.search import search

pytestmark = pytest.mark.django_db


def names(q):
    return list(Activity.objects.search(q).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("opt out", {"Unsubscribed from email", "Unsubscribed from SMS"}),
        ("soft bounce", {"Deferred email", "Deferred SMS"}),
        ("hard bounce", {"Bounced email", "Bounced SMS"}),
        ("e-mail opened", {"Opened email"}),
        ("sign up", {"Subscribed to email", "Subscribed to SMS"}),
        ("coupon", {"Redeemed discount"}),
        ("popup", {"Shown widget", "Dismissed widget"}),
        ("chat ended", {"Conversation closed"}),
    ],
)
def test_people_words_find_the_catalog_words(catalog, q, found):
    """Each seeded multi-word synonym finds the activities its definition describes, with no word dropped."""
    results = search(Activity.objects.all(), q)
    assert found <= set(results.queryset.values_list("name", flat=True)[:4])
    assert results.query.dropped == []


def test_synonyms_work_in_both_directions(catalog):
    """A catalog word finds what its people's word would: unsubscribe and opt out list the same first rows."""
    assert names("opt out")[:2] == names("unsubscribe")[:2]
    assert set(names("deferred")) <= set(names("soft bounce"))


def test_a_synonym_word_stays_inside_its_phrase(catalog):
    """The small words of a multi-word synonym are not stop words to it: "opt out sms" keeps to SMS."""
    assert names("opt out sms")[:2] == ["Unsubscribed from SMS", "Unsubscribed from SMS audience"]


def test_seeded_synonyms_load_only_into_an_empty_table(catalog):
    """load_catalog leaves an edited synonym list as it is, and fills an empty one from the fixture."""
    seeded = json.loads((Path(settings.BASE_DIR) / "fixtures" / "synonyms.json").read_text())
    assert Synonym.objects.count() == len(seeded)
    Synonym.objects.filter(term="opt out").delete()
    call_command("load_catalog", verbosity=0)
    assert not Synonym.objects.filter(term="opt out").exists()
    Synonym.objects.all().delete()
    call_command("load_catalog", verbosity=0)
    assert Synonym.objects.filter(term="opt out", equivalents="unsubscribe").exists()


def test_stop_words_are_ignored_unless_alone_or_quoted(catalog):
    """ "the", "a", "when"... do not narrow a search, unless the query has nothing else or quotes them."""
    assert names("when the email is opened") == names("email opened")
    assert search(Activity.objects.all(), "the").query.used == ["the"]
    assert search(Activity.objects.all(), '"a contact" opened').query.phrases == [("a", "contact")]
