import re

from activities.models import Activity, Category
from activities.tests.forms import submit

ONE_WORD = "This activity is recorded when the recipient opens the email twice."


def edit_definition(editor, activity, text):
    url = f"/admin/activities/activity/{activity.pk}/change/"
    assert submit(editor, url, {"definition": text}, form_id="activity_form", button="_save").status_code == 302


def test_history_marks_the_one_word_changed(editor, catalog):
    """A one-word edit in a definition shows in the admin's history as that word, marked, as on /changes/."""
    opened = Activity.objects.get(slug="opened-email")
    edit_definition(editor, opened, ONE_WORD)
    html = editor.get(f"/admin/activities/activity/{opened.pk}/history/").content.decode()
    marked = "recorded when the recipient opens the <del>email.</del><ins>email twice.</ins></span>"
    assert f'<span class="word-diff">This activity is {marked}' in html
    public = editor.get("/changes/", {"kind": "reworded"}).content.decode()
    assert "<del>email.</del><ins>email twice.</ins>" in public


def test_history_keeps_before_and_after_for_other_fields(editor, catalog):
    """A move to another category reads as before → after, not word by word."""
    opened = Activity.objects.get(slug="opened-email")
    url = f"/admin/activities/activity/{opened.pk}/change/"
    sms = Category.objects.get(slug="sms")
    assert submit(editor, url, {"category": str(sms.pk)}, form_id="activity_form", button="_save").status_code == 302
    html = editor.get(f"/admin/activities/activity/{opened.pk}/history/").content.decode()
    assert re.search(r"<strong>Category:</strong>\s*Email\s*&nbsp;&rarr;&nbsp;&nbsp;SMS", html)


def test_the_revert_page_shows_the_words_reverting_changes(editor, catalog):
    """Reverting a one-word edit shows, before anything is saved, the word it takes back."""
    opened = Activity.objects.get(slug="opened-email")
    edit_definition(editor, opened, ONE_WORD)
    first = opened.history.order_by("history_date", "history_id").first()
    page = editor.get(f"/admin/activities/activity/{opened.pk}/history/{first.history_id}/").content.decode()
    table = re.search(r'<table id="revert-changes">.*?</table>', page, re.S).group(0)
    assert "<del>email twice.</del><ins>email.</ins>" in table
