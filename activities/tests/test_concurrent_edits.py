import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.models import F
from django.db.models.signals import post_init
from django.test import Client

from activities.models import Activity, Category
from activities.tests.forms import post_form, read_form
from activities.tests.newer_article import OPENED_BEFORE, newer_article
from activities.versioning import StaleEdit

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(django_user_model):
    """Two staff members, each in their own browser session."""
    clients = []
    for name in ("ann", "bob"):
        user = django_user_model.objects.create_superuser(name, f"{name}@example.com", None)
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        clients.append(client)
    return clients


def change_page(client, activity_or_category):
    """The admin form of this row, as the editor's browser has it open."""
    model = activity_or_category._meta.model_name
    return read_form(
        client.get(f"/admin/activities/{model}/{activity_or_category.pk}/change/"), form_id=f"{model}_form"
    )


def test_second_stale_save_is_refused_with_a_link_to_the_first(editors, catalog):
    """Two editors open the same activity; the second save is refused, keeps its text, and links to history."""
    ann, bob = editors
    activity = Activity.objects.get(slug="sent-email")
    url = f"/admin/activities/activity/{activity.pk}/change/"
    page = ann.get(url)
    assert '<input type="hidden" name="version" value="1"' in page.content.decode()
    ann_form = read_form(page, form_id="activity_form")
    bob_form = change_page(bob, activity)

    ann_form.set("definition", "Ann’s definition.")
    assert post_form(ann, ann_form, "_save").status_code == 302

    bob_form.set("definition", "Bob’s definition.")
    response = post_form(bob, bob_form, "_save")
    assert response.status_code == 200
    html = response.content.decode()
    assert "was changed by ann on " in html
    assert "while you were editing it" in html
    assert f'href="/admin/activities/activity/{activity.pk}/history/"' in html
    assert "Bob’s definition." in html
    assert Activity.objects.get(pk=activity.pk).definition == "Ann’s definition."

    history = bob.get(f"/admin/activities/activity/{activity.pk}/history/").content.decode()
    assert "Ann’s definition." in history
    assert "ann" in history


def test_reloaded_form_saves(editors, catalog):
    """After the refusal, reloading the page gives the current version, and that save goes through."""
    ann, bob = editors
    activity = Activity.objects.get(slug="sent-email")
    stale = change_page(bob, activity)
    ann_form = change_page(ann, activity)
    ann_form.set("position", 42)
    assert post_form(ann, ann_form, "_save").status_code == 302
    stale.set("definition", "Bob again.")
    assert post_form(bob, stale, "_save").status_code == 200
    fresh = change_page(bob, activity)
    fresh.set("definition", "Bob again.")
    assert post_form(bob, fresh, "_save").status_code == 302
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.definition, saved.position, saved.version) == ("Bob again.", 42, 3)


def test_stale_category_is_refused_but_untouched_inline_rows_never_block(editors, catalog):
    """
    On a category's page, an inline activity row the editor did not touch neither re-checks nor saves, so
    the category saves while its activities are edited elsewhere; a stale category form is refused.
    """
    ann, bob = editors
    category = Category.objects.get(slug="knowledge-base")
    url = f"/admin/activities/category/{category.pk}/change/"
    page = bob.get(url)
    html = page.content.decode()
    assert '<input type="hidden" name="version" value="1"' in html
    assert '<input type="hidden" name="activities-0-version" value="1"' in html
    bob_form = read_form(page, form_id="category_form")

    activity = Activity.objects.get(slug="article-feedback-submitted")
    edit = change_page(ann, activity)
    edit.set("definition", "Ann edited this activity on its own page.")
    assert post_form(ann, edit, "_save").status_code == 302

    bob_form.set("description", "Bob’s description.")
    assert post_form(bob, bob_form, "_save").status_code == 302
    assert Activity.objects.get(pk=activity.pk).definition == "Ann edited this activity on its own page."
    assert Category.objects.get(pk=category.pk).description == "Bob’s description."

    bob_form = change_page(bob, category)
    ann_form = change_page(ann, category)
    ann_form.set("description", "Ann’s description.")
    assert post_form(ann, ann_form, "_save").status_code == 302
    bob_form.set("description", "Bob’s later description.")
    assert "was changed by ann" in post_form(bob, bob_form, "_save").content.decode()
    assert Category.objects.get(pk=category.pk).description == "Ann’s description."


def test_form_without_a_version_is_refused(staff_client, catalog):
    """A change posted without the version it was opened at is refused rather than trusted."""
    activity = Activity.objects.get(slug="sent-email")
    form = change_page(staff_client, activity)
    # As from a page rendered before the version input existed, still open in a tab.
    form.pairs = [(name, value) for name, value in form.pairs if name != "version"]
    form.set("definition", "No version.")
    response = post_form(staff_client, form, "_save")
    assert "you opened an unknown version" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).definition != "No version."


def test_model_save_from_a_stale_copy_raises(catalog):
    """Any write path: saving a copy read before someone else's save raises StaleEdit and changes nothing."""
    first = Activity.objects.get(slug="sent-email")
    second = Activity.objects.get(slug="sent-email")
    first.definition = "First."
    first.save()
    second.definition = "Second."
    with pytest.raises(StaleEdit, match="changed by someone else"):
        second.save()
    saved = Activity.objects.get(slug="sent-email")
    assert (saved.definition, saved.version) == ("First.", 2)


@pytest.fixture
def concurrent_save():
    """Another editor saves each named activity just after this request reads it, as often as asked."""
    times = {}

    def save_right_after_read(sender, instance, **kwargs):
        if times.get(instance.slug):
            times[instance.slug] -= 1
            Activity.objects.filter(slug=instance.slug).update(
                version=F("version") + 1, definition="Saved by someone else in between."
            )

    post_init.connect(save_right_after_read, sender=Activity)
    yield times
    post_init.disconnect(save_right_after_read, sender=Activity)


def test_save_racing_past_the_form_check_is_checked_again(staff_client, catalog, concurrent_save):
    """
    A save that lands between the form's check and the write rolls the whole save back, and the form is
    checked again. (The simulated editor writes on this request's own connection, so the rollback takes
    theirs too: the second check finds the row as it was, and the save goes through.)
    """
    activity = Activity.objects.get(slug="sent-email")
    form = change_page(staff_client, activity)
    form.set("definition", "Mine.")
    concurrent_save["sent-email"] = 1
    response = post_form(staff_client, form, "_save")
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).definition == "Mine."


def test_save_racing_twice_is_refused_with_a_message(staff_client, catalog, concurrent_save):
    activity = Activity.objects.get(slug="sent-email")
    form = change_page(staff_client, activity)
    form.set("definition", "Mine.")
    concurrent_save["sent-email"] = 100
    response = post_form(staff_client, form, "_save", follow=True)
    assert "was changed by someone else" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).definition != "Mine."


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_separate_connections_let_exactly_one_through():
    """
    Two editors' saves race on their own database connections: the row lock
    and the conditional UPDATE let one through and refuse the other.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database; SQLite serialises writers by locking the whole file")
    call_command("load_catalog", verbosity=0)
    start = threading.Barrier(2)
    outcomes = {}

    def edit(editor):
        try:
            activity = Activity.objects.get(slug="sent-email")
            activity.definition = f"Saved by {editor}."
            start.wait(timeout=10)
            activity.save()
            outcomes[editor] = "saved"
        except StaleEdit:
            outcomes[editor] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(editor,)) for editor in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "saved"]
    [winner] = [editor for editor, outcome in outcomes.items() if outcome == "saved"]
    saved = Activity.objects.get(slug="sent-email")
    assert (saved.definition, saved.version) == (f"Saved by {winner}.", 2)


def test_article_import_racing_an_edit_writes_nothing(catalog, concurrent_save, tmp_path):
    """import_article refuses, with a message and no writes, when an activity it updates is saved meanwhile."""
    newer = tmp_path / "newer.txt"
    newer.write_text(newer_article(), encoding="utf-8")
    concurrent_save["opened-email"] = 1
    with pytest.raises(CommandError, match=r"changed by someone else.*Nothing was imported"):
        call_command("import_article", newer, "--apply-non-conflicting", stdout=io.StringIO())
    assert Activity.objects.get(slug="opened-email").definition == OPENED_BEFORE
    assert not Activity.objects.filter(slug="replied-to-email").exists()
