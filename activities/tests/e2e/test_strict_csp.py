import re

from playwright.sync_api import expect


def test_pages_work_under_the_apps_own_content_security_policy(open_page):
    """
    Under the CSP the app itself sends (scripts and styles from the app only), live search, facets and the
    copy button work, and the browser refuses nothing: a refusal is a console error, which fails the test.
    """
    page = open_page(None, permissions=["clipboard-read", "clipboard-write"])
    response = page.goto("/activities/")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    page.get_by_label("Search names and definitions").fill("bounced")
    expect(page.locator("#results-heading")).to_have_text("2 activities matching “bounced”")
    page.get_by_role("complementary", name="Filters").get_by_role("link", name=re.compile(r"^SMS")).click()
    expect(page).to_have_url(re.compile(r"category=sms$"))
    page.goto("/activities/bounced-sms/")
    page.locator("button[data-copy-text]").click()
    expect(page.locator("button[data-copy-text]")).to_have_text("✓ Name copied")
