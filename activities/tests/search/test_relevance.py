import json
from pathlib import Path

import pytest

from activities.models import Activity
from activities.search import search

pytestmark = pytest.mark.django_db

CASES = json.loads((Path(__file__).parent / "search_relevance.json").read_text())


def test_the_list_is_large_and_realistic():
    """
    The relevance list holds at least 90 queries: at least 15 misspelled, 30 whose words do not all match one
    activity, 10 with a word that stems together with an unrelated one, 10 negations or near-opposites, and 6
    that name a category.
    """
    assert len(CASES) >= 90
    assert sum(1 for case in CASES if case.get("misspelled")) >= 15
    assert sum(1 for case in CASES if case.get("partial")) >= 30
    assert sum(1 for case in CASES if case.get("stem")) >= 10
    assert sum(1 for case in CASES if case.get("negation")) >= 10
    assert sum(1 for case in CASES if case.get("category")) >= 6


@pytest.mark.parametrize(
    ("query", "expected", "place"), [(case["query"], case["expected"], case["place"]) for case in CASES]
)
def test_expected_activity_is_in_its_place(catalog, query, expected, place):
    """Each committed query finds its expected activity at its place or better (1 is first)."""
    top = list(Activity.objects.search(query).values_list("name", flat=True)[:place])
    assert expected in top, top


@pytest.mark.parametrize("query", [case["query"] for case in CASES if case.get("partial")])
def test_partial_queries_do_drop_a_word(catalog, query):
    """The queries marked partial are ones where no activity holds every word: the search drops some."""
    assert search(Activity.objects.all(), query).query.dropped
