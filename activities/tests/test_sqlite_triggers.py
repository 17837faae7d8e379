import pytest
from django.core.management import call_command
from django.db import connection

from activities.models import Activity, Category

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite rebuilds tables, dropping their triggers")
def test_migrate_restores_triggers_a_table_rebuild_dropped(catalog):
    """
    When a migration rebuilds the activities table on SQLite its triggers go with it; the next
    migrate puts them back and reindexes, so search finds rows written in between.
    """
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER activities_activity_search_{event}")
    Activity.objects.create(
        name="Registered for webinar", slug="registered-for-webinar", category=Category.objects.first(), definition="X."
    )
    assert not Activity.objects.search("webinar").exists()

    call_command("migrate", verbosity=0)

    assert list(Activity.objects.search("webinar").values_list("name", flat=True)) == ["Registered for webinar"]
    Activity.objects.filter(slug="sent-email").update(name="Dispatched email")
    assert Activity.objects.search("dispatched").exists()
