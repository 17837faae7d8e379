from importlib import import_module

from django.db import migrations

# TRUNCATE fires no row triggers, so `manage.py flush` emptied the activities but left their words in the
# typo vocabulary, and search went on correcting towards words the catalog no longer had. A trigger on the
# TRUNCATE statement itself empties the vocabulary with them, whoever truncates: flush, the test runner
# between transactional tests, or an operator by hand. (SQLite has no TRUNCATE: flush deletes rows there,
# and the FTS5 triggers follow every one.)
POSTGRESQL = [
    """CREATE FUNCTION activities_searchword_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM activities_searchword;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER activities_activity_searchword_truncate AFTER TRUNCATE ON activities_activity
        FOR EACH STATEMENT EXECUTE FUNCTION activities_searchword_truncate()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER activities_activity_searchword_truncate ON activities_activity",
    "DROP FUNCTION activities_searchword_truncate()",
]

run = import_module("activities.migrations.0002_search").run


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0011_old_slugs_and_history_versions"),
    ]

    operations = [
        migrations.RunPython(run({"postgresql": POSTGRESQL}), run({"postgresql": POSTGRESQL_REVERSE})),
    ]
