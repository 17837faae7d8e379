from importlib import import_module

from django.db import migrations

# PostgreSQL reads a GIN index by lexeme, never by weight: a search within the names (report:A) had
# to recheck every row the index gave for the whole text, and the planner read the table instead, up to
# 56,000 rows to find a broad search's first 1,000 name matches (30-50 ms at 100,000 activities). The
# names get a tsvector and a GIN index of their own.
# Whether a typed word is in the index at all was asked of the activities too, and for a prefix that
# matches nothing ("subscirb":*) the planner scanned every row (45 ms). Each vocabulary word's lexemes
# answer that from a table of a few thousand rows.
POSTGRESQL = [
    """ALTER TABLE activities_activity ADD COLUMN search_name tsvector
        GENERATED ALWAYS AS (to_tsvector('english'::regconfig, name)) STORED""",
    "CREATE INDEX activities_activity_search_name ON activities_activity USING gin (search_name)",
    """ALTER TABLE activities_searchword ADD COLUMN lexemes tsvector
        GENERATED ALWAYS AS (to_tsvector('english'::regconfig, word)) STORED""",
]
POSTGRESQL_REVERSE = [
    "ALTER TABLE activities_searchword DROP COLUMN lexemes",
    "ALTER TABLE activities_activity DROP COLUMN search_name",
]

run = import_module("activities.migrations.0002_search").run


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_search_prefix_index"),
    ]

    operations = [
        # SQLite's FTS5 index keeps its columns apart already ({name} : ...), and its vocabulary is the index.
        migrations.RunPython(run({"postgresql": POSTGRESQL}), run({"postgresql": POSTGRESQL_REVERSE})),
    ]
