"""An editor's whole day in Chromium: add, find, bulk-sync, a stale save kept and applied, revert, rename, delete."""

import re

from playwright.sync_api import expect

from activities.models import Activity

PASSWORD = "a-long-browser-test-password"
FIRST = "Recorded when a contact joins one of the team’s webinars."
SECOND = "Recorded when a contact joins a webinar, live or replayed."


def sign_in(page):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_an_editors_day(open_page, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    page = open_page(None)
    sign_in(page)
    content = page.locator("#content")

    # 1. Add a custom activity; the slug fills itself from the name.
    page.goto("/admin/activities/activity/add/")
    page.get_by_label("Name").press_sequentially("Joined webinar")
    expect(page.get_by_label("Slug")).to_have_value("joined-webinar")
    page.get_by_label("Category").select_option(label="Email")
    page.get_by_label("Definition").fill(FIRST)
    content.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    added = Activity.objects.get(slug="joined-webinar")
    assert (added.version, added.kind) == (1, "custom")

    # 2. Find it with the public search, in a marketer's words.
    page.goto("/activities/")
    page.get_by_label("Search names and definitions").fill("webinar")
    expect(page.locator("#results tbody th")).to_have_text([re.compile(r"^Joined webinar\b")])

    # 3. A second tab opens its change form before the bulk change.
    second = page.context.new_page()
    second.goto(f"/admin/activities/activity/{added.pk}/change/")

    # 4. Tick both destinations in bulk from the filtered change list.
    page.goto("/admin/activities/activity/?q=webinar")
    page.locator("#result_list").get_by_role("checkbox", name=re.compile("Joined webinar")).check()
    page.get_by_role("combobox", name="Action").select_option(label="Change destinations of the selected activities")
    page.locator("#changelist-form").get_by_role("button", name="Run").first.click()
    page.get_by_label("Salesforce").check()
    page.get_by_label("Webhook").check()
    page.get_by_role("button", name=re.compile("^Apply to 1")).click()
    expect(page.locator(".messagelist")).to_contain_text("Added Salesforce and Webhook to 1 activity.")

    # 5. The stale tab's save is refused, shows what changed and keeps the text; saving again applies it on top.
    second.get_by_label("Definition").fill(SECOND)
    second.locator("#content").get_by_role("button", name="Save", exact=True).first.click()
    errors = second.locator(".errornote, .errorlist")
    expect(errors.first).to_be_visible()
    expect(second.locator("#content")).to_contain_text("Synced to: none → Salesforce, Webhook")
    expect(second.get_by_label("Definition")).to_have_value(SECOND)
    expect(second.get_by_label("Salesforce")).to_be_checked()
    second.locator("#content").get_by_role("button", name="Save", exact=True).first.click()
    expect(second.locator(".messagelist")).to_contain_text("was changed successfully")
    saved = Activity.objects.get(pk=added.pk)
    assert saved.definition == SECOND
    assert sorted(d.slug for d in saved.destinations.all()) == ["salesforce", "webhook"]
    second.close()

    # 6. Revert to the version as added, destinations included, after seeing what that changes.
    page.goto(f"/admin/activities/activity/{added.pk}/history/")
    page.locator("#content table").get_by_role("link", name=re.compile("Joined webinar")).last.click()
    changes = page.locator("#revert-changes")
    expect(changes).to_contain_text("Synced to")
    expect(changes).to_contain_text(FIRST)
    page.locator("#content").get_by_role("button", name="Revert").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    reverted = Activity.objects.get(pk=added.pk)
    assert (reverted.definition, list(reverted.destinations.all())) == (FIRST, [])
    assert reverted.history.first().history_change_reason.startswith("Reverted to the version of")

    # 7. Rename its slug; the old link still leads to it.
    page.goto(f"/admin/activities/activity/{added.pk}/change/")
    page.get_by_label("Slug").fill("webinar-joined")
    content.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto("/activities/joined-webinar/")
    expect(page).to_have_url(re.compile(r"/activities/webinar-joined/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Joined webinar")

    # 8. Delete it, after the confirmation page.
    page.goto(f"/admin/activities/activity/{added.pk}/change/")
    content.get_by_role("button", name="Delete").first.click()
    expect(page).to_have_url(re.compile(r"/delete/$"))
    page.get_by_role("button", name=re.compile("Yes, I.m sure")).click()
    expect(page.locator(".messagelist")).to_contain_text("was deleted successfully")
    assert not Activity.objects.filter(pk=added.pk).exists()
    response = page.goto("/activities/webinar-joined/")
    assert response.status == 404
