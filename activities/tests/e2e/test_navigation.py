import re

from playwright.sync_api import expect


def results_heading(page):
    return page.locator("#results-heading")


def mark_document(page):
    """Leave a mark in the document, to tell an in-place update from a full page load."""
    page.evaluate("window.stillTheSameDocument = true")


def same_document(page):
    return page.evaluate("window.stillTheSameDocument === true")


def test_browse_home_category_detail_and_back(page):
    """Home leads to a category, the category to an activity, and Back returns the same way."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity explorer")
    favicon = page.request.get(page.locator("link[rel=icon]").get_attribute("href"))
    assert favicon.ok and favicon.headers["content-type"].startswith("image/svg+xml")
    page.get_by_role("link", name=re.compile(r"^Email activities")).click()
    expect(page).to_have_url(re.compile(r"/categories/email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email activities")
    page.locator("#results").get_by_role("link", name="Opened email", exact=True).click()
    expect(page).to_have_url(re.compile(r"/activities/opened-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Opened email")
    expect(page.locator(".definition")).to_have_text("This activity is recorded when the recipient opens the email.")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/categories/email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email activities")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity explorer")


def test_search_as_you_type_updates_results_and_url(open_page):
    """Typing narrows the list in place, and the URL and title follow each change."""
    page = open_page("/activities/")
    expect(results_heading(page)).to_have_text("69 activities")
    mark_document(page)
    page.get_by_label("Search names and definitions").press_sequentially("bounced", delay=20)
    expect(page).to_have_url(re.compile(r"/activities/\?q=bounced$"))
    expect(results_heading(page)).to_have_text("2 activities matching “bounced”")
    expect(page).to_have_title("“bounced” · All activities · Activity explorer")
    expect(page.locator("#results tbody th")).to_have_text(["Bounced email", "Bounced SMS"])
    page.get_by_label("Search names and definitions").press_sequentially(" sms", delay=20)
    expect(page).to_have_url(re.compile(r"\?q=bounced(\+|%20)sms$"))
    expect(results_heading(page)).to_have_text("1 activity matching “bounced sms”")
    expect(page.locator("[data-announcer]")).to_have_text("1 activity found")
    assert same_document(page)
    # Leaving for a result and coming back shows the whole page again, never the bare fragment.
    page.get_by_role("link", name="Bounced SMS", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bounced SMS")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("All activities")
    expect(results_heading(page)).to_have_text("1 activity matching “bounced sms”")
    expect(page.get_by_label("Search names and definitions")).to_have_value("bounced sms")


def test_category_page_filters_as_you_type(open_page):
    """A category page narrows its own table as one types, and its URL follows."""
    page = open_page("/categories/email/")
    mark_document(page)
    page.get_by_label("Filter this category").press_sequentially("unsub", delay=20)
    expect(page).to_have_url(re.compile(r"/categories/email/\?q=unsub$"))
    expect(page.locator(".result-count")).to_contain_text("2 of this category's activities match “unsub”")
    expect(page.locator("#results tbody th")).to_have_count(2)
    assert same_document(page)


def test_facets_toggle_on_and_off(open_page):
    """Facet links add and remove filters in place; counts follow the search, and active ones can be removed."""
    page = open_page("/activities/?q=sent")
    mark_document(page)
    facets = page.get_by_role("complementary", name="Filters")
    expect(facets.get_by_role("link", name=re.compile(r"^Email \(3\)"))).to_be_visible()
    facets.get_by_role("link", name=re.compile(r"^Email \(3\)")).click()
    expect(page).to_have_url(re.compile(r"\?q=sent&category=email$"))
    expect(results_heading(page)).to_have_text("3 activities matching “sent”")
    expect(page.locator(".chip")).to_have_text([re.compile("“sent”"), re.compile("Category: Email")])
    facets.get_by_role("link", name=re.compile(r"^SMS \(\d+\)")).click()
    expect(page).to_have_url(re.compile(r"category=email&category=sms$"))
    expect(facets.locator("[aria-current=true]")).to_have_count(2)
    page.get_by_role("link", name=re.compile(r"Category: Email")).click()
    expect(page).to_have_url(re.compile(r"\?q=sent&category=sms$"))
    expect(facets.locator("[aria-current=true]")).to_have_text([re.compile("SMS")])
    facets.get_by_role("link", name=re.compile(r"^System \(")).click()
    expect(page).to_have_url(re.compile(r"category=sms&kind=system$"))
    # The search box keeps the facets: a new search stays inside them.
    box = page.get_by_label("Search names and definitions")
    box.fill("bounced")
    expect(page).to_have_url(re.compile(r"\?q=bounced&category=sms&kind=system$"))
    expect(results_heading(page)).to_have_text("1 activity matching “bounced”")
    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(re.compile(r"/activities/$"))
    expect(results_heading(page)).to_have_text("69 activities")
    expect(box).to_have_value("")
    assert same_document(page)


def test_back_and_forward_restore_earlier_states(open_page):
    """
    Back and Forward bring back each earlier search and facet, in the box, the results and the URL. Typing
    replaces the current entry instead of adding one per pause: Back from a typed search leaves the list.
    """
    page = open_page("/")
    page.get_by_role("link", name="All activities").first.click()
    expect(page).to_have_url(re.compile(r"/activities/$"))
    box = page.get_by_label("Search names and definitions")
    box.press_sequentially("ema", delay=20)
    expect(page).to_have_url(re.compile(r"\?q=ema$"))
    box.press_sequentially("il", delay=20)
    expect(page).to_have_url(re.compile(r"\?q=email$"))
    expect(results_heading(page)).to_have_text("16 activities matching “email”")
    page.get_by_role("complementary", name="Filters").get_by_role("link", name=re.compile(r"^SMS \(1\)")).click()
    expect(page).to_have_url(re.compile(r"\?q=email&category=sms$"))
    expect(results_heading(page)).to_have_text("1 activity matching “email”")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=email$"))
    expect(results_heading(page)).to_have_text("16 activities matching “email”")
    expect(box).to_have_value("email")
    # Not "?q=ema", nor the empty list the typing started from: the page before the search.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity explorer")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"\?q=email$"))
    expect(box).to_have_value("email")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"category=sms$"))
    expect(results_heading(page)).to_have_text("1 activity matching “email”")
    expect(page.locator(".chip")).to_have_text([re.compile("“email”"), re.compile("Category: SMS")])
    expect(page).to_have_title("“email” · All activities · Activity explorer")


def test_a_submitted_search_adds_a_history_entry(open_page):
    """Submitting a typed search keeps it as an entry of its own: Back returns to it."""
    page = open_page("/activities/?q=email")
    box = page.get_by_label("Search names and definitions")
    box.fill("")
    box.press_sequentially("bounced", delay=20)
    expect(page).to_have_url(re.compile(r"\?q=bounced$"))
    expect(results_heading(page)).to_have_text("2 activities matching “bounced”")
    entries = page.evaluate("history.length")
    page.locator("#activity-filters").get_by_role("button", name="Search").click()
    for _ in range(50):
        if page.evaluate("history.length") == entries + 1:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("history.length") == entries + 1
    page.get_by_role("complementary", name="Filters").get_by_role("link", name=re.compile(r"^SMS \(1\)")).click()
    expect(page).to_have_url(re.compile(r"\?q=bounced&category=sms$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=bounced$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=bounced$"))


def test_on_a_phone_the_facets_fold_behind_a_filters_button(open_page):
    """On a phone the first result shows above the fold; "Filters (n)" opens the facets, with the active count."""
    page = open_page("/activities/?q=email&kind=system", viewport={"width": 390, "height": 844})
    button = page.get_by_role("button", name="Filters (1)")
    expect(button).to_be_visible()
    expect(page.get_by_role("complementary", name="Filters")).to_be_hidden()
    first = page.locator("#results tbody th").first
    expect(first).to_be_in_viewport()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("complementary", name="Filters")).to_be_visible()
    page.get_by_role("complementary", name="Filters").get_by_role("link", name=re.compile(r"^SMS \(")).click()
    expect(page).to_have_url(re.compile(r"category=sms"))
    expect(page.get_by_role("button", name="Filters (2)")).to_be_visible()


def test_everything_works_without_javascript(open_page):
    """With JavaScript off, the search form, facet links, chips, pagination and category filter all still work."""
    page = open_page("/activities/", java_script_enabled=False)
    page.get_by_label("Search names and definitions").fill("email")
    page.get_by_label("Search names and definitions").press("Enter")
    expect(page).to_have_url(re.compile(r"/activities/\?q=email$"))
    expect(results_heading(page)).to_have_text("16 activities matching “email”")
    page.get_by_role("complementary", name="Filters").get_by_role("link", name=re.compile(r"^SMS \(1\)")).click()
    expect(page).to_have_url(re.compile(r"\?q=email&category=sms$"))
    expect(results_heading(page)).to_have_text("1 activity matching “email”")
    # A new search from the form keeps the chosen category, through its hidden field.
    page.get_by_label("Search names and definitions").fill("unsubscribed")
    page.get_by_label("Search names and definitions").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=unsubscribed&category=sms$"))
    page.get_by_role("link", name=re.compile("Category: SMS")).click()
    expect(page).to_have_url(re.compile(r"\?q=unsubscribed$"))
    expect(results_heading(page)).to_have_text(re.compile(r"^\d+ activit"))
    page.goto("/activities/")
    page.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    page.goto("/categories/talk/")
    page.get_by_label("Filter this category").fill("call")
    page.get_by_label("Filter this category").press("Enter")
    expect(page).to_have_url(re.compile(r"/categories/talk/\?q=call$"))
    expect(page.locator(".result-count")).to_contain_text("match “call”")
    page.goto("/activities/sent-email/")
    expect(page.get_by_role("button", name="Copy name")).to_be_hidden()
