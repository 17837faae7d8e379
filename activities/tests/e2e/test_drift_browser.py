import re

from playwright.sync_api import expect

from activities.models import Activity
from activities.tests.newer_article import OPENED_UPSTREAM, edit_locally, newer_article

PASSWORD = "a-long-browser-test-password"
MERGED = "This activity is recorded when an email has been successfully sent from our system to its recipient's server."


def test_an_editor_resolves_a_newer_article_and_everyone_sees_it(open_page, django_user_model, settings):
    """
    A newer article adds two activities, removes one, rewords two and renames one, against a catalog where an
    editor changed one of the reworded ones. In the browser the editor uploads it, merges the conflict, accepts
    the removal and confirms it, applies the rest; /changes/ and /changes.atom then show all of it.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor = django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    edit_locally(editor)
    page = open_page("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.get_by_role("link", name="Imported articles").click()
    page.get_by_role("link", name="Upload a newer article").click()
    page.get_by_label("Article").set_input_files(
        files=[{"name": "newer.txt", "mimeType": "text/plain", "buffer": newer_article().encode()}]
    )
    page.get_by_role("button", name="Compare with the catalog").click()
    counts = page.locator("#drift-counts")
    for line in ("New upstream: 2", "Removed upstream: 1", "Reworded upstream: 1", "Renamed upstream: 1"):
        expect(counts).to_contain_text(line)
    expect(counts).to_contain_text("Changed upstream and here: 1")

    conflict = page.locator('tr[data-item="activity:sent-email"]')
    expect(conflict.locator("ins").first).to_be_visible()
    conflict.get_by_label("Take this merge:").check()
    conflict.get_by_label("Merged definition").fill(MERGED)
    page.locator('tr[data-item="activity:website-session"]').get_by_label("Accept").check()
    page.get_by_role("button", name="Apply these decisions").click()
    expect(page.locator("#removals")).to_have_text("Website session")
    page.get_by_role("button", name="Yes, remove them and apply").click()
    expect(page.locator(".messagelist")).to_contain_text("It is now the last imported article.")
    expect(page.locator("#drift-state")).to_contain_text("This report was applied on")
    assert Activity.objects.get(slug="sent-email").definition == MERGED
    assert Activity.objects.get(slug="opened-email").definition == OPENED_UPSTREAM
    assert not Activity.objects.filter(slug="website-session").exists()

    visitor = open_page("/")
    visitor.get_by_role("link", name="What changed").click()
    expect(visitor).to_have_url(re.compile(r"/changes/$"))
    for name, kind in (
        ("Replied to email", "Added"),
        ("Snoozed email", "Added"),
        ("Website session", "Removed"),
        ("Opened email", "Reworded"),
        ("Tag deleted", "Renamed"),
        ("Sent email", "Reworded"),
    ):
        group = visitor.locator(".change-group", has=visitor.get_by_role("heading", name=name, exact=True))
        expect(group.locator(".change").first).to_contain_text(kind)
        expect(group.locator(".change").first).to_contain_text("From the article imported on")
    expect(visitor.locator(".change-group", has_text="Tag deleted").locator("del").first).to_have_text("removed")
    expect(visitor.locator("body")).not_to_contain_text("by editor")  # who is for staff only

    feed = visitor.request.get("/changes.atom")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    titles = re.findall(r"<title>([^<]+)</title>", feed.text())
    for title in (
        "Replied to email: added",
        "Snoozed email: added",
        "Website session: removed",
        "Opened email: reworded",
        "Tag deleted: renamed",
        "Sent email: reworded",
    ):
        assert title in titles
