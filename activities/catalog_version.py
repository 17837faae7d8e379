"""
Database triggers that keep CatalogVersion current on every write to a catalog table.

Python signals miss fixture loads, QuerySet.update() and raw SQL; triggers see them all. A table added to
the catalog later gets its triggers from a migration of its own:

    operations = [catalog_version.track("activities_synonym")]
"""

from django.db import migrations

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
