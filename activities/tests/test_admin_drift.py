from django.core.files.uploadedfile import SimpleUploadedFile

from activities.imported_articles import COMMITTED_ARTICLE, ImportedArticle
from activities.models import Activity
from activities.tests.forms import messages_of, post_form, read_form, text_of
from activities.tests.newer_article import OPENED_UPSTREAM, SENT_UPSTREAM, edit_locally, newer_article

LIST = "/admin/activities/importedarticle/"
UPLOAD = "/admin/activities/importedarticle/upload/"


def upload(client, content, name="newer.txt"):
    """From the imported articles' list, click "Upload a newer article", choose the file and compare."""
    listing = client.get(LIST)
    assert UPLOAD in listing.content.decode()
    form = read_form(client.get(UPLOAD), form_id="article-upload-form")
    form.attach("article", SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode()))
    return post_form(client, form, "Compare with the catalog", follow=True)


def test_an_upload_shows_its_report_and_writes_nothing(editor, catalog):
    """The uploaded article's report lists each class; the catalog is unchanged until it is applied."""
    edit_locally()
    report = upload(editor, newer_article())
    page = text_of(report.content.decode())
    assert "New upstream: 2" in page and "Removed upstream: 1" in page and "Changed upstream and here: 1" in page
    assert "<ins>an </ins>" in report.content.decode() or "<ins>an" in report.content.decode()
    assert not Activity.objects.filter(slug="replied-to-email").exists()
    assert ImportedArticle.objects.last_imported().text == COMMITTED_ARTICLE.read_text(encoding="utf-8")


def test_applying_decisions_with_a_merge_and_a_confirmed_removal(editor, catalog):
    """
    Resolve the conflict with a merge, accept the removal, confirm it, apply: one transaction, every change in
    history with the article's reason, the article the last imported one.
    """
    edit_locally()
    report = upload(editor, newer_article())
    form = read_form(report, form_id="drift-form")
    form.set("decision-activity:sent-email", "merge")
    form.set("merge-definition-activity:sent-email", "Merged by the editor.")
    form.set("decision-activity:website-session", "accept")
    confirmation = post_form(editor, form, "Apply these decisions")
    assert "Website session" in text_of(confirmation.content.decode())
    assert Activity.objects.filter(slug="website-session").exists()  # asked first, not yet removed
    done = post_form(editor, read_form(confirmation, form_id="confirm-removal-form"), follow=True)
    assert any("It is now the last imported article." in message for message in messages_of(done))
    assert Activity.objects.get(slug="sent-email").definition == "Merged by the editor."
    assert Activity.objects.get(slug="opened-email").definition == OPENED_UPSTREAM
    assert not Activity.objects.filter(slug="website-session").exists()
    assert set(
        Activity.objects.filter(slug__in=["replied-to-email", "snoozed-email", "tag-deleted"]).values_list(
            "slug", flat=True
        )
    ) == {"replied-to-email", "snoozed-email", "tag-deleted"}
    removed = Activity.history.filter(slug="website-session", history_type="-").get()
    assert removed.history_change_reason.startswith("From the article imported on ")
    assert removed.history_user.username == "editor"


def test_taking_theirs_for_the_conflict(editor, catalog):
    """The editor takes the article's text for the conflict; the removal, left as "Keep it", stays."""
    edit_locally()
    form = read_form(upload(editor, newer_article()), form_id="drift-form")
    form.set("decision-activity:sent-email", "theirs")
    done = post_form(editor, form, "Apply these decisions", follow=True)
    assert done.status_code == 200
    assert SENT_UPSTREAM in Activity.objects.get(slug="sent-email").definition
    assert Activity.objects.filter(slug="website-session").exists()


def test_accept_all_non_conflicting_leaves_the_rest_pending(editor, catalog):
    """One click takes the new, reworded and renamed rows; the conflict and the removal wait on the same report."""
    edit_locally()
    report = upload(editor, newer_article())
    after = post_form(editor, read_form(report, form_id="drift-form"), "Accept all non-conflicting", follow=True)
    assert any("still wait for a decision" in message for message in messages_of(after))
    page = text_of(after.content.decode())
    assert "New upstream: 0" in page and "Changed upstream and here: 1" in page and "Removed upstream: 1" in page
    assert Activity.objects.get(slug="opened-email").definition == OPENED_UPSTREAM


def test_a_report_on_an_old_base_refuses_to_apply(editor, catalog):
    """Another import lands while the report is open: applying it is refused with a message; nothing is written."""
    report = upload(editor, newer_article())
    form = read_form(report, form_id="drift-form")
    ImportedArticle.objects.create_imported(newer_article().replace("Snoozed", "Muted"), None)
    done = post_form(editor, form, "Apply these decisions", follow=True)
    assert any("Another article was imported" in message for message in messages_of(done))
    assert "it can no longer be applied" in text_of(done.content.decode())
    assert not Activity.objects.filter(slug="replied-to-email").exists()


def test_a_row_edited_after_the_report_was_opened_is_not_overwritten(editor, catalog):
    """An editor saves "Opened email" while the report is open: the whole apply is refused, with a link."""
    form = read_form(upload(editor, newer_article()), form_id="drift-form")
    opened = Activity.objects.get(slug="opened-email")
    opened.definition = "Edited meanwhile."
    opened.save()
    done = post_form(editor, form, "Apply these decisions", follow=True)
    assert any("changed by someone else" in message for message in messages_of(done))
    assert Activity.objects.get(slug="opened-email").definition == "Edited meanwhile."
    assert not Activity.objects.filter(slug="replied-to-email").exists()


def test_uploads_too_big_or_not_utf8_or_malformed_are_refused(editor, catalog):
    """Each bad upload is refused on the form with a message, and nothing is stored."""
    too_big = upload(editor, b"x" * (2 * 1024 * 1024 + 1))
    assert "an article of at most 2 MB is accepted" in text_of(too_big.content.decode())
    latin = upload(editor, newer_article().replace("recipient", "récipient").encode("latin-1", "replace"))
    assert "the file is not UTF-8" in text_of(latin.content.decode())
    broken = upload(editor, "Title\nOverview\ntext\nEmail activities\nActivity | Definition |\nnope\n")
    assert "Line 6: expected the `---|---|` rule" in text_of(broken.content.decode())
    assert ImportedArticle.objects.count() == 1
