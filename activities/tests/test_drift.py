import io

import pytest
from django.core.management import CommandError, call_command

from activities.drift import Drift, drift
from activities.drift_apply import DriftError, apply, non_conflicting
from activities.imported_articles import COMMITTED_ARTICLE, ImportedArticle
from activities.models import Activity, Category
from activities.tests.newer_article import OPENED_UPSTREAM, SENT_HERE, SENT_UPSTREAM, edit_locally, newer_article
from activities.versioning import StaleEdit

COMMITTED = COMMITTED_ARTICLE.read_text(encoding="utf-8")


def classes(report):
    return {(item.kind, item.name, item.drift) for item in report.items}


def run(path, *options):
    output = io.StringIO()
    call_command("import_article", str(path), *options, stdout=output)
    return output.getvalue()


def write(tmp_path, text):
    path = tmp_path / "newer.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_first_load_records_the_committed_article(catalog):
    """Loading the catalog keeps the committed article, whole, as the one imported last."""
    last = ImportedArticle.objects.last_imported()
    assert last.text == COMMITTED
    assert last.sha256 == "c3d9c605484d9f8751ddbb993f08d90276c9701b8e53eac3007214121c38cc47"


def test_the_same_article_again_drifts_nowhere(catalog):
    """Reading the article imported last, slips and all, finds nothing to change."""
    assert drift(COMMITTED, COMMITTED).items == []


def test_each_class_of_the_newer_article(catalog):
    """Two new, one removed, one reworded, one renamed, and a conflict where the editor changed a reworded one."""
    edit_locally()
    report = drift(COMMITTED, newer_article())
    assert classes(report) == {
        ("activity", "Replied to email", Drift.NEW),
        ("activity", "Snoozed email", Drift.NEW),
        ("activity", "Website session", Drift.REMOVED),
        ("activity", "Opened email", Drift.REWORDED),
        ("activity", "Tag deleted", Drift.RENAMED),
        ("activity", "Sent email", Drift.CONFLICT),
    }
    conflict = report.get("activity:sent-email")
    assert SENT_UPSTREAM in conflict.theirs["definition"] and SENT_HERE in conflict.ours["definition"]


def test_a_local_edit_alone_is_listed_and_kept(catalog):
    """A definition changed here and not upstream is "changed here only"."""
    Activity.objects.filter(slug="bounced-email").update(definition="Edited here.")
    report = drift(COMMITTED, COMMITTED)
    assert classes(report) == {("activity", "Bounced email", Drift.LOCAL)}


def test_the_same_change_on_both_sides_is_no_drift(catalog):
    """An editor who already made the article's change has nothing to decide."""
    Activity.objects.filter(slug="opened-email").update(definition=OPENED_UPSTREAM)
    assert ("activity", "Opened email", Drift.REWORDED) not in classes(drift(COMMITTED, newer_article()))
    assert not drift(COMMITTED, newer_article()).get("activity:opened-email")


def test_a_rename_here_and_upstream_is_a_conflict(catalog):
    """Upstream renames "Tag removed" while an editor named it otherwise: a conflict on its name."""
    Activity.objects.filter(slug="tag-removed").update(name="Tag taken off")
    assert ("activity", "Tag deleted", Drift.CONFLICT) in classes(drift(COMMITTED, newer_article()))


def test_a_new_category_and_a_removed_one(catalog):
    """A category the article gains comes with its activities; one it drops is removed upstream."""
    start = COMMITTED.index("Knowledge base activities\n")  # the last category
    webinar = (
        "Webinar activities\nActivity | Definition |\n---|---|\nJoined webinar | Recorded when a contact joins. |\n"
    )
    report = drift(COMMITTED, COMMITTED[:start] + webinar)
    assert ("category", "Webinar", Drift.NEW) in classes(report)
    assert ("activity", "Joined webinar", Drift.NEW) in classes(report)
    assert ("category", "Knowledge base", Drift.REMOVED) in classes(report)


def test_a_renamed_category_keeps_its_activities(catalog):
    """A heading renamed, holding the same activities, is a renamed category."""
    report = drift(COMMITTED, COMMITTED.replace("\nTalk activities\n", "\nLive chat activities\n"))
    assert classes(report) == {("category", "Live chat", Drift.RENAMED)}


def test_an_activity_added_here_is_listed(catalog):
    """A custom activity the article never had is the catalog's own: listed for information."""
    Activity.objects.create(
        name="Mine", slug="mine", definition="Ours.", category=Category.objects.first(), kind="custom"
    )
    assert classes(drift(COMMITTED, COMMITTED)) == {("activity", "Mine", Drift.LOCAL)}


def test_applying_everything_records_history_and_keeps_the_old_address(catalog, client):
    """Accepted changes are written with the article's reason; the renamed activity's old slug redirects."""
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(newer_article(), base, None)
    report = drift(base.text, article.text)
    decisions = non_conflicting(report)
    apply(article, report, decisions, None)
    assert Activity.objects.filter(slug__in=["replied-to-email", "snoozed-email"]).count() == 2
    assert Activity.objects.get(slug="opened-email").definition == OPENED_UPSTREAM
    entry = Activity.objects.get(slug="tag-deleted").history.first()
    assert entry.history_change_reason.startswith("From the article imported on ")
    assert client.get("/activities/tag-removed/").headers["Location"] == "/activities/tag-deleted/"
    assert Activity.objects.filter(slug="website-session").exists()  # a removal waits for an explicit accept
    assert ImportedArticle.objects.last_imported() == article


def test_a_report_on_an_old_base_refuses_to_apply(catalog):
    """Someone imported another article after the report was made: nothing is applied, and it says so."""
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(newer_article(), base, None)
    report = drift(base.text, article.text)
    ImportedArticle.objects.create_imported(COMMITTED, None)
    with pytest.raises(DriftError, match="Another article was imported"):
        apply(article, report, non_conflicting(report), None)
    assert not Activity.objects.filter(slug="replied-to-email").exists()


def test_a_row_saved_since_the_report_refuses_the_whole_apply(catalog):
    """An activity edited after the report was read is not overwritten: nothing at all is written."""
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(newer_article(), base, None)
    report = drift(base.text, article.text)
    Activity.objects.get(slug="opened-email").save()
    with pytest.raises(StaleEdit):
        apply(article, report, non_conflicting(report), None)
    assert not Activity.objects.filter(slug="replied-to-email").exists()


class TestCommand:
    def test_summary_writes_nothing(self, catalog, tmp_path):
        """Without --apply-non-conflicting the command prints the drift and leaves the catalog alone."""
        edit_locally()
        output = run(write(tmp_path, newer_article()))
        assert "2 new upstream, 1 removed upstream, 1 reworded upstream, 1 renamed upstream" in output
        assert "1 changed upstream and here, 0 changed here only." in output
        assert "Decide the rest in the admin: /admin/activities/importedarticle/" in output
        assert not Activity.objects.filter(slug="replied-to-email").exists()
        assert Activity.objects.get(slug="opened-email").definition != OPENED_UPSTREAM

    def test_apply_non_conflicting_leaves_the_decisions(self, catalog, tmp_path):
        """The flag applies new, reworded and renamed rows; the conflict and the removal wait."""
        sent = edit_locally()
        path = write(tmp_path, newer_article())
        output = run(path, "--apply-non-conflicting")
        assert "Applied 4 changes that needed no decision." in output
        assert Activity.objects.get(slug="opened-email").definition == OPENED_UPSTREAM
        assert Activity.objects.get(slug="sent-email").definition == sent.definition
        assert Activity.objects.filter(slug="website-session").exists()
        again = run(path)
        assert "0 new upstream, 1 removed upstream, 0 reworded upstream, 0 renamed upstream" in again

    def test_the_same_article_changes_nothing(self, catalog, tmp_path):
        """Importing the article imported last writes nothing and says so."""
        output = run(write(tmp_path, COMMITTED), "--apply-non-conflicting")
        assert "This is the article imported last" in output
        assert ImportedArticle.objects.count() == 1

    def test_a_malformed_article_names_its_line(self, catalog, tmp_path):
        """A parse error stops the command at its line; nothing is stored or written."""
        with pytest.raises(CommandError, match=r"newer.txt:6: .*Nothing was imported"):
            run(write(tmp_path, "Title\nOverview\ntext\nEmail activities\nActivity | Definition |\nnope\n"))
        assert ImportedArticle.objects.count() == 1


def test_a_failure_midway_writes_nothing(catalog):
    """The second new activity's name is taken: the first, already written, and the rewording are undone too."""
    Activity.objects.create(
        name="SNOOZED EMAIL", slug="mine", definition="Ours.", category=Category.objects.first(), kind="custom"
    )
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(newer_article(), base, None)
    report = drift(base.text, article.text)
    with pytest.raises(DriftError, match="the activity name 'Snoozed email' is already used"):
        apply(article, report, non_conflicting(report), None)
    assert not Activity.objects.filter(slug="replied-to-email").exists()
    assert Activity.objects.get(slug="opened-email").definition != OPENED_UPSTREAM
    assert ImportedArticle.objects.last_imported() == base


def test_a_report_applies_once(catalog):
    """Applying the same report again (a second click, another tab) is refused: nothing is written twice."""
    base = ImportedArticle.objects.last_imported()
    article = ImportedArticle.objects.pending(newer_article(), base, None)
    report = drift(base.text, article.text)
    apply(article, report, non_conflicting(report), None)
    stale_copy = ImportedArticle.objects.get(pk=article.pk)
    stale_copy.imported = None
    with pytest.raises(DriftError, match="applied already"):
        apply(stale_copy, report, non_conflicting(report), None)


def test_an_editors_correction_of_a_slip_is_never_undone(catalog, tmp_path):
    """
    "Succesful journey action" corrected, slug and all, is a change here: importing the article again, or a
    newer one with the slip still in it, lists it as such and leaves the correction.
    """
    slip = Activity.objects.get(slug="succesful-journey-action")
    slip.name, slip.slug = "Successful journey action", "successful-journey-action"
    slip.save()
    assert classes(drift(COMMITTED, COMMITTED)) == {("activity", "Successful journey action", Drift.LOCAL)}
    run(write(tmp_path, newer_article()), "--apply-non-conflicting")
    assert Activity.objects.get(slug="successful-journey-action").name == "Successful journey action"
    assert not Activity.objects.filter(slug="succesful-journey-action").exists()
