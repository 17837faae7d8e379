from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from activities.search.index import ActivitySearchEntry, SearchState, SearchWord

FTS, STATE, WORDS = (model._meta.db_table for model in (ActivitySearchEntry, SearchState, SearchWord))
# Triggers keep these current; rebuilding is for recovery, e.g. after restoring a copy of the tables.
REBUILD = {
    "sqlite": [
        f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')",
        "INSERT INTO activities_activity_words (activities_activity_words) VALUES ('rebuild')",
        f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')",
        f"UPDATE {STATE} SET token = random()",
    ],
    "postgresql": [
        # The weighted tsvector is a generated column: the database recomputes it on every write.
        "REINDEX INDEX activities_activity_search_vector",
        f"DELETE FROM {WORDS}",
        f"""INSERT INTO {WORDS} (word, documents)
            SELECT word, count(*) FROM activities_activity, activities_words(name || ' ' || definition) AS word
            GROUP BY word""",
        f"UPDATE {STATE} SET token = (random() * 9e18)::bigint",
    ],
}


class Command(BaseCommand):
    help = "Rebuild the search index from the activities table (after a restore, or to recover from damage)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        connection = connections[database]
        with transaction.atomic(using=database), connection.cursor() as cursor:
            for statement in REBUILD[connection.vendor]:
                cursor.execute(statement)
            cursor.execute("SELECT count(*) FROM activities_activity")
            (count,) = cursor.fetchone()
        self.stdout.write(f"Rebuilt the search index: {count} activities.")
