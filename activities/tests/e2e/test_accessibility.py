import json

import pytest
from axe_playwright_python.sync_playwright import Axe

PAGES = {
    "home": "/",
    "category": "/categories/email/",
    "list with results": "/activities/?q=sent&category=email&category=sms",
    "list without results": "/activities/?q=nothing-matches-this-at-all",
    "detail": "/activities/sent-email/",
    "changes": "/changes/",
    "changes with a form error": "/changes/?start=2026-13-01",
    "404": "/no-such-page/",
    "admin login": "/admin/login/?next=/admin/",
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(open_page, axe, scheme):
    """axe-core finds no violation on the public pages, the 404 page or the admin login, in either theme."""
    page = open_page(None, color_scheme=scheme)
    found = {}
    for name, path in PAGES.items():
        page.goto(path)
        results = axe.run(page)
        if results.violations_count:
            found[name] = [
                {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
                for violation in results.response["violations"]
            ]
    assert found == {}, json.dumps(found, indent=2)
