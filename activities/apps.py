from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        from activities import sqlite_triggers

        post_migrate.connect(sqlite_triggers.restore, sender=self)
