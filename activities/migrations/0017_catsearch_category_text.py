from importlib import import_module

from django.db import migrations, models

from activities.search import document

# Categories are searchable: each activity's search document gains its category's name and description as a
# third, lowest-weighted field (activities/search/document.py), filled here for the rows already there.
# SQLite: FTS5 cannot add a column, so both indexes are made again, now holding their own text.
# PostgreSQL: the tsvector turns from a generated column into one set by a trigger.
search = import_module("activities.migrations.0002_search")

prefix_index = import_module("activities.migrations.0008_search_prefix_index")
PREFIXES = prefix_index.PREFIXES
# The tables as 0002 and 0008 left them: both read their text from the activities table.
OLD_SQLITE_TABLES = [
    prefix_index.fts(PREFIXES)[1],
    *(
        statement
        for statement in search.SQLITE
        if statement.startswith(
            ("CREATE VIRTUAL TABLE activities_activity_words", "CREATE VIRTUAL TABLE activities_activity_vocab")
        )
    ),
]
DROP_SQLITE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in document.SQLITE_TRIGGERS),
    "DROP TABLE activities_activity_vocab",
    "DROP TABLE activities_activity_words",
    "DROP TABLE activities_activity_fts",
]
SQLITE = [
    *DROP_SQLITE,
    *document.sqlite_tables(PREFIXES),
    *document.SQLITE_TRIGGERS.values(),
    *document.SQLITE_REBUILD,
]
SQLITE_REVERSE = [
    *DROP_SQLITE,
    *OLD_SQLITE_TABLES,
    *search.SQLITE_SEARCH.values(),
    "INSERT INTO activities_activity_fts (activities_activity_fts) VALUES ('rebuild')",
    "INSERT INTO activities_activity_words (activities_activity_words) VALUES ('rebuild')",
    "UPDATE activities_searchstate SET token = random()",
]

POSTGRESQL = [
    *document.POSTGRESQL_INSTALL,
    *document.POSTGRESQL_REBUILD,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER activities_category_search_resync ON activities_category",
    "DROP TRIGGER activities_category_search_sync ON activities_category",
    "DROP FUNCTION activities_category_search_sync()",
    "DROP TRIGGER activities_activity_search_document ON activities_activity",
    "DROP FUNCTION activities_activity_search_document()",
    # The sync trigger and function as migration 0002 made them.
    "DROP TRIGGER activities_activity_search_sync ON activities_activity",
    next(
        statement for statement in search.POSTGRESQL if "FUNCTION activities_activity_search_sync" in statement
    ).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
    next(statement for statement in search.POSTGRESQL if "TRIGGER activities_activity_search_sync" in statement),
    "DROP FUNCTION activities_category_text(bigint)",
    "ALTER TABLE activities_activity DROP COLUMN search_vector",
    next(statement for statement in search.POSTGRESQL if "ADD COLUMN search_vector" in statement),
    "CREATE INDEX activities_activity_search_vector ON activities_activity USING gin (search_vector)",
    "DELETE FROM activities_searchword",
    next(
        statement
        for statement in search.POSTGRESQL
        if statement.lstrip().startswith("INSERT INTO activities_searchword")
    ),
    "UPDATE activities_searchstate SET token = (random() * 9e18)::bigint",
]


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0016_search_misses"),
    ]

    operations = [
        migrations.RunPython(
            search.run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            search.run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
        migrations.AddField(
            model_name="activitysearchentry",
            name="category",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
    ]
