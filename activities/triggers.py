"""
The database triggers: the DDL that migrations install, and its repair after a migration on SQLite.

Python signals miss fixture loads, QuerySet.update() and raw SQL; triggers see them all. Two sets live here:

- The catalog version's: every write to a catalog table bumps CatalogVersion, which keys the render cache
  and the pages' validators (activities/caching.py). A table added to the catalog later gets them from a
  migration of its own: `operations = [triggers.track("activities_newtable")]`.
- SQLite's search index's: the FTS5 tables follow every write to the activities and to their categories'
  names and descriptions, and the search state changes with them and the synonyms (activities/search/document.py,
  installed by migrations 0002 and 0017).

SQLite drops a table's triggers whenever a migration rebuilds that table (Django emulates most ALTER TABLE
operations on SQLite by copying the table). After every `migrate`, `restore()` creates again any trigger
that a rebuild dropped, and rebuilds whatever it keeps current, since writes made while it was missing
went unrecorded.
"""

from datetime import UTC

from django.apps import apps
from django.db import connections, migrations
from django.utils import timezone

from activities.search import document

TABLE = "activities_catalogversion"
ROW = 1
FUNCTION = "activities_bump_catalog_version"

# An upsert, so that a flushed database (no version row) starts counting again at its next write.
SQLITE_BUMP = f"""
    INSERT INTO {TABLE} (id, changes, changed) VALUES ({ROW}, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'))
    ON CONFLICT (id) DO UPDATE SET changes = {TABLE}.changes + 1, changed = excluded.changed;
"""
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (id, changes, changed) VALUES ({ROW}, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET changes = {TABLE}.changes + 1, changed = EXCLUDED.changed;
    RETURN NULL;
END
$$
"""
SQLITE_EVENTS = ("insert", "update", "delete")


def read_version(model, using):
    """
    The version row these triggers keep, as a `model` instance (CatalogVersion), or None when there is none.

    Every anonymous public request reads it, and it is nearly all that an early 304 or a render-cache hit does:
    one statement on a cursor costs a small fraction of compiling the ORM's query for the same row, and that
    difference decides how many 304s a server can answer.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT changes, changed FROM {TABLE} WHERE id = %s", [ROW])
        row = cursor.fetchone()
    if row is None:
        return None
    changes, changed = row
    # SQLite hands back the text the trigger wrote, in UTC; PostgreSQL an aware datetime.
    changed = model._meta.get_field("changed").to_python(changed)
    if timezone.is_naive(changed):
        changed = timezone.make_aware(changed, UTC)
    return model.from_db(using, ["id", "changes", "changed"], [ROW, changes, changed])


def trigger_name(table, event=""):
    name = f"{table}_bumps_catalog_version{'_' + event if event else ''}"
    # PostgreSQL cuts identifiers at 63 bytes, which would lose the suffix that names the trigger's purpose.
    return name if len(name) <= 63 else name.removeprefix("activities_")


def create_sql(vendor, table):
    """The statements that make every write to `table` bump the catalog version."""
    if vendor == "postgresql":
        # One bump per statement, so a bulk update of thousands of rows costs one write, not thousands.
        return [
            f"CREATE TRIGGER {trigger_name(table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        ]
    if vendor == "sqlite":
        # SQLite has row triggers only.
        return [
            f"CREATE TRIGGER {trigger_name(table, event)} AFTER {event.upper()} ON {table} "
            f"FOR EACH ROW BEGIN {SQLITE_BUMP} END"
            for event in SQLITE_EVENTS
        ]
    raise NotImplementedError(f"No catalog version triggers for the {vendor} database.")


def drop_sql(vendor, table):
    """The statements that undo create_sql."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {trigger_name(table, event)}" for event in SQLITE_EVENTS]


def _execute(schema_editor, statements):
    for statement in statements:
        # No parameters: SQLite's strftime() format would otherwise be read as placeholders.
        schema_editor.execute(statement, None)


def track(*tables):
    """A migration operation that installs the triggers on `tables` (and removes them when reversed)."""

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            _execute(schema_editor, [POSTGRESQL_FUNCTION])
        for table in tables:
            _execute(schema_editor, create_sql(vendor, table))

    def backwards(apps, schema_editor):
        for table in tables:
            _execute(schema_editor, drop_sql(schema_editor.connection.vendor, table))

    return migrations.RunPython(forwards, backwards, elidable=False)


# SQLite's search index is kept by triggers of its own (activities/search/document.py, migration 0017).
SEARCH_TABLE = document.FTS


def restore(using="default", **kwargs):
    """Recreate the triggers a table rebuild dropped on SQLite (a post_migrate receiver); returns their names."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'table')")
        existing = set(cursor.fetchall())
        # {trigger name: (statement, what to repair if it was missing)}, for the migrations applied so far.
        expected = {}
        if ("table", SEARCH_TABLE) in existing and indexes_categories(cursor):
            expected |= {
                name: (statement, document.SQLITE_REBUILD) for name, statement in document.SQLITE_TRIGGERS.items()
            }
        if ("table", TABLE) in existing:
            for table in catalog_tables() & {name for kind, name in existing if kind == "table"}:
                statements = zip(SQLITE_EVENTS, create_sql("sqlite", table), strict=True)
                # Writes made while a trigger was missing did not count: count one now.
                expected |= {trigger_name(table, event): (statement, (SQLITE_BUMP,)) for event, statement in statements}
        missing = {name: found for name, found in expected.items() if ("trigger", name) not in existing}
        for statement, _ in missing.values():
            cursor.execute(statement)
        for repair in dict.fromkeys(repair for _, repairs in missing.values() for repair in repairs):
            cursor.execute(repair)
    return list(missing)


def indexes_categories(cursor):
    """Whether the search index has the category column (migration 0017) that today's triggers write to."""
    cursor.execute(f"SELECT 1 FROM pragma_table_info('{SEARCH_TABLE}') WHERE name = 'category'")
    return cursor.fetchone() is not None


def catalog_tables():
    """
    Every table of the activities app but the version's own, the search index's and those that say they are
    not catalog content (`in_catalog = False`, the search log): all of them bump the version.
    """
    return {
        model._meta.db_table
        for model in apps.get_app_config("activities").get_models(include_auto_created=True)
        if model._meta.db_table != TABLE and model._meta.managed and getattr(model, "in_catalog", True)
    }
