import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client

from activities.models import Activity, CatalogVersion, Category
from activities.search.misses import SearchMiss

pytestmark = pytest.mark.django_db


def test_every_catalog_table_has_its_triggers(catalog):
    """Each table of the activities app bumps the catalog version: a new table without triggers fails here."""
    tables = {
        model._meta.db_table
        for model in apps.get_app_config("activities").get_models(include_auto_created=True)
        if model is not CatalogVersion and model._meta.managed and model is not SearchMiss
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE '%%bumps_catalog_version%%'"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", ["%bumps_catalog_version%"]
            )
        tracked = {row[0] for row in cursor.fetchall()}
    assert tables <= tracked, f"Add triggers.track() for {sorted(tables - tracked)} in a migration"


def test_version_survives_a_flush(transactional_db):
    """After a flush empties every table, the next write starts a new version rather than none."""
    CatalogVersion.objects.all().delete()
    assert CatalogVersion.objects.current() is None
    call_command("load_catalog", verbosity=0)
    assert CatalogVersion.objects.current().changes > 0
    assert Client().get("/").headers["ETag"]


def test_version_read_on_every_request_is_the_row_the_triggers_wrote(catalog):
    """The version's own reader (a cursor, for the 304s) gives what the ORM reads, as an aware time."""
    before = CatalogVersion.objects.current()
    Activity.objects.filter(pk=Activity.objects.first().pk).update(name="Sent email, renamed")
    current, stored = CatalogVersion.objects.current(), CatalogVersion.objects.get()
    assert (current.pk, current.changes, current.changed) == (stored.pk, stored.changes, stored.changed)
    assert current.changed.tzinfo is not None
    assert current.changes > before.changes and current.changed >= before.changed


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite rebuilds tables, dropping their triggers")
def test_migrate_restores_triggers_a_table_rebuild_dropped(client, catalog):
    """
    When a migration rebuilds the activities table on SQLite its triggers go with it; the next migrate puts
    them back, reindexes and counts a change, so search finds rows written in between and pages show them.
    """

    def found(q):
        return [row["name"] for row in client.get("/api/activities/", {"q": q}).json()["results"]]

    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER activities_activity_search_{event}")
            cursor.execute(f"DROP TRIGGER activities_activity_bumps_catalog_version_{event}")
    Activity.objects.create(
        name="Registered for webinar", slug="registered-for-webinar", category=Category.objects.first(), definition="X."
    )
    assert found("webinar") == []
    unrecorded = CatalogVersion.objects.current().changes

    call_command("migrate", verbosity=0)

    # The writes made without the triggers count as a change, so no page is served from before them.
    restored = CatalogVersion.objects.current().changes
    assert restored > unrecorded
    assert found("webinar") == ["Registered for webinar"]
    Activity.objects.filter(slug="sent-email").update(name="Dispatched email")
    assert found("dispatched") == ["Dispatched email"]
    assert CatalogVersion.objects.current().changes > restored
