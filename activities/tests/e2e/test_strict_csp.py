import re

from playwright.sync_api import expect

STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'"


def test_pages_work_under_a_strict_content_security_policy(open_page):
    """With scripts and styles allowed only from the app itself, nothing is refused and live search still works."""
    page = open_page(None, permissions=["clipboard-read", "clipboard-write"])
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route(re.compile(r".*"), with_csp)
    page.goto("/activities/")
    page.get_by_label("Search names and definitions").fill("bounced")
    expect(page.locator("#results-heading")).to_have_text("2 activities matching “bounced”")
    page.get_by_role("complementary", name="Filters").get_by_role("link", name=re.compile(r"^SMS")).click()
    expect(page).to_have_url(re.compile(r"category=sms$"))
    page.goto("/activities/bounced-sms/")
    page.locator("button[data-copy-text]").click()
    expect(page.locator("button[data-copy-text]")).to_have_text("✓ Name copied")
    assert refused == []
