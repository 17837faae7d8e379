"""
The newer article the drift tests read: against the committed one it adds two activities, removes one, rewords
two and renames one; `edit_locally` is the editor's own change to one of the reworded activities.
"""

from activities.imported_articles import COMMITTED_ARTICLE
from activities.models import Activity

SENT_BEFORE = "This activity is recorded when has been successfully sent"
SENT_UPSTREAM = "This activity is recorded when an email has been successfully sent"
SENT_HERE = "This activity is recorded when the email has been successfully sent"
OPENED_BEFORE = "This activity is recorded when the recipient opens the email."
OPENED_UPSTREAM = "This activity is recorded when the recipient opens the email, as their mail client reports it."
ADDED = (
    "Replied to email | This activity is recorded when the recipient replies to the email. |",
    "Snoozed email | This activity is recorded when the recipient snoozes the email. |",
)


def newer_article(text=None):
    text = text or COMMITTED_ARTICLE.read_text(encoding="utf-8")
    replacements = (
        (SENT_BEFORE, SENT_UPSTREAM),
        (OPENED_BEFORE, OPENED_UPSTREAM),
        ("Tag removed | ", "Tag deleted | "),
        ("Website session | This activity is recorded when an anonymous person visits your website/app. |\n", ""),
        ("Received email | ", "\n".join(ADDED) + "\nReceived email | "),
    )
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def edit_locally(user=None):
    """An editor's correction of "Sent email", saved as the admin saves it (a version up, in history)."""
    sent = Activity.objects.get(slug="sent-email")
    sent.definition = sent.definition.replace(SENT_BEFORE, SENT_HERE)
    sent._change_reason, sent._history_user = "Changed definition", user
    sent.save()
    return sent
