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


@pytest.mark.parametrize(("query", "expected"), [(case["query"], case["expected"]) for case in CASES])
def test_expected_activity_is_in_the_top_three(catalog, query, expected):
    """Each committed query finds its expected activity among the first three results."""
    top = list(Activity.objects.search(query).values_list("name", flat=True)[:3])
    assert expected in top, top
