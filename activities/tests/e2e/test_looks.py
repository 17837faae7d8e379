import re

import pytest
from playwright.sync_api import expect

NARROW_PAGES = {
    "home": "/",
    "category": "/categories/journeys-playbook/",
    "list": "/activities/?q=email&category=email&category=sms",
    "empty-list": "/activities/?q=nothing-matches-this-at-all",
    "detail": "/activities/unsubscribed-from-email-audience/",
    "not-found": "/no-such-page/",
}


def overflow(page):
    return page.evaluate(
        """() => {
        const scrollsInside = element => {
            for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
                    return box.getBoundingClientRect().right <= window.innerWidth + 0.5;
                }
            }
            return false;
        };
        return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(element => element.getBoundingClientRect().right > window.innerWidth + 0.5)
                // A wide diagram may scroll inside its own box, as long as the box itself fits.
                .filter(element => !scrollsInside(element))
                .map(element => element.tagName + '.' + element.className).slice(0, 5),
        };
        }"""
    )


def test_pages_fit_a_360_pixel_screen(open_page, artifacts):
    """At 360 px wide nothing overflows sideways; each page's screenshot is kept in test-artifacts/."""
    page = open_page(None, viewport={"width": 360, "height": 780}, device_scale_factor=1)
    for name, path in NARROW_PAGES.items():
        page.goto(path)
        page.screenshot(path=artifacts / f"layout-360-{name}.png", full_page=True)
        measured = overflow(page)
        assert measured["scrollWidth"] <= measured["innerWidth"], (name, measured)
        assert measured["wide"] == [], (name, measured)
    # The search box and its button stay on screen and usable.
    page.goto("/activities/")
    box = page.get_by_label("Search names and definitions").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.get_by_label("Search names and definitions").fill("sms")
    expect(page).to_have_url(re.compile(r"\?q=sms$"))


def colours(page, selector):
    return page.locator(selector).first.evaluate(
        "element => { const style = getComputedStyle(element); return [style.backgroundColor, style.color]; }"
    )


@pytest.mark.parametrize(
    ("scheme", "body", "link"),
    [
        ("light", ["rgb(247, 248, 251)", "rgb(27, 31, 42)"], "rgb(58, 79, 214)"),
        ("dark", ["rgb(18, 20, 27)", "rgb(231, 233, 240)"], "rgb(140, 155, 255)"),
    ],
)
def test_theme_follows_the_system_colour_scheme(open_page, scheme, body, link):
    """The page follows prefers-color-scheme: dark text on light in light mode, light text on dark in dark mode."""
    page = open_page("/activities/?q=email", color_scheme=scheme)
    assert colours(page, "body") == body
    assert colours(page, "#results tbody a")[1] == link
    surface = colours(page, ".site-header")[0]
    assert surface == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(27, 30, 40)")
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light dark"
