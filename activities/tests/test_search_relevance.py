import json
from pathlib import Path

import pytest

from activities.models import Activity

pytestmark = pytest.mark.django_db

CASES = json.loads((Path(__file__).parent / "search_relevance.json").read_text())


def test_the_list_is_large_and_realistic():
    """The relevance list holds at least 40 queries, at least 15 of them misspelled."""
    assert len(CASES) >= 40
    assert sum(1 for case in CASES if case.get("misspelled")) >= 15


def test_expected_activity_is_in_the_top_three(catalog):
    """At least 95% of the committed queries find their expected activity among the first three results."""
    misses = []
    for case in CASES:
        top = list(Activity.objects.search(case["query"]).values_list("name", flat=True)[:3])
        if case["expected"] not in top:
            misses.append((case["query"], case["expected"], top))
    assert len(misses) <= len(CASES) * 0.05, misses
