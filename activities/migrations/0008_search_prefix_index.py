from importlib import import_module

from django.db import migrations

# The last word of a query is searched as a prefix while people type ("acti"*, "report"*). FTS5
# answers a prefix from a prefix index of exactly its length; without one it first merges the
# postings of every term that starts with it (all 100,000 rows for "acti"), at every index read.
# FTS5 cannot change the option in place: the table is made again and rebuilt from the activities.
# Its triggers name it and are left as they are.
PREFIXES = "2 3 4 5 6 7 8 9 10 11 12"
EARLIER_PREFIXES = "2 3"


def fts(prefixes):
    return [
        "DROP TABLE activities_activity_fts",
        f"""CREATE VIRTUAL TABLE activities_activity_fts USING fts5(
            name, definition, content='activities_activity', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2', prefix='{prefixes}')""",
        "INSERT INTO activities_activity_fts (activities_activity_fts) VALUES ('rebuild')",
    ]


run = import_module("activities.migrations.0002_search").run


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_track_new_tables"),
    ]

    operations = [
        # PostgreSQL's tsquery prefixes (report:*) read the GIN index as they are: nothing to do there.
        migrations.RunPython(run({"sqlite": fts(PREFIXES)}), run({"sqlite": fts(EARLIER_PREFIXES)})),
    ]
