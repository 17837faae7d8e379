import re

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


def luminance(css_colour):
    """Relative luminance (WCAG) of an rgb() colour: 0 is black, 1 is white."""
    channels = [int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3]]
    red, green, blue = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_theme_follows_the_system_colour_scheme(open_page):
    """
    The page follows prefers-color-scheme: dark text on a light page in light mode, light text on a dark page
    in dark mode, links and the header included, each readable (WCAG AA contrast, 4.5:1).
    """
    seen = {}
    for scheme in ("light", "dark"):
        page = open_page("/activities/?q=email", color_scheme=scheme)
        background, text = colours(page, "body")
        link = colours(page, "#results tbody a")[1]
        header = colours(page, ".site-header")[0]
        seen[scheme] = luminance(background)
        for foreground in (text, link):
            lighter, darker = sorted((luminance(background), luminance(foreground)), reverse=True)
            assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (scheme, background, foreground)
        if scheme == "light":
            assert luminance(background) > luminance(text) and luminance(header) > 0.5
        else:
            assert luminance(background) < luminance(text) and luminance(header) < 0.5
        assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light dark"
    assert seen["light"] > seen["dark"]
