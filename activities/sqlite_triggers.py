"""
SQLite drops a table's triggers whenever a migration rebuilds that table (Django emulates most
ALTER TABLE operations on SQLite by copying the table). After every `migrate`, any trigger that a
rebuild dropped is created again from the migration that defined it, and whatever it keeps
current is rebuilt, since writes made while it was missing went unrecorded.
"""

import re
from importlib import import_module

from django.apps import apps
from django.db import connections

from activities import catalog_version

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
        if ("table", catalog_version.TABLE) in existing:
            for table in catalog_tables():
                if ("table", table) not in existing:
                    continue
                for event in catalog_version.SQLITE_EVENTS:
                    if ("trigger", catalog_version.trigger_name(table, event)) not in existing:
                        cursor.execute(
                            catalog_version.create_sql("sqlite", table)[catalog_version.SQLITE_EVENTS.index(event)]
                        )
                        recreated.append(catalog_version.trigger_name(table, event))
            if any("bumps_catalog_version" in name for name in recreated):
                # Writes made while a trigger was missing did not count: count one now.
                cursor.execute(catalog_version.SQLITE_BUMP)
    return recreated


def catalog_tables():
    """Every table of the activities app but the version's own and the search index's: all of them bump the version."""
    return {
        model._meta.db_table
        for model in apps.get_app_config("activities").get_models(include_auto_created=True)
        if model._meta.db_table != catalog_version.TABLE and model._meta.managed
    }
