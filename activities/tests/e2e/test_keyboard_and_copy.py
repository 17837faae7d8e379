import re

from playwright.sync_api import expect


def clipboard_holds(page, text):
    """Wait, retrying, until the clipboard holds `text`: the copy finishes after the click returns."""
    page.wait_for_function("async text => (await navigator.clipboard.readText()) === text", arg=text)


def test_slash_focuses_search_and_escape_clears_it(open_page):
    """`/` puts the cursor in the page's search box from anywhere; Esc empties it and the results follow."""
    page = open_page("/")
    page.keyboard.press("/")
    expect(page.locator("#id_q")).to_be_focused()
    page = open_page("/activities/sent-email/")
    page.keyboard.press("/")
    expect(page.locator("#site-search-q")).to_be_focused()
    page = open_page("/activities/?q=bounced")
    expect(page.locator("#results-heading")).to_have_text("2 activities matching “bounced”")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    box = page.get_by_label("Search names and definitions")
    expect(box).to_be_focused()
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    expect(page).to_have_url(re.compile(r"/activities/$"))
    expect(page.locator("#results-heading")).to_have_text("69 activities")
    # Typing "/" inside the box is just a character.
    page.keyboard.type("a/b")
    expect(box).to_have_value("a/b")


def test_tab_reaches_every_result_in_order_with_visible_focus(open_page):
    """From the search box, Tab walks the facets, then every result link in order, each with a visible outline."""
    page = open_page("/activities/?q=email")
    expected = page.locator("#results tbody a").evaluate_all("links => links.map(link => link.href)")
    assert len(expected) == 32
    page.get_by_label("Search names and definitions").focus()
    reached = []
    for _ in range(len(expected) + 30):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                return {
                    href: element.href || null,
                    inResults: !!element.closest('#results tbody'),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                };
            }"""
        )
        assert state["outline"], f"no visible focus on {state['href']}"
        if state["inResults"]:
            reached.append(state["href"])
        if len(reached) == len(expected):
            break
    assert reached == expected


def test_keyboard_toggles_facets_without_losing_its_place(open_page):
    """Enter on a facet toggles it and keeps focus on it; removing a chip moves focus to the results."""
    page = open_page("/activities/?q=email")
    page.locator("#facet-category-sms").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"category=sms$"))
    expect(page.locator("#facet-category-sms")).to_have_attribute("aria-current", "true")
    expect(page.locator("#facet-category-sms")).to_be_focused()
    page.locator("#remove-category-sms").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=email$"))
    expect(page.locator("#results-heading")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#results tbody :focus")).to_have_count(1)


def test_copy_buttons_copy_name_and_permalink(open_page, site):
    """The copy buttons put the name and the full permalink on the clipboard, and say so."""
    page = open_page("/activities/sent-email/", permissions=["clipboard-read", "clipboard-write"])
    # Located by what they copy: their names change to confirm the copy.
    name_button = page.locator("button[data-copy-text]")
    name_button.click()
    expect(name_button).to_have_text("✓ Name copied")
    clipboard_holds(page, "Sent email")
    expect(page.locator("[data-announcer]")).to_have_text("Name copied")
    link_button = page.locator("button[data-copy-url]")
    link_button.click()
    expect(link_button).to_have_text("✓ Link copied")
    clipboard_holds(page, f"{site}/activities/sent-email/")
    expect(name_button).to_have_text("Copy name", timeout=4_000)
