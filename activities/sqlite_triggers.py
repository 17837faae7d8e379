"""
SQLite drops a table's triggers whenever a migration rebuilds that table (Django emulates most
ALTER TABLE operations on SQLite by copying the table). After every `migrate`, any trigger that a
rebuild dropped is created again from the migration that defined it, and whatever it keeps
current is rebuilt, since writes made while it was missing went unrecorded.
"""

import re
from importlib import import_module

from django.db import connections

CREATE_TRIGGER = re.compile(r"\s*CREATE TRIGGER (\w+)", re.IGNORECASE)

# (migration module holding a SQLITE list of statements, a table it creates, statements that repair its data)
SOURCES = [
    (
        "activities.migrations.0002_search",
        "activities_activity_fts",
        [
            "INSERT INTO activities_activity_fts (activities_activity_fts) VALUES ('rebuild')",
            "INSERT INTO activities_activity_words (activities_activity_words) VALUES ('rebuild')",
            "UPDATE activities_searchstate SET token = random()",
        ],
    ),
]


def restore(using="default", **kwargs):
    """Recreate dropped triggers on SQLite; returns the names of those it recreated."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    recreated = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'table')")
        existing = {(kind, name) for kind, name in cursor.fetchall()}
        for module, marker_table, repairs in SOURCES:
            if ("table", marker_table) not in existing:
                continue  # that migration is not applied
            missing = [
                (match.group(1), statement)
                for statement in import_module(module).SQLITE
                if (match := CREATE_TRIGGER.match(statement)) and ("trigger", match.group(1)) not in existing
            ]
            for name, statement in missing:
                cursor.execute(statement)
                recreated.append(name)
            if missing:
                for statement in repairs:
                    cursor.execute(statement)
    return recreated
