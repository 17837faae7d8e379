"""Ranking tiers: more words beat fewer; exact beats prefix, stem, synonym and correction; names beat definitions."""

import pytest

from activities.models import Activity, Category, Synonym
from activities.search import search

pytestmark = pytest.mark.django_db


def names(q):
    return list(Activity.objects.search(q).values_list("name", flat=True))


def test_the_exact_word_beats_its_stem_siblings(catalog):
    """Porter folds conversion and conversation together: the one activity about a conversion comes first."""
    found = names("conversion")
    assert found[0] == "Attributed"
    assert "Conversation opened" in found[1:]


def test_the_exact_word_beats_a_longer_word_it_begins(catalog):
    """While typing "tag", the activities holding the word tag come before "tagged" and "untagged"."""
    found = names("tag")
    assert set(found[:2]) == {"Tag added", "Tag removed"}
    assert found.index("Conversation tagged") > 1


def test_a_synonym_ranks_below_the_word_as_typed(catalog):
    """An activity holding the typed word comes before one found only through a synonym."""
    Synonym.objects.create(term="closed", equivalents="snoozed")
    found = names("closed ")
    assert found[0] == "Conversation closed"
    assert "Conversation snoozed" in found


def test_a_correction_ranks_below_a_synonym(catalog):
    """A word both misspelt and a synonym's: the synonym's activities lead, the corrected ones follow."""
    Synonym.objects.create(term="bounse", equivalents="deferred")
    found = names("bounse")
    assert found[:2] == ["Deferred email", "Deferred SMS"]


def test_a_name_match_beats_a_definition_match(catalog):
    """Within one tier, an activity whose name holds the word leads one whose definition does."""
    found = names("discount")
    assert found[0] == "Redeemed discount"
    Activity.objects.create(
        name="Applied voucher", slug="applied-voucher", category=Category.objects.first(), definition="A discount."
    )
    assert names("discount")[:2] == ["Redeemed discount", "Applied voucher"]


@pytest.mark.parametrize("typed", ["undelivered", "unsubscribd", "inactive", "nonbounced", "disabled"])
def test_a_correction_never_adds_or_removes_a_negating_prefix(catalog, typed):
    """undelivered is never read as delivered: a word and its negation are opposites, not typos."""
    query = search(Activity.objects.all(), typed).query
    for correction in query.corrections.values():
        assert correction.removeprefix("un") != typed.removeprefix("un")
    assert "Delivered SMS" not in names("undelivered")


def test_a_known_word_is_never_corrected(catalog):
    """A word of the catalog's vocabulary or of the synonyms is taken as meant."""
    assert search(Activity.objects.all(), "popup").query.corrections == {}
    assert search(Activity.objects.all(), "invalid").query.corrections == {}
    assert search(Activity.objects.all(), "bounse").query.corrections == {"bounse": "bounced"}
