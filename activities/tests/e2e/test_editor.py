import re

from playwright.sync_api import expect

from activities.models import Activity

PASSWORD = "a-long-browser-test-password"
NEW_DEFINITION = "Recorded the moment a recipient opens the email, once per opening."


def test_editor_changes_a_definition_and_the_public_page_shows_it(open_page, django_user_model, settings):
    """An editor logs in, filters the admin list, edits a definition, then sees it in public and in the history."""
    # A fast hasher: the test is about the editing flow, not the cost of hashing passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    page = open_page("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto("/admin/activities/activity/")
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name="Email", exact=True).click()
    expect(page).to_have_url(re.compile(r"category__id__exact=\d+"))
    expect(page.locator("#result_list tbody tr")).to_have_count(15)
    filters.get_by_role("link", name="Custom", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    filters.get_by_role("link", name="System", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(15)

    page.locator("#result_list").get_by_role("link", name="Opened email", exact=True).click()
    page.get_by_label("Definition").fill(NEW_DEFINITION)
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Activity.objects.get(slug="opened-email").definition == NEW_DEFINITION

    page.goto("/activities/opened-email/")
    expect(page.locator(".definition")).to_have_text(NEW_DEFINITION)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_be_visible()
    page.goto("/activities/")
    page.get_by_label("Search names and definitions").fill("once per opening")
    expect(page.locator("#results tbody th")).to_have_text(["Opened email"])

    page.goto(f"/admin/activities/activity/{Activity.objects.get(slug='opened-email').pk}/change/")
    page.get_by_role("link", name="History").click()
    history = page.locator("#content table")
    expect(history).to_contain_text("editor")
    expect(history).to_contain_text(re.compile("definition", re.IGNORECASE))
