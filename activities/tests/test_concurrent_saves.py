"""
Editors saving at the same time, through the admin's rendered forms, against gunicorn as `make run` serves
it over a real SQLite file: the setup where "database is locked" answered 500 to a third of the saves.
"""

import html
import sqlite3
import threading

import pytest

from activities.database_busy import BUSY_MESSAGE
from activities.tests.forms import forms_in
from activities.tests.servers import AdminEditor, Gunicorn, manage, prepared_env

EDITORS = 4
SAVES_EACH = 8
PASSWORD = "a-long-test-password"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`make run`'s environment on its own SQLite file, with one staff account per editor."""
    workdir = tmp_path_factory.mktemp("concurrent-saves")
    env = prepared_env(workdir)
    names = [f"editor{number}" for number in range(EDITORS)]
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User\n"
        f"for name in {names!r}: User.objects.create_superuser(name, '', {PASSWORD!r})",
    )
    return env, workdir / "db.sqlite3", names


def definition_in_database(path, pk):
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT definition FROM activities_activity WHERE id = ?", [pk]).fetchone()[0]


def test_editors_saving_different_activities_at_once_all_succeed(site, tmp_path):
    """Four editors, each saving their own activity eight times at once: every save lands, none answers 500."""
    env, database, names = site
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        editors = [AdminEditor(server.port, name, PASSWORD) for name in names]
        answers = {name: [] for name in names}

        def edit(editor, name, pk):
            for save in range(SAVES_EACH):
                url = f"/admin/activities/activity/{pk}/change/"
                status, _, location = editor.submit(url, {"definition": f"Saved by {name}, save {save}."})
                answers[name].append((status, location))

        threads = [
            threading.Thread(target=edit, args=(editor, name, pk))
            for pk, (editor, name) in enumerate(zip(editors, names, strict=True), start=1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        log = server.stop()
    for name in names:
        assert answers[name] == [(302, "/admin/activities/activity/")] * SAVES_EACH, log[-3000:]
    for pk, name in enumerate(names, start=1):
        assert definition_in_database(database, pk) == f"Saved by {name}, save {SAVES_EACH - 1}."


def test_a_save_that_waits_too_long_is_refused_and_keeps_the_editors_text(site, tmp_path):
    """
    While another writer holds the database past the timeout, Save re-shows the form with the editor's text
    and says to save again; nothing is written. Saving that same form once the database is free succeeds.
    """
    env, database, names = site
    server = Gunicorn({**env, "DATABASE_BUSY_TIMEOUT": "1", "WEB_CONCURRENCY": "1"}, tmp_path / "gunicorn.log")
    url = "/admin/activities/activity/10/change/"
    try:
        editor = AdminEditor(server.port, names[0], PASSWORD)
        form = editor.form(url)
        before = form.value("definition")
        form.set("definition", "Typed while the catalog was busy.")
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            status, page, _ = editor.post(url, form)
            assert definition_in_database(database, 10) == before
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert status == 200
        assert html.escape(BUSY_MESSAGE) in page
        refused = next(found for found in forms_in(page) if found.attrs.get("id") == "activity_form")
        assert refused.value("definition") == "Typed while the catalog was busy."
        again = editor.post(url, refused)
    finally:
        log = server.stop()
    assert again[0] == 302, log[-3000:]
    assert definition_in_database(database, 10) == "Typed while the catalog was busy."
