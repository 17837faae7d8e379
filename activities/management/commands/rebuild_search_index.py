from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from activities.search import document

# Triggers keep these current; rebuilding is for recovery, e.g. after restoring a copy of the tables.
REBUILD = {
    "sqlite": [*document.SQLITE_REBUILD, f"INSERT INTO {document.FTS} ({document.FTS}) VALUES ('optimize')"],
    "postgresql": ["REINDEX INDEX activities_activity_search_vector", *document.POSTGRESQL_REBUILD],
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
